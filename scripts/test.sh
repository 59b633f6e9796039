#!/usr/bin/env bash
# Every test of the project, from a fresh clone, installing what it needs under the repo.
#
#   ./scripts/test.sh
#
# Each stage fails (never skips) when a tool it needs cannot be installed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

stages=0
stage() { stages=$((stages + 1)); printf '\n== %s\n' "$*"; }

stage "toolchain"
rustup component add rustfmt clippy >/dev/null 2>&1 || true
cargo fmt --version >/dev/null || { echo "rustfmt is missing"; exit 1; }
cargo clippy --version >/dev/null || { echo "clippy is missing"; exit 1; }

stage "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --all-features -- -D warnings

stage "unit and integration tests (function and emulator)"
cargo test --workspace --all-features

stage "guess matrix: the pipeline tests once per non-default value of every emulator switch (scripts/guess-matrix.sh)"
./scripts/guess-matrix.sh

stage "supply chain: cargo deny check licenses bans sources (deny.toml; cargo-deny installed under .tools/)"; [ -x .tools/bin/cargo-deny ] || cargo install --locked --root .tools cargo-deny@0.20.2; .tools/bin/cargo-deny --locked check licenses bans sources

stage "emulator conformance: AWS CLI against botocore's Lightsail model"
bash emulator/conformance/run.sh

stage "local run of the demo (the README's first command)"
out="$(cargo local run --emulator demo --output json)"
python3 - "$out" <<'PY'
import json, sys
output = json.loads(sys.argv[1])
assert output["status"] == "SUCCEEDED", output["status"]
assert all(t["exportRecord"]["destination"]["id"] for t in output["targets"]), output
for t in output["targets"]:
    assert t["phase"] != "EXPORTED" or t["exportRecord"]["ec2"]["state"] in ("available", "completed"), t
# Three nights under EC2_KEEP=2 (the demo's): the first night's exports were retired, so what is
# kept is two nights' GiB. (`retired` lists the final round's retirements only, and on the last
# night the retiring round is followed by the restore drills' rounds.)
tonight = sum(t["exportRecord"]["ec2"]["sizeGiB"] for t in output["targets"])
assert output["cost"]["ec2SnapshotGiB"] == 2 * tonight, (output.get("cost"), tonight)
retired = 3 * tonight - output["cost"]["ec2SnapshotGiB"]
drills = [t["restoreTest"] for t in output["targets"] if t.get("restoreTest")]
assert sorted(d["state"] for d in drills) == ["PASSED", "PASSED"], drills
assert output["summary"]["restoreTests"]["passed"] == 2, output["summary"]
print(f"demo: {output['summary']['exported']} of {output['summary']['total']} exported, every one verified in EC2; {retired} GiB of older exports retired; {len(drills)} restore drills PASSED; {output['cost']['estimatedMonthlyUsd']} USD a month")
PY

stage "local run of the demo over 40 nights under a schedule, with the archive tier (docs/operations.md)"
out="$(EC2_KEEP_DAILY=7 EC2_KEEP_WEEKLY=4 EC2_ARCHIVE_AFTER=14d cargo local run --emulator demo --nights 40 --output json)"
python3 - "$out" <<'PY'
import json, sys
output = json.loads(sys.argv[1])
assert output["status"] == "SUCCEEDED", output["status"]
# The last night, 2026-12-31 (a Thursday): daily 7 (12-25 to 12-31) and weekly 4 (12-31, 12-27,
# 12-20, 12-13): 9 exports per target, however many of the 40 nights came before.
for t in output["targets"]:
    kept = t["kept"]
    assert sum(e.get("count", 1) for e in kept) == 9, (t["resource"], kept)
    assert kept[0]["rules"][0] == "tonight", kept
    assert t.get("retiredTonight"), t["resource"]
archived = [(t["resource"], e) for t in output["targets"] for e in t["kept"] if e.get("tier")]
assert [r for r, _ in archived] == ["data-disk"], archived  # a disk's weekly export; never an AMI's
assert archived[0][1]["tier"] == "archive" and archived[0][1]["rules"] == ["weekly"], archived
assert output["cost"]["ec2ArchiveGiB"] > 0, output["cost"]
print(f"demo, 40 nights: 9 exports kept per target of 40, {archived[0][1]['id']} in the archive tier, {output['cost']['ec2ArchiveGiB']} GiB archived, {output['cost']['estimatedMonthlyUsd']} USD a month")
PY

stage "deployment: SAM template and state machine linted, arm64 build, the state machine run by moto against the function (deploy/check.sh)"; ./deploy/check.sh
stage "fleet benchmark, quick mode: every kind of round at small scale, calls within their bounds (BENCHMARKS.md)"; ./scripts/bench.sh --quick

# Reached only when every stage passed (set -e).
printf '\nstages: %d passed, 0 failed\n' "$stages"
