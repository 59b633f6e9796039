"""The harness of the conformance test: runs AWS CLI cases and raw requests through the
recording proxy and judges each one.

A case fails if any of these is wrong:
  - the CLI's exit code (0 for success cases, non-zero for error cases) and, for an error case,
    the error code the CLI printed (`An error occurred (Code) ...`);
  - every response the proxy recorded for it, against botocore's Lightsail model (validate.py),
    and every error response's envelope against the emulator's `errorEnvelope` switch in force;
  - the case's own expectations about the world (states, names, paging).
Each case prints `ok LABEL` or `FAIL LABEL: reasons`.
"""

import json
import os
import re
import subprocess
import urllib.error
import urllib.request

import validate
import validate_ec2
import validate_query

EAST, WEST = "us-east-1", "us-west-2"

class CaseFailed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise CaseFailed(message)


def cli_name(operation):
    """`GetInstanceSnapshot` -> `get-instance-snapshot` (the CLI's command name)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", operation).lower()


class Conformance:
    def __init__(self, aws, endpoint, admin, log):
        self.aws_path, self.endpoint, self.admin, self.log = aws, endpoint, admin, log
        self.model = validate.load_model()
        self.ec2_model = validate_ec2.load_model()
        # The Query services answered beside EC2, for the doctor: STS and IAM.
        self.query_models = [validate_query.load_model("sts"), validate_query.load_model("iam")]
        self.passed = self.failed = 0
        self.log_offset = 0
        # The errorEnvelope switch the emulator is under: it decides the error header rule.
        self.envelope = "code"
        self.env = self._cli_env()

    @staticmethod
    def _cli_env():
        """An environment that makes the CLI hermetic: dummy keys, no config, no pager, no retries."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            AWS_ACCESS_KEY_ID="AKIDCONFORMANCE",
            AWS_SECRET_ACCESS_KEY="conformance-secret",
            AWS_PAGER="",
            AWS_CONFIG_FILE=os.devnull,
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
            AWS_EC2_METADATA_DISABLED="true",
            # One attempt: a retried call would hide the first response behind the second.
            AWS_MAX_ATTEMPTS="1",
            AWS_RETRY_MODE="standard",
        )
        return env

    # --- reporting -------------------------------------------------------------------------

    def report(self, label, problems):
        label = f"[{self.envelope}] {label}"
        if problems:
            self.failed += 1
            print(f"FAIL {label}: " + "; ".join(problems), flush=True)
        else:
            self.passed += 1
            print(f"ok {label}", flush=True)

    def new_exchanges(self):
        """The exchanges the proxy recorded since the last call."""
        try:
            with open(self.log, encoding="utf-8") as f:
                f.seek(self.log_offset)
                text = f.read()
                self.log_offset = f.tell()
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def judge_exchanges(self, operation, exchanges):
        """Model problems of every recorded response, and that each was for `operation`."""
        problems = []
        if not exchanges:
            problems.append("no request reached the proxy")
        for exchange in exchanges:
            query_model = next((m for m in self.query_models if validate_query.is_of(m, exchange)), None)
            if query_model is not None:
                action = validate_ec2.request_params(exchange).get("Action")
                if operation and action != operation:
                    problems.append(f"recorded Action {action!r}, expected {operation}")
                found = validate_query.check_exchange(query_model, exchange)
                problems += [f"{action} {exchange['status']}: {p}" for p in found]
                continue
            if validate_ec2.is_ec2(exchange):
                action = validate_ec2.request_params(exchange).get("Action")
                if operation and action != operation:
                    problems.append(f"recorded Action {action!r}, expected {operation}")
                found = validate_ec2.check_exchange(self.ec2_model, exchange)
                problems += [f"{action} {exchange['status']}: {p}" for p in found]
                continue
            if operation and validate.operation_of(exchange["target"]) != operation:
                problems.append(f"recorded target {exchange['target']!r}, expected {operation}")
            found = validate.check_exchange(self.model, exchange)
            found += validate.check_envelope(self.model, exchange, self.envelope)
            problems += [f"{exchange['target']} {exchange['status']}: {p}" for p in found]
        return problems

    # --- the AWS CLI -----------------------------------------------------------------------

    def aws(self, operation, *args, region=EAST, paginate=False, service="lightsail"):
        """Run `aws SERVICE <operation> ARGS`; returns (exit code, parsed stdout, stderr, exchanges)."""
        self.new_exchanges()  # anything recorded before belongs to no case
        command = [self.aws_path, service, cli_name(operation), *args,
                   "--endpoint-url", self.endpoint, "--region", region, "--output", "json"]
        if not paginate:
            command.append("--no-paginate")
        done = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=120)
        data = None
        if done.returncode == 0 and done.stdout.strip():
            data = json.loads(done.stdout)
        return done.returncode, data, done.stderr, self.new_exchanges()

    def case(self, label, operation, *args, region=EAST, paginate=False, error=None, check=None,
             service="lightsail"):
        """One CLI case. `error`: the acceptable error codes (a str or tuple), or None for success.
        `check(data)` raises CaseFailed for an unexpected world. Returns the parsed output."""
        label = f"{operation} {label}".strip()
        data = None
        try:
            code, data, stderr, exchanges = self.aws(operation, *args, region=region, paginate=paginate,
                                                     service=service)
            problems = self.judge_exchanges(operation, exchanges)
            if error is None:
                if code != 0:
                    problems.append(f"exit code {code}, stderr: {stderr.strip()[-300:]}")
                elif check is not None:
                    check(data)
            else:
                problems += self._error_problems(error, code, stderr, exchanges)
        except CaseFailed as e:
            problems.append(str(e))
        except (subprocess.TimeoutExpired, ValueError, KeyError, IndexError, TypeError) as e:
            problems.append(f"{type(e).__name__}: {e}")
        self.report(label, problems)
        return data

    @staticmethod
    def _error_problems(error, code, stderr, exchanges):
        accepted = (error,) if isinstance(error, str) else tuple(error)
        if code == 0:
            return [f"exit code 0, expected an error {'|'.join(accepted)}"]
        match = re.search(r"An error occurred \(([^)]+)\)", stderr)
        got = match.group(1) if match else None
        if got not in accepted:
            return [f"CLI reported {got or stderr.strip()[-200:]!r}, expected {'|'.join(accepted)}"]
        return []

    # --- raw HTTP --------------------------------------------------------------------------

    def raw(self, label, body, headers, status, error_type):
        """One protocol case the CLI cannot produce: POST `body` with `headers` to the proxy."""
        self.new_exchanges()
        problems = []
        request = urllib.request.Request(self.endpoint + "/", data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                got_status, got_body = response.status, response.read()
        except urllib.error.HTTPError as e:
            got_status, got_body = e.code, e.read()
        except OSError as e:
            self.report(label, [f"request failed: {e}"])
            return
        statuses = (status,) if isinstance(status, int) else status
        if got_status not in statuses:
            problems.append(f"status {got_status}, expected {statuses}")
        try:
            got_type = validate.error_name(json.loads(got_body).get("__type", ""))
        except (ValueError, AttributeError):
            got_type = None
        if got_type != error_type:
            problems.append(f"__type {got_type!r}, expected {error_type}: {got_body[:200]!r}")
        problems += self.judge_exchanges(None, self.new_exchanges())
        self.report(label, problems)

    def raw_ec2(self, label, method, path, body, headers, status, code):
        """One EC2 Query request the CLI does not make (no signature, GET, an unknown action)."""
        self.new_exchanges()
        problems = []
        request = urllib.request.Request(self.endpoint + path, data=body, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                got_status, got_body = response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            got_status, got_body = e.code, e.read().decode("utf-8", "replace")
        except OSError as e:
            self.report(label, [f"request failed: {e}"])
            return
        if got_status != status:
            problems.append(f"status {got_status}, expected {status}")
        got_code = re.search(r"<Code>([^<]*)</Code>", got_body)
        if (got_code.group(1) if got_code else None) != code:
            problems.append(f"code {got_code.group(1) if got_code else None!r}, expected {code}: {got_body[:200]!r}")
        problems += self.judge_exchanges(None, self.new_exchanges())
        self.report(label, problems)

    # --- the emulator's admin API ----------------------------------------------------------

    def admin_call(self, label, method, path, body):
        request = urllib.request.Request(
            self.admin + path, data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"}, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                problems = [] if response.status == 200 else [f"status {response.status}"]
        except OSError as e:
            problems = [f"{e}"]
        self.report(label, problems)

    def admin_json(self, path):
        """GET an admin route's JSON (to learn ids the world generated); None if it fails."""
        try:
            with urllib.request.urlopen(self.admin + path, timeout=30) as response:
                return json.loads(response.read())
        except (OSError, ValueError):
            return None

    def advance(self, seconds):
        """Move the simulated clock (the scenario runs at speed 0) so pending work completes."""
        self.admin_call(f"admin advance clock {seconds}s", "POST", "/_emulator/clock", {"advanceSeconds": seconds})

    def set_faults(self, faults):
        self.admin_call(f"admin set faults {json.dumps(faults)}", "PUT", "/_emulator/faults", faults)

    def start_pass(self, envelope):
        """Back to the scenario as loaded, then the given errorEnvelope (a switch, not the world)."""
        self.envelope = envelope
        self.admin_call("admin reset", "POST", "/_emulator/reset", {})
        self.admin_call(f"admin set switch errorEnvelope={envelope}", "PUT", "/_emulator/switches",
                        {"errorEnvelope": envelope})


# --- expectations about the world -------------------------------------------------------------


def names(items):
    return {item["name"] for item in items}


def has(collection, *wanted):
    missing = [w for w in wanted if w not in collection]
    expect(not missing, f"missing {missing} in {sorted(collection)}")


def lacks(collection, *unwanted):
    present = [u for u in unwanted if u in collection]
    expect(not present, f"unexpected {present}")


def equals(what, got, wanted):
    expect(got == wanted, f"{what} is {got!r}, expected {wanted!r}")


def tag_map(tags):
    return {t["key"]: t.get("value", "") for t in tags or []}


def operation_of_type(data, operation_type):
    """The first operation of a write's `operations`, checked to be of `operation_type`."""
    operations = data.get("operations") or []
    expect(operations, "no operations returned")
    equals("operations[0].operationType", operations[0].get("operationType"), operation_type)
    return operations[0]


def run_check(c, label, check):
    """A case that only inspects data already fetched (and validated) by earlier cases."""
    try:
        check(None)
        c.report(label, [])
    except (CaseFailed, KeyError, TypeError) as e:
        c.report(label, [f"{type(e).__name__}: {e}" if not isinstance(e, CaseFailed) else str(e)])
