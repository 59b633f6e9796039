"""Validate Lightsail JSON 1.1 response bodies against botocore's service model.

The model (botocore/data/lightsail/2016-11-28/service-2.json.gz) is the same one the AWS CLI
and every SDK are generated from, so a body that passes here parses the way a real client
expects. Each check returns a list of problems (empty = conformant) with a JSON path in each,
so one run reports every deviation, not only the first.

Usage as a program: `python3 validate.py RECORDING.jsonl` validates every response the
recording proxy captured and prints one line per response.
"""

import gzip
import json
import os
import re
import sys

# Errors any AWS JSON 1.1 service may return although they are not in its model (the front end
# answers them before the service sees the request), with the HTTP statuses AWS uses for them.
COMMON_ERRORS = {
    "ThrottlingException": {400},
    "ThrottledException": {400},
    "RequestLimitExceeded": {400},
    "ServiceUnavailable": {503},
    "ServiceUnavailableException": {503},
    "InternalFailure": {500},
    "InternalServerError": {500},
    "UnknownOperationException": {400, 404},
    "SerializationException": {400},
    "ValidationException": {400},
    "MissingAuthenticationTokenException": {400, 403},
    "UnrecognizedClientException": {400, 403},
    "InvalidSignatureException": {400, 403},
    "IncompleteSignatureException": {400, 403},
    "RequestExpired": {400},
}

# Model patterns not applied to responses: the model gives ResourceName the snapshot-name pattern
# (no dots), yet Lightsail lets instances and disks have dotted names and returns them as they are.
PATTERN_EXEMPT_SHAPES = {"ResourceName"}

# Enum values real Lightsail returns although botocore's model lacks them. Only these are let
# through; any other value outside a model enum still fails.
#  - OperationType CopySnapshot: the AWS CLI's own example output
#    (awscli/examples/lightsail/copy-snapshot.rst) shows `"operationType": "CopySnapshot"`.
#  - ExportSnapshot, TagResource, UntagResource: the operations of these writes report their own
#    name the same way; DESIGN.md records that the Rust SDK has no such variants and that the
#    function compares `.as_str()` because of it.
MODEL_ENUM_GAPS = {
    "OperationType": {"CopySnapshot", "ExportSnapshot", "TagResource", "UntagResource"},
}

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)


def model_path():
    """The model file shipped inside the installed botocore package."""
    import botocore  # imported here so the rest of the module works without botocore

    return os.path.join(
        os.path.dirname(botocore.__file__), "data", "lightsail", "2016-11-28", "service-2.json.gz"
    )


def load_model(path=None):
    with gzip.open(path or model_path(), "rt", encoding="utf-8") as f:
        return json.load(f)


def _is_number(value):
    # bool is an int subclass in Python, but JSON true is never a number.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_integer(value):
    return _is_number(value) and (isinstance(value, int) or value.is_integer())


def check_shape(model, shape_name, value, path="$"):
    """Problems of `value` against the model shape `shape_name` (recursively)."""
    shape = model["shapes"][shape_name]
    kind = shape["type"]
    if value is None:
        # AWS omits absent members; an explicit null is not a value of any shape.
        return [f"{path}: null where {shape_name} ({kind}) was expected"]
    checker = _CHECKERS.get(kind)
    if checker is None:
        return [f"{path}: shape {shape_name} has unsupported type {kind}"]
    return checker(model, shape_name, shape, value, path)


def _check_structure(model, name, shape, value, path):
    if not isinstance(value, dict):
        return [f"{path}: expected object ({name}), got {type(value).__name__}"]
    members = shape.get("members", {})
    problems = []
    for key in shape.get("required", []):
        if key not in value:
            problems.append(f"{path}: required member '{key}' of {name} is missing")
    for key, member_value in value.items():
        if key not in members:
            problems.append(f"{path}: unknown member '{key}' (not in {name})")
            continue
        problems += check_shape(model, members[key]["shape"], member_value, f"{path}.{key}")
    return problems


def _check_length(name, shape, length, path, what):
    problems = []
    if "min" in shape and length < shape["min"]:
        problems.append(f"{path}: {what} {length} below min {shape['min']} of {name}")
    if "max" in shape and length > shape["max"]:
        problems.append(f"{path}: {what} {length} above max {shape['max']} of {name}")
    return problems


def _check_list(model, name, shape, value, path):
    if not isinstance(value, list):
        return [f"{path}: expected array ({name}), got {type(value).__name__}"]
    problems = _check_length(name, shape, len(value), path, "length")
    for i, item in enumerate(value):
        problems += check_shape(model, shape["member"]["shape"], item, f"{path}[{i}]")
    return problems


