#!/usr/bin/env bash
# Conformance test of the Lightsail emulator against the real AWS CLI and botocore's model.
#
#   bash emulator/conformance/run.sh        (from any directory; needs python3 and cargo)
#
# Creates/reuses <repo>/.venv with awscli + botocore and moto[server], self-tests the validators,
# builds (into $CARGO_TARGET_DIR if set, else <repo>/target) and starts the emulator on the
# conformance scenario, puts a recording proxy in front of
# it, starts moto_server, runs every case (cases.py: Lightsail, EC2, then the moto cross-check)
# and ends with a line `N passed, M failed`. Exits non-zero on any failure, a missing tool, or an
# emulator, proxy or moto that does not start: nothing is ever skipped.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="$repo/.venv"
work="$(mktemp -d "${TMPDIR:-/tmp}/lightsail-conformance.XXXXXX")"
emulator_pid="" proxy_pid="" moto_pid=""
# moto is pinned: the differences the emulator's README explains are those of this version.
moto_version="5.2.5"

fail() {
  echo "FAIL conformance setup: $*"
  echo "0 passed, 1 failed"
  exit 1
}

cleanup() {
  # Only the two processes this script started, by their ids.
  for pid in $moto_pid $proxy_pid $emulator_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits up to 60 s for `listening on http://HOST:PORT` in FILE and prints the URL.
listening_url() {
  local file="$1" pid="$2" line
  for _ in $(seq 1 600); do
    line="$(grep -m1 -o 'listening on http://[^[:space:]]*' "$file" 2>/dev/null || true)"
    if [[ -n "$line" ]]; then echo "${line#listening on }"; return 0; fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

command -v python3 >/dev/null || fail "python3 not found"
command -v cargo >/dev/null || fail "cargo not found"

# 1. The AWS CLI and botocore, in the repository's venv (ignored by git).
if [[ ! -x "$venv/bin/aws" ]] || ! "$venv/bin/python" -c 'import botocore' 2>/dev/null; then
  echo "# creating $venv with awscli and botocore"
  python3 -m venv "$venv" || fail "python3 -m venv failed (Debian: apt-get install python3-venv)"
  "$venv/bin/pip" install -q awscli botocore || fail "pip install awscli botocore failed"
fi
if [[ "$("$venv/bin/python" -c 'import moto; print(moto.__version__)' 2>/dev/null)" != "$moto_version" ]]; then
  echo "# installing moto[server]==$moto_version into $venv"
  "$venv/bin/pip" install -q "moto[server]==$moto_version" || fail "pip install moto[server]==$moto_version failed"
fi
py="$venv/bin/python"
aws="$venv/bin/aws"
[[ -x "$aws" ]] || fail "the AWS CLI is missing from $venv"
echo "# $("$aws" --version 2>&1)"
# awscli may vendor its own botocore; the model validated against is the botocore package's.
echo "# model: botocore $("$py" -c 'import botocore; print(botocore.__version__)') lightsail 2016-11-28, ec2 2016-11-15; moto $moto_version"

# 2. The validator proves it catches what it must, before anything it says is trusted.
echo "# validator self-tests"
"$py" -m unittest discover -s "$here" -p 'test_*.py' 2>"$work/unittest.log" || {
  cat "$work/unittest.log"
  fail "validator self-tests failed"
}
tail -n 3 "$work/unittest.log" | sed 's/^/#   /'

# 3. The emulator on the conformance scenario, on a free port. The cases set the switches they
# test through the admin API, so none may come from the caller's environment.
unset LIGHTSAIL_EMULATOR_SWITCHES
echo "# building the emulator"
(cd "$repo" && cargo build -q -p lightsail-emulator) || fail "cargo build -p lightsail-emulator failed"
# The build's target directory: cargo's CARGO_TARGET_DIR if set (relative to the repo), else <repo>/target.
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
[[ "$target_dir" = /* ]] || target_dir="$repo/$target_dir"
"$target_dir/debug/lightsail-emulator" --scenario "$here/scenario.yaml" --port 0 \
  >"$work/emulator.out" 2>"$work/emulator.err" &
emulator_pid=$!
emulator_url="$(listening_url "$work/emulator.out" "$emulator_pid")" || {
  tail -n 20 "$work/emulator.err"
  fail "the emulator did not start (no 'listening on' line)"
}
echo "# emulator at $emulator_url"

# 4. The recording proxy in front of it.
"$py" "$here/proxy.py" --upstream "$emulator_url" --log "$work/exchanges.jsonl" >"$work/proxy.out" 2>"$work/proxy.err" &
proxy_pid=$!
proxy_url="$(listening_url "$work/proxy.out" "$proxy_pid")" || {
  cat "$work/proxy.err"
  fail "the recording proxy did not start"
}

# 5. moto, for the EC2 cross-check, on a free loopback port (picked, then bound by moto).
moto_port="$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$venv/bin/moto_server" -H 127.0.0.1 -p "$moto_port" >"$work/moto.out" 2>"$work/moto.err" &
moto_pid=$!
moto_url="http://127.0.0.1:$moto_port"
"$py" - "$moto_url" "$moto_pid" <<'PY' || { tail -n 20 "$work/moto.err"; fail "moto_server did not start"; }
import os, sys, time, urllib.request
for _ in range(600):
    try:
        urllib.request.urlopen(sys.argv[1] + "/moto-api/data.json", timeout=2).close()
        sys.exit(0)
    except OSError:
        try:
            os.kill(int(sys.argv[2]), 0)
        except OSError:
            sys.exit(1)
        time.sleep(0.1)
sys.exit(1)
PY
echo "# moto at $moto_url"

# 6. The cases.
status=0
(cd "$here" && "$py" cases.py --aws "$aws" --endpoint "$proxy_url" --admin "$emulator_url" \
  --log "$work/exchanges.jsonl" --moto "$moto_url") || status=$?
if [[ $status -ne 0 ]]; then
  echo "# emulator log (last lines):"
  tail -n 30 "$work/emulator.err" | sed 's/^/#   /'
fi
exit "$status"
