#!/usr/bin/env python3
"""The shipped state machines, executed for real: moto's Step Functions interpreter runs
statemachine/nightly-export.asl.json (the loop), statemachine/nightly-fanout.asl.json (the
fan-out) and statemachine/launch-nightly.asl.json (the launcher), and their Lambda tasks invoke
the real function through `cargo lambda watch`, which talks to the Lightsail emulator.

    moto (Step Functions, SNS, SQS)  --Lambda Invoke / SNS Publish-->  proxy (this file)
        proxy --Invoke--> cargo lambda watch (Lambda APIs) --Runtime API--> the function (debug build)
        the function --Lightsail API--> lightsail-emulator
        proxy --anything else--> moto

moto sends every call of a task (Lambda, SNS) to http://localhost:$MOTO_PORT, so MOTO_PORT is the
proxy's port. The proxy routes Lambda's Invoke to `cargo lambda watch` and everything else back to
moto, and turns `cargo lambda watch`'s HTTP 500 for a function error into what Lambda answers
(HTTP 200 + `X-Amz-Function-Error: Unhandled`, the `{errorType, errorMessage}` body), without
which no `Retry`/`Catch` on an error name could ever match.

For the Step Functions runs `cargo lambda watch` runs with --only-lambda-apis and the function
binary is started here against its Runtime API, with exactly this script's environment. A last
scenario runs `watch` in full, as the README does, against a second emulator named by
`--env-file` and then by the shell's environment.

The ASL files are used as shipped: only their DefinitionSubstitutions are filled in (the function's
bare name, since moto invokes by name through the proxy, and the moto topic's ARN), with one
exception: moto's interpreter has no `ItemBatcher`, so the fan-out runs with the same batches made
by a Pass state (`States.ArrayPartition`) and handed to each iteration, as `{"Items",
"BatchInput"}`, by an `ItemSelector` (`without_item_batcher`); the shipped definition itself is
checked by asl-validator (deploy/check.sh). moto runs as deploy/moto_server.py: moto's server with
one fix to its interpreter, without which the launcher's StartExecution task cannot run (see
that file). Waits are
short through the data only: the function's NEXT_CHECK_SECONDS is 1 and the emulator's clock runs
1200x; the Retry intervals are the shipped ones (2 s, doubling, full jitter).

Prints one line per scenario and exits non-zero if any failed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
from botocore.config import Config as BotoConfig

ROOT = Path(__file__).resolve().parent.parent
ASL = ROOT / "statemachine" / "nightly-export.asl.json"
FANOUT_ASL = ROOT / "statemachine" / "nightly-fanout.asl.json"
LAUNCHER_ASL = ROOT / "statemachine" / "launch-nightly.asl.json"
# The fan-out's settings in these runs: small batches, so that two regions' five targets make
# three batches, two at a time.
FANOUT_SETTINGS = {"MaxItemsPerBatch": "2", "MaxConcurrency": "2", "ToleratedFailurePercentage": "0"}
EVENTS = ROOT / "events"
FUNCTION = "lightsail-export"
REGION = "us-east-1"
ACCOUNT = "123456789012"
INVOKE_PATH = re.compile(r"^/2015-03-31/functions/([^/]+)/invocations$")


def log(message: str) -> None:
    print(f"  [moto] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, probe, timeout: float, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = probe()
            if value:
                return value
        except Exception as error:  # noqa: BLE001 - any failure means "not yet"
            last_error = error
        time.sleep(interval)
    raise TimeoutError(f"{what}: not ready after {timeout:.0f} s (last error: {last_error})")


# --------------------------------------------------------------------------- the proxy


class Invocations:
    """Every Invoke the proxy passed on, for the scenarios' checks."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: list[dict] = []

    def add(self, item: dict) -> None:
        with self.lock:
            self.items.append(item)

    def since(self, start: int) -> list[dict]:
        with self.lock:
            return list(self.items[start:])

    def count(self) -> int:
        with self.lock:
            return len(self.items)


