#!/usr/bin/env bash
# Where the EC2 side runs (BENCHMARKS.md, "Where the EC2 side runs"): the size of the release
# arm64 Lambda binaries, and how fast each process is ready, for the two placements:
#   - inside the nightly function (what ships): target/lambda/lightsail-export/bootstrap
#   - a second small function (examples/ec2_step.rs): target/lambda/ec2_step/bootstrap
# "Ready" is the time from spawning the (host, release) binary to its first request to a fake
# Lambda Runtime API: the cold start's own part, no network. Median and slowest of 15 starts.
#
#   ./scripts/placement.sh        (needs cargo-lambda: .venv-deploy from deploy/check.sh, or PATH)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$PWD/.venv-deploy/bin:$PWD/.venv-bench/bin:$PATH"
command -v cargo-lambda >/dev/null || { echo "cargo-lambda is missing (run deploy/check.sh first)"; exit 1; }

# cargo lambda builds one kind of target at a time: the function, then the example.
cargo lambda build --release --arm64 --bin lightsail-export >/dev/null
cargo lambda build --release --arm64 --example ec2_step >/dev/null
cargo build --release --bin lightsail-export --example ec2_step >/dev/null 2>&1
python3 - <<'PY'
import http.server, os, statistics, subprocess, threading, time

class Next(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.seen.set()
        time.sleep(0.2)
        self.send_response(500)
        self.end_headers()
    def log_message(self, *args):
        pass

def ready(binary):
    times, rss = [], []
    for _ in range(15):
        server = http.server.HTTPServer(("127.0.0.1", 0), Next)
        server.seen = threading.Event()
        threading.Thread(target=server.serve_forever, daemon=True).start()
        env = {"AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{server.server_address[1]}",
               "AWS_LAMBDA_FUNCTION_NAME": "f", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
               "AWS_LAMBDA_FUNCTION_VERSION": "1", "AWS_REGION": "us-east-1",
               "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "TARGET_TAG": "export"}
        start = time.perf_counter()
        p = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        server.seen.wait(10)
        times.append((time.perf_counter() - start) * 1000)
        with open(f"/proc/{p.pid}/status") as status:
            rss += [int(l.split()[1]) / 1024 for l in status if l.startswith("VmRSS")]
        p.kill(); p.wait(); server.shutdown()
    return statistics.median(times), max(times), statistics.median(rss)

for name, host, arm in [("inside the nightly function", "target/release/lightsail-export", "target/lambda/lightsail-export/bootstrap"),
                        ("second function (examples/ec2_step.rs)", "target/release/examples/ec2_step", "target/lambda/ec2_step/bootstrap")]:
    median, slowest, rss = ready(host)
    size = os.path.getsize(arm)
    print(f"| {name} | {size / 1e6:.2f} MB ({size} bytes) | {median:.1f} ms | {slowest:.1f} ms | {rss:.1f} MB |")
PY
