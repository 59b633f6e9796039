#!/usr/bin/env bash
# The deployment, proven: the SAM template and the state machine linted (and a broken copy of
# each refused), the arm64 release build that SAM and `cargo lambda deploy` ship, the shipped
# state machine executed by moto's Step Functions interpreter against the real function and the
# Lightsail emulator, and `cargo lambda deploy` against moto's Lambda.
#
#   ./deploy/check.sh          (scripts/test.sh runs it; installs its tools under the repo)
#
# `sam build` is run exactly as the README writes it, and what it produced is checked.
#
# Installs: .venv-deploy/ (deploy/requirements.txt: cfn-lint, aws-sam-cli, moto[server],
# cargo-lambda with zig), deploy/node_modules/ (npm ci: asl-validator), the Rust target
# aarch64-unknown-linux-gnu. A tool that cannot be installed fails the run; nothing is skipped.
# Ends with one line: `N passed, M failed`.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
VENV="$ROOT/.venv-deploy"
OUT="$ROOT/target/deploy-check"
mkdir -p "$OUT"

passed=0
failed=0
pass() { passed=$((passed + 1)); printf 'PASS  %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'FAIL  %s\n' "$*"; }
finish() {
    echo
    echo "deploy: ${passed} passed, ${failed} failed"
    [ "$failed" -eq 0 ]
    exit
}
seconds() { echo $(( $(date +%s) - $1 )); }

# ------------------------------------------------------------------ tools
t0=$(date +%s)
stamp="$VENV/.requirements.sha256"
want="$(sha256sum deploy/requirements.txt | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    rm -rf "$VENV"
    if python3 -m venv "$VENV" >"$OUT/venv.log" 2>&1 \
        && "$VENV/bin/pip" install --quiet --upgrade pip >>"$OUT/venv.log" 2>&1 \
        && "$VENV/bin/pip" install --quiet -r deploy/requirements.txt >>"$OUT/venv.log" 2>&1; then
        echo "$want" >"$stamp"
    else
        tail -20 "$OUT/venv.log"
        fail "install .venv-deploy (deploy/requirements.txt)"
        finish
    fi
fi
export PATH="$VENV/bin:$PATH"
export SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
unset AWS_PROFILE AWS_SESSION_TOKEN
if ! (cd deploy && npm ci --no-audit --no-fund --loglevel=error >"$OUT/npm.log" 2>&1); then
    tail -20 "$OUT/npm.log"
    fail "npm ci in deploy/ (asl-validator)"
    finish
fi
if ! rustup target add aarch64-unknown-linux-gnu >"$OUT/rustup.log" 2>&1; then
    tail -5 "$OUT/rustup.log"
    fail "rustup target add aarch64-unknown-linux-gnu"
    finish
fi
missing=""
for tool in cfn-lint sam cargo-lambda moto_server; do
    command -v "$tool" >/dev/null || missing="$missing $tool"
done
[ -x deploy/node_modules/.bin/asl-validator ] || missing="$missing asl-validator"
if [ -n "$missing" ]; then
    fail "tools missing after install:$missing"
    finish
fi
pass "tools: cfn-lint $(cfn-lint --version | awk '{print $2}'), $(sam --version), cargo-lambda $(pip show cargo-lambda 2>/dev/null | awk '/^Version/{print $2}'), moto $(pip show moto 2>/dev/null | awk '/^Version/{print $2}'), asl-validator $(deploy/node_modules/.bin/asl-validator --version) ($(seconds "$t0") s)"

# ------------------------------------------------------------------ linters, and what they catch
# expect_clean NAME CMD...: CMD must succeed.
expect_clean() {
    local name="$1"; shift
    if "$@" >"$OUT/last.log" 2>&1; then
        pass "$name"
    else
        sed 's/^/      /' "$OUT/last.log" | tail -30
        fail "$name"
    fi
}
# expect_caught NAME NEEDLE CMD...: CMD must fail, saying NEEDLE (so it failed for the planted defect).
expect_caught() {
    local name="$1" needle="$2"; shift 2
    if "$@" >"$OUT/last.log" 2>&1; then
        fail "$name: the broken fixture passed"
    elif grep -q -- "$needle" "$OUT/last.log"; then
        pass "$name"
    else
        sed 's/^/      /' "$OUT/last.log" | tail -30
        fail "$name: failed, but not on the planted defect ($needle)"
    fi
}

asl="deploy/node_modules/.bin/asl-validator"
expect_clean "cfn-lint template.yaml" cfn-lint template.yaml
expect_caught "cfn-lint refuses deploy/fixtures/broken-template.yaml" NightlyStateMachin \
    cfn-lint deploy/fixtures/broken-template.yaml
expect_clean "sam validate --lint" sam validate --lint --template template.yaml
expect_caught "sam validate --lint refuses deploy/fixtures/broken-template.yaml" "Linting failed" \
    sam validate --lint --template deploy/fixtures/broken-template.yaml
for machine in statemachine/*.asl.json; do
    expect_clean "asl-validator $machine" "$asl" --json-path "$machine"
done
expect_caught "asl-validator refuses deploy/fixtures/broken.asl.json" Reconcil \
    "$asl" --json-path deploy/fixtures/broken.asl.json

# Checks no linter makes (placeholders, IAM against the code, parameter patterns).
"$VENV/bin/python" deploy/static_checks.py >"$OUT/static.log" 2>&1
cat "$OUT/static.log"
passed=$((passed + $(grep -c '^PASS' "$OUT/static.log")))
failed=$((failed + $(grep -c '^FAIL' "$OUT/static.log")))
grep -qE '^(PASS|FAIL)' "$OUT/static.log" || fail "deploy/static_checks.py ran no check"

# ------------------------------------------------------------------ the arm64 release build
t0=$(date +%s)
if cargo lambda build --release --arm64 --bin lightsail-export >"$OUT/build-arm64.log" 2>&1; then
    bootstrap=target/lambda/lightsail-export/bootstrap
    machine="$("$VENV/bin/python" -c 'import struct,sys; d=open(sys.argv[1],"rb").read(20); print(struct.unpack("<H", d[18:20])[0] if d[:4]==b"\x7fELF" else -1)' "$bootstrap" 2>/dev/null)"
    if [ "$machine" = "183" ]; then
        pass "cargo lambda build --release --arm64: $bootstrap, aarch64 ELF, $(stat -c %s "$bootstrap") bytes ($(seconds "$t0") s)"
    else
        fail "cargo lambda build --release --arm64: $bootstrap is not an aarch64 ELF (e_machine $machine)"
    fi
else
    tail -30 "$OUT/build-arm64.log"
    fail "cargo lambda build --release --arm64 ($(seconds "$t0") s)"
fi

# ------------------------------------------------------------------ sam build, as the README writes it
# SAM's rust-cargolambda builder runs the same `cargo lambda build --release --arm64 --bin
# lightsail-export` in the workspace's target/ (CARGO_TARGET_DIR from `cargo metadata`), so
# after the build above it compiles nothing again; stdin is closed, so a prompt fails the stage.
t0=$(date +%s)
rm -rf .aws-sam
if sam build </dev/null >"$OUT/sam-build.log" 2>&1; then
    if checked="$("$VENV/bin/python" deploy/static_checks.py --sam-build .aws-sam/build 2>&1)"; then
        pass "sam build: $checked ($(seconds "$t0") s)"
    else
        echo "$checked" | sed 's/^/      /'
        fail "sam build: what it produced ($(seconds "$t0") s)"
    fi
else
    tail -30 "$OUT/sam-build.log"
    fail "sam build ($(seconds "$t0") s)"
fi
# The same with a SAM CLI from before Rust builds left beta (1.150.0 asks "[y/N]" and, with no
# terminal, aborts): samconfig.toml's beta_features answers it. Its own venv, but the same
# cargo-lambda (first on PATH), so that the build stays the one above.
t0=$(date +%s)
OLD_SAM="$ROOT/.venv-sam-1.150"
if [ ! -x "$OLD_SAM/bin/sam" ]; then
    rm -rf "$OLD_SAM"
    python3 -m venv "$OLD_SAM" >"$OUT/venv-sam-old.log" 2>&1 \
        && "$OLD_SAM/bin/pip" install --quiet aws-sam-cli==1.150.0 >>"$OUT/venv-sam-old.log" 2>&1 \
        || { tail -20 "$OUT/venv-sam-old.log"; rm -rf "$OLD_SAM"; }
fi
if [ ! -x "$OLD_SAM/bin/sam" ]; then
    fail "install SAM CLI 1.150.0 into .venv-sam-1.150"
elif "$OLD_SAM/bin/sam" build --build-dir "$OUT/sam-1.150" </dev/null >"$OUT/sam-build-old.log" 2>&1 \
    && checked="$("$VENV/bin/python" deploy/static_checks.py --sam-build "$OUT/sam-1.150" 2>&1)"; then
    pass "sam build with SAM CLI 1.150.0 (Rust in beta, samconfig.toml opts in): $checked ($(seconds "$t0") s)"
else
    tail -30 "$OUT/sam-build-old.log"
    fail "sam build with SAM CLI 1.150.0 ($(seconds "$t0") s)"
fi

# ------------------------------------------------------------------ executed for real
t0=$(date +%s)
# The second build is what `cargo lambda watch` runs (`cargo run --bin lightsail-export`, the
# function's package alone): its dependencies' features differ from the workspace build's, so
# without it the watch scenario would compile hyper and the SDKs again while it waits.
if cargo build --workspace --bins >"$OUT/build-debug.log" 2>&1 \
    && cargo build --manifest-path Cargo.toml --bin lightsail-export >>"$OUT/build-debug.log" 2>&1; then
    "$VENV/bin/python" deploy/stepfunctions_moto.py --out "$OUT" 2>&1 | tee "$OUT/moto.log"
    passed=$((passed + $(grep -c '^PASS' "$OUT/moto.log")))
    failed=$((failed + $(grep -c '^FAIL' "$OUT/moto.log")))
    grep -qE '^(PASS|FAIL)' "$OUT/moto.log" || fail "deploy/stepfunctions_moto.py ran no scenario"
    echo "      (Step Functions and cargo lambda deploy scenarios: $(seconds "$t0") s)"
else
    tail -30 "$OUT/build-debug.log"
    fail "cargo build --workspace --bins, cargo build --bin lightsail-export (the function and the emulator for the moto runs)"
fi

finish