def _check_map(model, name, shape, value, path):
    if not isinstance(value, dict):
        return [f"{path}: expected object ({name}), got {type(value).__name__}"]
    problems = []
    for key, item in value.items():
        problems += check_shape(model, shape["key"]["shape"], key, f"{path}<key {key!r}>")
        problems += check_shape(model, shape["value"]["shape"], item, f"{path}[{key!r}]")
    return problems


def _check_string(model, name, shape, value, path):
    if not isinstance(value, str):
        return [f"{path}: expected string ({name}), got {type(value).__name__} {value!r}"]
    problems = []
    if "enum" in shape and value not in shape["enum"] and value not in MODEL_ENUM_GAPS.get(name, ()):
        problems.append(f"{path}: {value!r} is not a value of enum {name} {shape['enum']}")
    if "pattern" in shape and name not in PATTERN_EXEMPT_SHAPES:
        if not re.search(shape["pattern"], value):
            problems.append(f"{path}: {value!r} does not match pattern {shape['pattern']} of {name}")
    return problems + _check_length(name, shape, len(value), path, "string length")


def _check_whole(bounds):
    def check(model, name, shape, value, path):
        if not _is_integer(value):
            return [f"{path}: expected integer ({name}), got {type(value).__name__} {value!r}"]
        low, high = bounds
        if not low <= value <= high:
            return [f"{path}: {value} out of range for {shape['type']} {name}"]
        return _check_length(name, shape, value, path, "value")

    return check


def _check_number(model, name, shape, value, path):
    if not _is_number(value):
        return [f"{path}: expected number ({name}), got {type(value).__name__} {value!r}"]
    return []


def _check_boolean(model, name, shape, value, path):
    if not isinstance(value, bool):
        return [f"{path}: expected boolean ({name}), got {type(value).__name__} {value!r}"]
    return []


def _check_timestamp(model, name, shape, value, path):
    # JSON 1.1 sends timestamps as epoch seconds (a number) unless the shape says otherwise.
    if shape.get("timestampFormat", "unixTimestamp") == "unixTimestamp":
        if not _is_number(value):
            return [f"{path}: expected epoch-seconds number ({name}), got {type(value).__name__} {value!r}"]
        return []
    if not isinstance(value, str):
        return [f"{path}: expected timestamp string ({name}), got {type(value).__name__}"]
    return []


def _check_blob(model, name, shape, value, path):
    if not isinstance(value, str):
        return [f"{path}: expected base64 string ({name}), got {type(value).__name__}"]
    return []


_CHECKERS = {
    "structure": _check_structure,
    "list": _check_list,
    "map": _check_map,
    "string": _check_string,
    "integer": _check_whole(INT32),
    "long": _check_whole(INT64),
    "double": _check_number,
    "float": _check_number,
    "boolean": _check_boolean,
    "timestamp": _check_timestamp,
    "blob": _check_blob,
}


def error_name(type_value):
    """The bare error code: `__type` may carry a namespace (`ns#Code`) or a URI suffix (`Code:uri`)."""
    return type_value.split("#")[-1].split(":")[0]


def _parse_body(body):
    try:
        return json.loads(body), None
    except (TypeError, ValueError) as e:
        return None, f"body is not JSON ({e}): {str(body)[:200]!r}"


def check_success(model, operation, body):
    """Problems of a 2xx body of `operation` against its output shape."""
    data, problem = _parse_body(body)
    if problem:
        return [problem]
    output = model["operations"][operation].get("output")
    if output is None:
        return [] if data == {} else [f"$: {operation} has no output shape, got {data!r}"]
    return check_shape(model, output["shape"], data)