def make_proxy(moto_port: int, watch_port: int, invocations: Invocations):
    hop_by_hop = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}

    class Proxy(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):  # noqa: A002 - quiet
            pass

        def _forward(self, port: int, timeout: float):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k: v for k, v in self.headers.items() if k.lower() not in hop_by_hop}
            headers["Host"] = f"127.0.0.1:{port}"
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                response = conn.getresponse()
                return body, response.status, response.getheaders(), response.read()
            finally:
                conn.close()

        def _reply(self, status: int, headers, payload: bytes) -> None:
            self.send_response(status)
            for key, value in headers:
                if key.lower() not in hop_by_hop:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _handle(self):
            match = INVOKE_PATH.match(self.path.split("?", 1)[0])
            try:
                if match and self.command == "POST":
                    self._invoke(match.group(1))
                else:
                    _, status, headers, payload = self._forward(moto_port, 60)
                    self._reply(status, headers, payload)
            except Exception as error:  # noqa: BLE001
                self._reply(502, [("Content-Type", "text/plain")], f"proxy: {error}".encode())

        def _invoke(self, function: str):
            started = time.monotonic()
            request, status, headers, payload = self._forward(watch_port, 900)
            error_type = None
            headers = [(k, v) for k, v in headers if k.lower() != "x-amz-function-error"]
            if status >= 500 or status == 200 and b'"errorType"' in payload[:200]:
                # cargo lambda watch answers a function error with HTTP 500; Lambda with 200 and
                # X-Amz-Function-Error, the {errorType, errorMessage} body unchanged.
                try:
                    error_type = json.loads(payload).get("errorType")
                except (ValueError, AttributeError):
                    error_type = None
                if error_type is not None:
                    status = 200
                    headers.append(("X-Amz-Function-Error", "Unhandled"))
            if status == 200:
                headers.append(("X-Amz-Executed-Version", "$LATEST"))
            try:
                output_status = None if error_type else json.loads(payload).get("status")
            except (ValueError, AttributeError):
                output_status = None
            invocations.add(
                {
                    "function": function,
                    "httpStatus": status,
                    "errorType": error_type,
                    "status": output_status,
                    "input": request[:300].decode(errors="replace"),
                    "seconds": round(time.monotonic() - started, 2),
                }
            )
            self._reply(status, headers, payload)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request, client_address):
            # A client that hangs up (boto3 closing a pooled connection) is not an error.
            if not isinstance(sys.exc_info()[1], ConnectionError):
                super().handle_error(request, client_address)

    return Server(("127.0.0.1", 0), Proxy)


# --------------------------------------------------------------------------- the processes


