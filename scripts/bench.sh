#!/usr/bin/env bash
# The fleet benchmark (BENCHMARKS.md), in one command:
#
#   ./scripts/bench.sh           # builds the release arm64 Lambda binary (cargo lambda, in .venv-bench),
#                                # runs every case (a few minutes), rewrites BENCHMARKS.md's numbers and
#                                # benches/charts/*.svg
#   ./scripts/bench.sh --quick   # CI: a small matrix in the dev profile (it reuses the test build); fails
#                                # when a round fails or a call-count check breaks; writes under target/ only
#   ./scripts/bench.sh --night   # the night benchmark (benches/night) alone: 2,000 targets over 3 regions,
#                                # loop against fan-out; rewrites BENCHMARKS.md's "A night over three regions"
#
# Extra arguments go to the benchmark: --runs N (default 5), --page-size N (default 20).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ "${1:-}" = "--quick" ]; then
  shift
  cargo bench --profile dev --all-features --bench fleet -- --quick "$@"
  exec cargo bench --profile dev --all-features --bench night -- --quick
fi
if [ "${1:-}" = "--night" ]; then
  exec cargo bench --all-features --bench night
fi

# cargo-lambda from PyPI brings zig, which links for aarch64 without a cross toolchain.
venv=.venv-bench
if [ ! -x "$venv/bin/cargo-lambda" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet cargo-lambda
fi
rustup target add aarch64-unknown-linux-gnu >/dev/null
PATH="$PWD/$venv/bin:$PATH" cargo lambda build --release --arm64 --bin lightsail-export
cargo bench --bench fleet -- --lambda-binary target/lambda/lightsail-export/bootstrap "$@"
cargo bench --all-features --bench night