def check_error(model, operation, status, body):
    """Problems of an error response: a known `__type`, a string `message`, a fitting status.

    `operation` may be None when the request named no valid operation (protocol errors); then
    only the common errors are acceptable.
    """
    data, problem = _parse_body(body)
    if problem:
        return [problem]
    if not isinstance(data, dict):
        return [f"$: error body is not an object: {data!r}"]
    problems = []
    type_value = data.get("__type")
    if not isinstance(type_value, str):
        return [f"$: error body has no string __type: {data!r}"]
    name = error_name(type_value)
    modelled = []
    if operation is not None:
        modelled = [e["shape"] for e in model["operations"][operation].get("errors", [])]
    if name in modelled:
        shape = model["shapes"][name]
        rest = {k: v for k, v in data.items() if k != "__type"}
        problems += check_shape(model, name, rest)
        problems += _check_error_status(name, shape, status)
    elif name in COMMON_ERRORS:
        if status not in COMMON_ERRORS[name]:
            problems.append(f"status {status} for {name}, expected one of {sorted(COMMON_ERRORS[name])}")
    else:
        allowed = ", ".join(modelled) or "only common errors"
        problems.append(f"__type {type_value!r} is not an error {operation or 'this request'} may return ({allowed})")
    if not isinstance(data.get("message"), str):
        problems.append(f"$: error has no string 'message': {data!r}")
    return problems


def _check_error_status(name, shape, status):
    error = shape.get("error", {})
    if "httpStatusCode" in error:
        expected = {error["httpStatusCode"]}
    elif shape.get("fault"):
        expected = set(range(500, 600))  # server faults: 5xx (Lightsail's ServiceException is 500)
    else:
        expected = {400}  # JSON 1.1 client errors without an explicit code are HTTP 400
    if status not in expected:
        return [f"status {status} for {name}, expected {min(expected)}" + ("-599" if len(expected) > 1 else "")]
    return []


def operation_of(target):
    """`Lightsail_20161128.GetInstance` -> `GetInstance`; None when the header is absent or foreign."""
    prefix = "Lightsail_20161128."
    if target and target.startswith(prefix):
        return target[len(prefix):]
    return None


def check_exchange(model, record):
    """Problems of one recorded exchange {target, status, body, contentType}."""
    operation = operation_of(record.get("target"))
    if operation is not None and operation not in model["operations"]:
        operation = None  # an unknown operation may only get a common error
    status = record["status"]
    if status is None:
        return [f"no response: {record.get('body')}"]
    problems = []
    content_type = (record.get("contentType") or "").split(";")[0].strip()
    if content_type != "application/x-amz-json-1.1":
        problems.append(f"Content-Type {content_type!r}, expected application/x-amz-json-1.1")
    if 200 <= status < 300:
        if operation is None:
            problems.append(f"status {status} for a request without a valid operation")
        else:
            problems += check_success(model, operation, record["body"])
    else:
        problems += check_error(model, operation, status, record["body"])
    return problems


ENVELOPES = ("code", "header")


def check_envelope(model, record, envelope):
    """Problems of an error response's envelope under the emulator's `errorEnvelope` switch.

    `code` (real Lightsail, per public reports): a Lightsail exception carries string `code`,
    `docs` and `tip` and there is no `x-amzn-errortype` header; an error of AWS's front end (not a
    Lightsail exception) carries only `__type` and `message`. `header`: the header is present and
    equal to `__type`, and the body is only `__type` and `message`.
    """
    status = record.get("status")
    if status is None or 200 <= status < 300:
        return []
    data, problem = _parse_body(record.get("body"))
    if problem or not isinstance(data, dict):
        return []  # check_error reports it
    type_value = data.get("__type")
    header = {k.lower(): v for k, v in (record.get("headers") or {}).items()}.get("x-amzn-errortype")
    problems = []
    if envelope == "code":
        if header is not None:
            problems.append(f"x-amzn-errortype header {header!r} sent under errorEnvelope code")
        if model["shapes"].get(error_name(str(type_value)), {}).get("exception"):
            for member in ("code", "docs", "tip"):
                if not isinstance(data.get(member), str):
                    problems.append(f"$: Lightsail error without a string '{member}' under errorEnvelope code")
        elif set(data) != {"__type", "message"}:
            problems.append(f"$: front-end error {type_value!r} has members {sorted(data)}, expected __type and message")
    elif envelope == "header":
        if header != type_value:
            problems.append(f"x-amzn-errortype header {header!r}, expected {type_value!r}")
        if set(data) != {"__type", "message"}:
            problems.append(f"$: error has members {sorted(data)} under errorEnvelope header, expected __type and message")
    else:
        problems.append(f"unknown envelope {envelope!r}")
    return problems


def main(argv):
    if len(argv) != 2:
        print("usage: validate.py RECORDING.jsonl", file=sys.stderr)
        return 2
    model = load_model()
    failed = 0
    with open(argv[1], encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            problems = check_exchange(model, record)
            label = f"{record.get('target')} -> {record['status']}"
            if problems:
                failed += 1
                print(f"FAIL {label}: " + "; ".join(problems))
            else:
                print(f"ok {label}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