class Stack:
    """The emulator, moto, the proxy and cargo lambda watch, started and stopped together."""

    def __init__(self, args) -> None:
        self.args = args
        self.processes: list[subprocess.Popen] = []
        self.invocations = Invocations()
        self.out = Path(args.out)
        self.out.mkdir(parents=True, exist_ok=True)

    def _spawn(self, name: str, command: list[str], env=None, stdout=None) -> subprocess.Popen:
        logfile = open(self.out / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=stdout if stdout is not None else logfile,
            stderr=logfile,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def start(self) -> None:
        # The Lightsail emulator, standalone.
        emulator = self._spawn(
            "emulator",
            [self.args.emulator, "--scenario", str(self.args.scenario), "--port", "0"],
            stdout=subprocess.PIPE,
        )
        line = emulator.stdout.readline().decode().strip()
        match = re.match(r"listening on (http://\S+)", line)
        if not match:
            raise RuntimeError(f"lightsail-emulator said {line!r}, see {self.out}/emulator.log")
        self.emulator_url = match.group(1)
        log(f"Lightsail emulator at {self.emulator_url}")

        # moto, told to call the proxy for every task.
        self.moto_port = free_port()
        self.watch_port = free_port()
        self.proxy = make_proxy(self.moto_port, self.watch_port, self.invocations)
        self.proxy_port = self.proxy.server_address[1]
        threading.Thread(target=self.proxy.serve_forever, daemon=True).start()
        env = dict(os.environ, MOTO_PORT=str(self.proxy_port))
        self._spawn("moto", [sys.executable, self.args.moto_server, "-H", "127.0.0.1", "-p", str(self.moto_port)], env=env)
        self.moto_url = f"http://127.0.0.1:{self.moto_port}"
        wait_for("moto", lambda: urllib.request.urlopen(f"{self.moto_url}/moto-api/", timeout=2).status == 200, 60)
        request = urllib.request.Request(
            f"{self.moto_url}/moto-api/config",
            data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
            method="POST",
        )
        urllib.request.urlopen(request, timeout=10).read()
        log(f"moto at {self.moto_url} (execute_state_machine on), its tasks go to the proxy on :{self.proxy_port}")

        # The function, behind cargo lambda watch's Lambda APIs (--only-lambda-apis): the binary
        # is started here, with exactly this environment, against the watch's Runtime API.
        self._spawn(
            "cargo-lambda-watch",
            [
                "cargo", "lambda", "watch", "--only-lambda-apis",
                "--invoke-address", "127.0.0.1", "--invoke-port", str(self.watch_port),
            ],
        )
        started = time.monotonic()

        def listening():
            with socket.create_connection(("127.0.0.1", self.watch_port), timeout=1):
                return True

        wait_for("cargo lambda watch", listening, self.args.watch_timeout)
        function_env = {
            "AWS_LAMBDA_RUNTIME_API": f"http://127.0.0.1:{self.watch_port}/.rt/{FUNCTION}",
            "AWS_LAMBDA_FUNCTION_NAME": FUNCTION,
            "AWS_LAMBDA_FUNCTION_VERSION": "1",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
            "AWS_ENDPOINT_URL_LIGHTSAIL": self.emulator_url,
            "AWS_ENDPOINT_URL_EC2": self.emulator_url,
            # The doctor's GetCallerIdentity, GetRole and SimulatePrincipalPolicy: the emulator
            # answers STS and IAM too.
            "AWS_ENDPOINT_URL_STS": self.emulator_url,
            "AWS_ENDPOINT_URL_IAM": self.emulator_url,
            # As the template passes its ScheduleExpression and ScheduleTimezone.
            "SCHEDULE_EXPRESSION": "cron(0 7 * * ? *)",
            "SCHEDULE_TIMEZONE": "UTC",
            "AWS_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "TARGET_TAG": "export=nightly",
            "NEXT_CHECK_SECONDS": "1",
            # The deployed binary reads the system clock (the emulator's runs 1200x faster), so
            # this is 5 real seconds: scenario_ec2_unreachable's night ends within seconds; no
            # other scenario fails transiently at the target level.
            "MAX_RETRY_WINDOW": "5s",
            "RUST_LOG": "info",
        }
        self._spawn("function", [self.args.function], env=dict(os.environ, **function_env))

        def warm():
            # A bad input makes no Lightsail call: it only proves the function answers.
            lam = self.client("lambda", self.proxy_port)
            response = lam.invoke(FunctionName=FUNCTION, Payload=b'{"warmUp": true}')
            return response.get("FunctionError") == "Unhandled"

        wait_for("the function behind cargo lambda watch", warm, 60, 1.0)
        log(f"cargo lambda watch on :{self.watch_port} answered after {time.monotonic() - started:.1f} s")
        self.invocations.items.clear()

        self.sfn = self.client("stepfunctions")
        self.sns = self.client("sns")
        self.sqs = self.client("sqs")
        self.topic_arn = self.sns.create_topic(Name="lightsail-export-failures")["TopicArn"]
        self.queue_url = self.sqs.create_queue(QueueName="failure-mail")["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        self.sns.subscribe(
            TopicArn=self.topic_arn,
            Protocol="sqs",
            Endpoint=queue_arn,
            Attributes={"RawMessageDelivery": "true"},
        )

        # The shipped definitions; only their DefinitionSubstitutions filled in (and the fan-out's
        # ItemBatcher made by hand, see the module's comment).
        common = {"ReconcileFunctionArn": FUNCTION, "FailureTopicArn": self.topic_arn}
        self.state_machine_arn = self.create_machine("lightsail-export-nightly", substituted(ASL, common))
        fanout = json.loads(substituted(FANOUT_ASL, dict(common, **FANOUT_SETTINGS)))
        self.fanout_arn = self.create_machine("lightsail-export-nightly-fanout", json.dumps(without_item_batcher(fanout)))
        launcher = substituted(LAUNCHER_ASL, {"NightlyStateMachineArn": self.state_machine_arn})
        self.launcher_arn = self.create_machine("lightsail-export-launcher", launcher)

    def create_machine(self, name: str, definition: str) -> str:
        return self.sfn.create_state_machine(
            name=name,
            definition=definition,
            roleArn=f"arn:aws:iam::{ACCOUNT}:role/lightsail-export-workflow",
        )["stateMachineArn"]

    def client(self, service: str, port: int | None = None):
        return boto3.client(
            service,
            region_name=REGION,
            endpoint_url=f"http://127.0.0.1:{port or self.moto_port}",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=BotoConfig(retries={"max_attempts": 1}, read_timeout=900),
        )

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        if hasattr(self, "proxy"):
            self.proxy.shutdown()

    # ---- emulator admin
    def admin(self, method: str, path: str, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.emulator_url}/_emulator/{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"null")

    def reset_world(self, faults: dict | None = None) -> None:
        self.admin("POST", "reset")
        if faults:
            self.admin("PUT", "faults", faults)
        # Drain the failure "mailbox".
        while self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages"):
            self.sqs.purge_queue(QueueUrl=self.queue_url)


def substituted(path: Path, substitutions: dict) -> str:
    """The shipped definition with its DefinitionSubstitutions filled in, as CloudFormation does."""
    text = path.read_text()
    for key, value in substitutions.items():
        text = text.replace("${" + key + "}", value)
    left = re.findall(r"\$\{[^}]*\}", text)
    if left:
        raise RuntimeError(f"{path.name}: placeholders without a substitution: {left}")
    return text


def without_item_batcher(definition: dict) -> dict:
    """The fan-out for moto, whose interpreter has no ItemBatcher: a Pass state before the Map
    partitions the items as ItemBatcher would (States.ArrayPartition by MaxItemsPerBatchPath),
    and the Map's ItemSelector hands each iteration {"Items": <its batch>, "BatchInput": <the
    ItemBatcher's BatchInput, evaluated against the Map's input>}, which is what ItemBatcher
    gives it. Everything else, the ItemProcessor included, is the shipped definition."""
    states = definition["States"]
    [(name, map_state)] = [(n, s) for n, s in states.items() if s["Type"] == "Map"]
    batcher = map_state.pop("ItemBatcher")
    partition = f"{name}: partition (test only)"
    states[partition] = {
        "Type": "Pass",
        "Parameters": {"batches.$": f"States.ArrayPartition({map_state['ItemsPath']}, {batcher['MaxItemsPerBatchPath']})"},
        "ResultPath": "$.partition",
        "Next": name,
    }
    for other, state in states.items():
        if other != partition and state.get("Next") == name:
            state["Next"] = partition
    map_state["ItemsPath"] = "$.partition.batches"
    map_state["ItemSelector"] = {"Items.$": "$$.Map.Item.Value", "BatchInput": batcher["BatchInput"]}
    return definition


def start_execution(stack: Stack, name: str, event_file: str) -> str:
    payload = (EVENTS / event_file).read_text()
    return stack.sfn.start_execution(stateMachineArn=stack.state_machine_arn, name=name, input=payload)[
        "executionArn"
    ]


def finish(stack: Stack, execution_arn: str, timeout: float) -> tuple[dict, list[dict]]:
    def done():
        described = stack.sfn.describe_execution(executionArn=execution_arn)
        return described if described["status"] != "RUNNING" else None

    described = wait_for(f"execution {execution_arn}", done, timeout, 0.3)
    history = stack.sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
    return described, history


def entered(history: list[dict]) -> list[str]:
    names = []
    for event in history:
        details = event.get("stateEnteredEventDetails")
        if details:
            names.append(details["name"])
    return names


def task_errors(history: list[dict]) -> list[str]:
    return [e["taskFailedEventDetails"].get("error") for e in history if e.get("taskFailedEventDetails")]


def last_cause(history: list[dict]) -> str:
    """The cause of the last failure in the history, to say why a run failed."""
    for event in reversed(history):
        for key, details in event.items():
            if key.endswith("FailedEventDetails") and isinstance(details, dict) and details.get("cause"):
                return f"{details.get('error')}: {details['cause'][:600]}"
    return ""


def failure_messages(stack: Stack, wait: float = 5.0) -> list[dict]:
    deadline = time.monotonic() + wait
    messages = []
    while time.monotonic() < deadline and not messages:
        got = stack.sqs.receive_message(QueueUrl=stack.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in got.get("Messages", []):
            messages.append(json.loads(message["Body"]))
            # Deleted once read: a message only received comes back after its visibility
            # timeout (30 s), into a later scenario's mailbox.
            stack.sqs.delete_message(QueueUrl=stack.queue_url, ReceiptHandle=message["ReceiptHandle"])
    return messages


def describe(described: dict, history: list[dict], stack: Stack, since: int) -> str:
    calls = stack.invocations.since(since)
    return (
        f"status {described['status']}, states {entered(history)}, task errors {task_errors(history)}, "
        f"invocations {[(c['status'] or c['errorType']) for c in calls]}, last failure {last_cause(history)!r}"
    )


# --------------------------------------------------------------------------- the scenarios


def scenario_nightly(stack: Stack) -> str:
    stack.reset_world()
    since = stack.invocations.count()
    arn = start_execution(stack, "nightly", "stepfunctions-start.json")
    described, history = finish(stack, arn, stack.args.run_timeout)
    summary = describe(described, history, stack, since)
    assert described["status"] == "SUCCEEDED", summary
    output = json.loads(described["output"])
    (stack.out / "sample-execution-output.json").write_text(json.dumps(output, indent=2) + "\n")
    assert output["status"] == "SUCCEEDED", output
    targets = {t["resource"]: t for t in output["targets"]}
    assert sorted(targets) == ["data-disk", "web-1"], targets
    web = targets["web-1"]
    assert web["autoSnapshotDate"] == "2026-11-21", web
    assert web["exportRecord"]["state"] == "Succeeded", web
    assert web["exportRecord"]["destination"]["id"].startswith("ami-"), web
    assert web["exportRecord"]["destination"]["service"] == "Aws::EC2::Image", web
    assert targets["data-disk"]["exportRecord"]["destination"]["id"].startswith("snap-"), targets
    states = entered(history)
    rounds = states.count("Reconcile")
    assert rounds >= 3 and states.count("Wait for Lightsail") == rounds - 1, states
    assert states[-1] == "Exported" and "Notify failure" not in states, states
    writes = stack.admin("GET", "writes")
    exports = [w for w in writes if w["operation"] == "ExportSnapshot" and w["applied"]]
    assert len(exports) == 2, writes
    return f"SUCCEEDED after {rounds} rounds, web-1 -> {web['exportRecord']['destination']['id']}"


def failed_night(stack: Stack, name: str, faults: dict) -> tuple[list[dict], list[str], dict]:
    """A loop night under `faults` that must end FAILED through Notify failure -> Failed: its
    history, the states entered, and the one SNS message (the last round's output)."""
    stack.reset_world(faults)
    since = stack.invocations.count()
    arn = start_execution(stack, name, "stepfunctions-start.json")
    described, history = finish(stack, arn, stack.args.run_timeout)
    summary = describe(described, history, stack, since)
    assert described["status"] == "FAILED", summary
    states = entered(history)
    assert states[-2:] == ["Notify failure", "Failed"], summary
    messages = failure_messages(stack)
    assert len(messages) == 1, messages
    assert messages[0]["status"] == "FAILED", messages[0]
    return history, states, messages[0]


def scenario_export_fails(stack: Stack) -> str:
    history, _, last = failed_night(stack, "export-fails", {"failExportsFor": ["web-1"]})
    failed = [e for e in history if e.get("executionFailedEventDetails")]
    assert failed and failed[-1]["executionFailedEventDetails"]["error"] == "LightsailExportFailed", failed
    published = [e for e in history if e["type"] == "TaskSucceeded" and e["taskSucceededEventDetails"]["resourceType"] == "sns"]
    assert published, "no SNS publish in the history"
    web = next(t for t in last["targets"] if t["resource"] == "web-1")
    disk = next(t for t in last["targets"] if t["resource"] == "data-disk")
    assert web["phase"] == "FAILED" and web["error"]["type"] == "ExportFailed", web
    assert disk["phase"] == "EXPORTED", disk
    exports = [w for w in stack.admin("GET", "writes") if w["operation"] == "ExportSnapshot" and w["target"].startswith("web-1")]
    return f"FAILED through Notify failure -> Failed after {len(exports)} failed exports of web-1; SNS message received ({web['error']['type']})"


def scenario_ec2_unreachable(stack: Stack) -> str:
    # Lightsail answers, EC2 closes every connection unanswered: the exports succeed, but no AMI
    # or EBS snapshot can be looked at. Each target stays in progress (Retryable, failingSince)
    # for MAX_RETRY_WINDOW, then FAILS RetryWindowExceeded: the night ends, not at the 12-hour
    # timeout, and its last output (in the SNS message) reports every target.
    history, states, last = failed_night(stack, "ec2-unreachable", {"ec2Unreachable": True})
    assert "Retryable" not in task_errors(history), task_errors(history)
    targets = {t["resource"]: t for t in last["targets"]}
    assert sorted(targets) == ["data-disk", "web-1"], targets
    for name, target in targets.items():
        assert target["phase"] == "FAILED", target
        assert target["error"]["type"] == "RetryWindowExceeded", target
        assert "last error: Describe" in target["error"]["message"], target
        assert target["failingSince"], target
        assert target["exportRecord"]["state"] == "Succeeded", target
    rounds = states.count("Reconcile")
    return f"FAILED after {rounds} rounds, every target RetryWindowExceeded with its export record; SNS message received"


def scenario_throttled(stack: Stack) -> str:
    stack.reset_world({"seed": 1, "throttleRate": 1.0, "operations": ["GetExportSnapshotRecords"]})
    since = stack.invocations.count()
    arn = start_execution(stack, "throttled", "stepfunctions-start.json")

    def retried_twice():
        return sum(1 for c in stack.invocations.since(since) if c["errorType"] == "Retryable") >= 2

    wait_for("two Retryable rounds", retried_twice, 120, 0.2)
    stack.admin("PUT", "faults", {})  # Lightsail recovers
    described, history = finish(stack, arn, stack.args.run_timeout)
    summary = describe(described, history, stack, since)
    assert described["status"] == "SUCCEEDED", summary
    errors = task_errors(history)
    assert errors.count("Retryable") >= 2, summary
    states = entered(history)
    assert "Notify failure" not in states and states[-1] == "Exported", summary
    calls = stack.admin("GET", "calls")
    output = json.loads(described["output"])
    assert all(t["phase"] == "EXPORTED" for t in output["targets"]), output
    return (
        f"SUCCEEDED through Retry after {errors.count('Retryable')} Retryable failures "
        f"({calls.get('GetExportSnapshotRecords')} GetExportSnapshotRecords calls)"
    )


def scenario_dry_run(stack: Stack) -> str:
    stack.reset_world()
    since = stack.invocations.count()
    arn = start_execution(stack, "dry-run", "dry-run.json")
    described, history = finish(stack, arn, stack.args.run_timeout)
    summary = describe(described, history, stack, since)
    assert described["status"] == "SUCCEEDED", summary
    states = entered(history)
    assert states == ["Reconcile", "Done?", "Dry run done"], summary
    output = json.loads(described["output"])
    assert output["dryRun"] is True and output["status"] == "IN_PROGRESS", output
    assert any("CopySnapshot" in t["actions"] for t in output["targets"]), output
    writes = stack.admin("GET", "writes")
    assert writes == [], writes
    return "one round, ended by the Choice's dryRun guard, no Lightsail write"


def scenario_doctor(stack: Stack) -> str:
    """`{"doctor": true}` sent as the console's Test button sends it (Lambda Invoke): the deployed
    binary's checklist of the emulator's account, read-only."""
    stack.reset_world()
    lam = stack.client("lambda", stack.proxy_port)
    response = lam.invoke(FunctionName=FUNCTION, Payload=b'{"doctor": true}')
    assert "FunctionError" not in response, response
    report = json.loads(response["Payload"].read())["doctor"]
    checks = {(c["check"], c.get("subject")): c for c in report["checks"]}
    assert report["account"] == "123456789012", report
    assert checks[("credentials", None)]["status"] == "ok", report
    assert checks[("targets", None)]["status"] == "ok", report
    # Inside Lambda the credentials are the function's role: its permissions are simulated.
    assert checks[("permissions", None)]["status"] == "ok", report
    assert ("serviceLinkedRole", None) in checks, report
    schedules = [c for (check, _), c in checks.items() if check == "schedule"]
    assert schedules and all(c["status"] == "ok" for c in schedules), schedules
    switches = [g["switch"] for g in report["guesses"]]
    catalog = [s["name"] for s in stack.admin("GET", "switches/catalog")]
    assert switches == catalog, (switches, catalog)
    writes = stack.admin("GET", "writes")
    assert writes == [], writes
    named = sum(1 for g in report["guesses"] if g["value"] is not None)
    return f"status {report['status']}, {len(report['checks'])} checks, {named} of {len(switches)} switches named, no write"


def scenario_bad_input(stack: Stack) -> str:
    stack.reset_world()
    since = stack.invocations.count()
    arn = start_execution(stack, "bad-input", "bad-input.json")
    described, history = finish(stack, arn, stack.args.run_timeout)
    summary = describe(described, history, stack, since)
    assert described["status"] == "FAILED", summary
    assert task_errors(history) == ["InvalidInput"], summary
    assert len(stack.invocations.since(since)) == 1, "InvalidInput must not be retried: " + summary
    assert entered(history) == ["Reconcile", "Notify failure", "Failed"], summary
    messages = failure_messages(stack)
    assert len(messages) == 1 and messages[0]["error"]["Error"] == "InvalidInput", messages
    return "InvalidInput not retried, caught, notified, Failed"


def load_world(stack: Stack, path: Path) -> None:
    """Replaces the emulator's world (and what its reset goes back to)."""
    request = urllib.request.Request(f"{stack.emulator_url}/_emulator/scenario", data=path.read_bytes(), method="POST")
    urllib.request.urlopen(request, timeout=10).read()


def fanout_run(stack: Stack, name: str, faults: dict | None = None) -> tuple[dict, list[dict], int, list[dict]]:
    """The fan-out over the two-region world, with `faults`: the execution, its history, the
    invocations before it, and the emulator's writes (read before the nightly world is back)."""
    load_world(stack, ROOT / "deploy/scenarios/fanout.yaml")
    try:
        stack.reset_world(faults)
        since = stack.invocations.count()
        payload = (EVENTS / "fanout-start.json").read_text()
        arn = stack.sfn.start_execution(stateMachineArn=stack.fanout_arn, name=name, input=payload)["executionArn"]
        described, history = finish(stack, arn, stack.args.run_timeout)
        return described, history, since, stack.admin("GET", "writes")
    finally:
        load_world(stack, Path(stack.args.scenario))


def exports_by_region(stack_writes: list[dict]) -> dict:
    exports = [w for w in stack_writes if w["operation"] == "ExportSnapshot" and w["applied"]]
    by_region: dict = {}
    for write in exports:
        by_region.setdefault(write["region"], []).append(write["target"])
    return by_region


def scenario_fanout(stack: Stack) -> str:
    described, history, since, writes = fanout_run(stack, "fanout")
    summary = describe(described, history, stack, since)
    assert described["status"] == "SUCCEEDED", summary
    output = json.loads(described["output"])
    (stack.out / "sample-fanout-output.json").write_text(json.dumps(output, indent=2) + "\n")
    assert output["status"] == "SUCCEEDED", output
    assert output["summary"] == {"total": 5, "exported": 5, "inProgress": 0, "failed": 0}, output
    by_region = output["summaryByRegion"]
    assert by_region["us-east-1"]["total"] == 2 and by_region["eu-west-1"]["total"] == 3, by_region
    assert output["targets"] == [] and output["targetsOmitted"] == 5, output
    assert "cost" in output and output["cost"]["ec2SnapshotGiB"] > 0, output
    states = entered(history)
    assert states[0] == "Plan" and states[-1] == "Exported" and "Aggregate" in states, states
    exports = exports_by_region(writes)
    every = sorted(t for targets in exports.values() for t in targets)
    assert len(every) == 5 and len(set(every)) == 5, f"one export per target: {exports}"
    assert len(exports.get("eu-west-1", [])) == 3 and len(exports.get("us-east-1", [])) == 2, exports
    calls = stack.invocations.since(since)
    batches = [c for c in calls if '"fanOutItem"' in c.get("input", "")]
    first_rounds = [c for c in batches if '"Items"' in c.get("input", "")]
    assert len(first_rounds) == 3, f"three batches of at most 2: {len(first_rounds)}"
    return (
        f"SUCCEEDED: 5 targets over 2 regions in 3 batches ({len(calls)} invocations: Plan, "
        f"{len(batches)} batch rounds, Aggregate); one export per target, in its region"
    )


def scenario_fanout_export_fails(stack: Stack) -> str:
    described, history, since, _ = fanout_run(stack, "fanout-fails", {"failExportsFor": ["eu-web-2"]})
    summary = describe(described, history, stack, since)
    assert described["status"] == "FAILED", summary
    states = entered(history)
    assert states[-2:] == ["Notify failure", "Failed"] and "Aggregate" in states, summary
    messages = failure_messages(stack)
    assert len(messages) == 1, messages
    last = messages[0]
    assert last["status"] == "FAILED", last
    assert last["summary"] == {"total": 5, "exported": 4, "inProgress": 0, "failed": 1}, last
    assert [(t["region"], t["resource"], t["phase"]) for t in last["targets"]] == [("eu-west-1", "eu-web-2", "FAILED")], last
    assert last["targets"][0]["error"]["type"] == "ExportFailed", last
    assert last["targetsOmitted"] == 4, last
    return "FAILED through Aggregate -> Notify failure: the notification lists only eu-web-2 (ExportFailed); 4 others exported"


def scenario_launcher(stack: Stack) -> str:
    """A duplicate delivery of the schedule starts nothing: the launcher names the run by night."""
    stack.reset_world()
    since = stack.invocations.count()
    night = json.dumps({"scheduledTime": "2026-11-22T07:00:00Z"})
    first = stack.sfn.start_execution(stateMachineArn=stack.launcher_arn, name="launch-1", input=night)["executionArn"]
    described, history = finish(stack, first, 60)
    assert described["status"] == "SUCCEEDED", describe(described, history, stack, since)
    nightly_arn = f"{stack.state_machine_arn.replace(':stateMachine:', ':execution:')}:nightly-2026-11-22"
    started = json.loads(described["output"]).get("started", {})
    assert started.get("executionArn") == nightly_arn, described["output"]
    # A second delivery while tonight's run is still running (StartExecution: same name and input).
    second = stack.sfn.start_execution(stateMachineArn=stack.launcher_arn, name="launch-2", input=night)["executionArn"]
    described, history = finish(stack, second, 60)
    assert described["status"] == "SUCCEEDED", describe(described, history, stack, since)
    run, run_history = finish(stack, nightly_arn, stack.args.run_timeout)
    assert run["status"] == "SUCCEEDED", describe(run, run_history, stack, since)
    # A third, after tonight's run ended: refused (ExecutionAlreadyExists), caught.
    third = stack.sfn.start_execution(stateMachineArn=stack.launcher_arn, name="launch-3", input=night)["executionArn"]
    described, history = finish(stack, third, 60)
    assert described["status"] == "SUCCEEDED", describe(described, history, stack, since)
    assert entered(history)[-1] == "Already started tonight", entered(history)
    runs = stack.sfn.list_executions(stateMachineArn=stack.state_machine_arn)["executions"]
    tonight = [r for r in runs if r["name"].startswith("nightly-")]
    assert [r["name"] for r in tonight] == ["nightly-2026-11-22"], [r["name"] for r in runs]
    exports = [w for w in stack.admin("GET", "writes") if w["operation"] == "ExportSnapshot" and w["applied"]]
    assert len(exports) == 2, exports
    return "three deliveries of one night: one run (nightly-2026-11-22), two exports; the late one ended 'Already started tonight'"


def scenario_cargo_lambda_deploy(stack: Stack) -> str:
    """`cargo lambda deploy` as the README documents it, against moto's Lambda, IAM and Logs: the
    function gets [package.metadata.lambda.deploy]'s settings and none of the local emulator's."""
    bootstrap = ROOT / "target/lambda/lightsail-export/bootstrap"
    assert bootstrap.exists(), f"{bootstrap} is missing: run cargo lambda build --release --arm64 first"
    iam = stack.client("iam")
    role_arn = iam.create_role(
        RoleName="lightsail-export-function",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ],
            }
        ),
    )["Role"]["Arn"]
    env = dict(
        os.environ,
        AWS_ENDPOINT_URL=stack.moto_url,
        AWS_REGION=REGION,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
    )
    for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN"):
        env.pop(key, None)
    deployed = subprocess.run(
        ["cargo", "lambda", "deploy", "--iam-role", role_arn, "--binary-name", FUNCTION, FUNCTION],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    lam = stack.client("lambda")
    config = lam.get_function_configuration(FunctionName=FUNCTION)
    variables = config.get("Environment", {}).get("Variables", {})
    assert config["Runtime"] == "provided.al2023", config
    assert config["Architectures"] == ["arm64"], config
    assert config["MemorySize"] == 256 and config["Timeout"] == 300, config
    assert config["Role"] == role_arn, config
    assert config["TracingConfig"]["Mode"] == "PassThrough", config
    assert variables.get("TARGET_TAG") == "export=nightly", variables
    reserved_or_local = {"AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL_LIGHTSAIL"}
    assert not reserved_or_local & set(variables), f"deployed the local environment: {variables}"
    logs = stack.client("logs")
    groups = logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{FUNCTION}")["logGroups"]
    assert groups and groups[0].get("retentionInDays") == 30, groups
    size = config["CodeSize"]
    return f"{FUNCTION}: provided.al2023 arm64, 256 MB, 300 s, env {sorted(variables)}, logs kept 30 days, {size} bytes"


def watch_against(stack: Stack, name: str, *, env_file: bool) -> dict:
    """`cargo lambda watch` as the README runs it, pointed at a second emulator through the shipped
    local.env (`--env-file`) or the shell's environment; returns that emulator's call counts after
    one invocation."""
    other = stack._spawn(
        f"emulator-{name}", [stack.args.emulator, "--scenario", "demo", "--port", "0", "--speed", "0"],
        stdout=subprocess.PIPE,
    )
    line = other.stdout.readline().decode().strip()
    match = re.match(r"listening on (http://\S+)", line)
    assert match, f"second emulator said {line!r}"
    url = match.group(1)
    settings = {
        "AWS_ENDPOINT_URL_LIGHTSAIL": url,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "TARGET_TAG": "export=nightly",
    }
    port = free_port()
    command = ["cargo", "lambda", "watch", "--invoke-address", "127.0.0.1", "--invoke-port", str(port)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    if env_file:
        # The shipped local.env, with only the emulator's address changed.
        shipped = (ROOT / "local.env").read_text()
        assert "AWS_ENDPOINT_URL_LIGHTSAIL=http://127.0.0.1:9010" in shipped, "local.env changed"
        path = stack.out / f"{name}.env"
        path.write_text(shipped.replace("http://127.0.0.1:9010", url))
        command += ["--env-file", str(path)]
    else:
        env.update(settings)
    watch = stack._spawn(f"watch-{name}", command, env=env)
    try:
        def answered():
            invoked = subprocess.run(
                ["cargo", "lambda", "invoke", "--invoke-address", "127.0.0.1", "--invoke-port", str(port),
                 FUNCTION, "--data-ascii", '{"targets": ["web-1"], "dryRun": true}'],
                cwd=ROOT, capture_output=True, text=True, timeout=300,
            )
            return invoked.returncode == 0 and json.loads(invoked.stdout)

        output = wait_for(f"cargo lambda watch ({name})", answered, stack.args.watch_timeout, 2.0)
        assert output["targets"][0]["resource"] == "web-1", output
        with urllib.request.urlopen(f"{url}/_emulator/calls", timeout=10) as response:
            return json.loads(response.read())
    finally:
        for process in (watch, other):
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            process.wait(timeout=30)


def scenario_watch_elsewhere(stack: Stack) -> str:
    """Cargo.toml sets no [package.metadata.lambda.watch] environment, which cargo-lambda would let
    override both --env-file and the shell: `watch` reaches whichever endpoint it is given."""
    with urllib.request.urlopen(f"{stack.emulator_url}/_emulator/calls", timeout=10) as response:
        before = json.loads(response.read())
    seen = []
    for name, env_file in (("env-file", True), ("shell", False)):
        calls = watch_against(stack, name, env_file=env_file)
        assert calls.get("GetExportSnapshotRecords", 0) >= 1, f"{name}: the other emulator saw {calls}"
        seen.append(f"{name}: {sum(calls.values())} calls")
    with urllib.request.urlopen(f"{stack.emulator_url}/_emulator/calls", timeout=10) as response:
        after = json.loads(response.read())
    assert before == after, f"the default emulator was called: {before} -> {after}"
    return ", ".join(seen) + ", none to the default one"


SCENARIOS = [
    ("nightly run ends SUCCEEDED with the AMI id in the execution output", scenario_nightly),
    ("a failing export ends in Fail after the SNS notification", scenario_export_fails),
    ("a throttled Lightsail still ends SUCCEEDED through Retry", scenario_throttled),
    ("an unreachable EC2 endpoint ends FAILED, every target reported, within MAX_RETRY_WINDOW", scenario_ec2_unreachable),
    ("a dry run ends after its first round", scenario_dry_run),
    ("a bad input is caught, not retried, and notified", scenario_bad_input),
    ("{\"doctor\": true} through Lambda Invoke: the checklist, read-only", scenario_doctor),
    ("the fan-out over two regions ends SUCCEEDED, one export per target", scenario_fanout),
    ("a failing export in one batch: the aggregate lists it, notified, Fail", scenario_fanout_export_fails),
    ("the launcher starts one run per night, whatever the deliveries", scenario_launcher),
    ("cargo lambda deploy applies [package.metadata.lambda.deploy]", scenario_cargo_lambda_deploy),
    ("cargo lambda watch reaches the endpoint of --env-file, or of the shell", scenario_watch_elsewhere),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--emulator", default=str(ROOT / "target/debug/lightsail-emulator"))
    parser.add_argument("--function", default=str(ROOT / "target/debug/lightsail-export"))
    parser.add_argument("--scenario", default=str(ROOT / "deploy/scenarios/nightly.yaml"))
    parser.add_argument("--moto-server", default=str(ROOT / "deploy/moto_server.py"))
    parser.add_argument("--out", default=str(ROOT / "target/deploy-check"))
    parser.add_argument("--watch-timeout", type=float, default=300)
    parser.add_argument("--run-timeout", type=float, default=180)
    parser.add_argument("--only", help="run only the scenarios whose function name contains this")
    args = parser.parse_args()

    stack = Stack(args)
    passed = failed = 0
    try:
        try:
            stack.start()
        except Exception:
            traceback.print_exc()
            for name in ("emulator", "moto", "cargo-lambda-watch", "function"):
                path = stack.out / f"{name}.log"
                if path.exists():
                    print(f"--- last lines of {path}")
                    print("\n".join(path.read_text(errors="replace").splitlines()[-30:]))
            print("FAIL  the Step Functions stack did not start")
            return 1
        for title, scenario in SCENARIOS:
            if args.only and args.only not in scenario.__name__:
                continue
            started = time.monotonic()
            try:
                detail = scenario(stack)
                passed += 1
                print(f"PASS  {title} ({time.monotonic() - started:.1f} s): {detail}", flush=True)
            except Exception as error:  # noqa: BLE001
                failed += 1
                print(f"FAIL  {title} ({time.monotonic() - started:.1f} s): {error}", flush=True)
                traceback.print_exc()
    finally:
        stack.stop()
    print(f"step functions: {passed} scenario(s) passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
