#!/usr/bin/env bash
# The guess matrix: the pipeline-level tests once per non-default value of every emulator switch
# (the behaviours of real Lightsail that public evidence leaves open; emulator/README.md,
# "Switches"). Each cell sets LIGHTSAIL_EMULATOR_SWITCHES='{"<switch>": <value>}', which every
# in-process emulator of the tests applies over its scenario.
#
#   ./scripts/guess-matrix.sh            (scripts/test.sh runs it)
#
# The switches come from `lightsail-emulator --list-switches`, so a new switch is flipped here
# without editing this file. Ends with `guess matrix: N cells passed, M failed`.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The tests that run the pipeline against the emulator. The heavy ones (crash, faults,
# properties, fuzz) run once, under the defaults, in the main test stage.
TESTS=(--test pipeline --test events --test operations --test guesses --test bad_input --test drill --test keep
       --test fleet --test concurrent)

cargo test -q -p lightsail-export "${TESTS[@]}" --no-run 2>&1 | tail -3
catalog="$(cargo run -q -p lightsail-emulator -- --list-switches)" || {
    echo "FAIL lightsail-emulator --list-switches"; exit 1; }
cells="$(python3 - "$catalog" <<'PY'
import json, sys
for switch in json.loads(sys.argv[1]):
    for value in switch["values"]:
        if value != switch["default"]:
            print(json.dumps({switch["name"]: value}, separators=(",", ":")))
PY
)" || { echo "FAIL reading the switch catalog"; exit 1; }

passed=0
failed=0
log="target/guess-matrix.log"
: >"$log"
while IFS= read -r cell; do
    start=$(date +%s)
    if LIGHTSAIL_EMULATOR_SWITCHES="$cell" cargo test -q -p lightsail-export "${TESTS[@]}" \
        >>"$log" 2>&1; then
        passed=$((passed + 1))
        printf 'PASS  %-45s %3ss\n' "$cell" $(( $(date +%s) - start ))
    else
        failed=$((failed + 1))
        printf 'FAIL  %-45s (see %s)\n' "$cell" "$log"
        LIGHTSAIL_EMULATOR_SWITCHES="$cell" cargo test -q -p lightsail-export "${TESTS[@]}" \
            2>&1 | grep -E "panicked|FAILED|left:|right:" | head -20 | sed 's/^/      /'
    fi
done <<<"$cells"

echo "guess matrix: $passed cells passed, $failed failed"
[ "$failed" -eq 0 ]
