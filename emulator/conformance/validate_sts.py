"""Validate STS Query (protocol `query`) XML responses against botocore's STS model.

The emulator answers the one STS action the function calls, GetCallerIdentity. The query
protocol wraps the output in `<ActionResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<ActionResult>…</ActionResult><ResponseMetadata><RequestId/></ResponseMetadata></ActionResponse>`
(the model's `resultWrapper`); members are named as in the model and checked with the EC2
validator's shape checks (the same XML rules: scalars by type, structures by member). Errors
are `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
"""

import gzip
import json
import os

import validate_ec2

NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"


def model_path():
    import botocore

    return os.path.join(os.path.dirname(botocore.__file__), "data", "sts", "2011-06-15", "service-2.json.gz")


def load_model(path=None):
    with gzip.open(path or model_path(), "rt", encoding="utf-8") as f:
        return json.load(f)


def is_sts(model, record):
    """A recorded Query exchange whose Action is an STS operation."""
    return validate_ec2.is_ec2(record) and validate_ec2.request_params(record).get("Action") in model["operations"]


def _child(element, name):
    return next((c for c in element if validate_ec2.local(c.tag) == name), None)


def check_exchange(model, record):
    """Problems of one recorded STS exchange."""
    action = validate_ec2.request_params(record).get("Action")
    status = record.get("status")
    if status is None:
        return [f"no response: {record.get('body')}"]
    root, problem = validate_ec2._parse(record["body"])
    if problem:
        return [problem]
    if not 200 <= status < 300:
        return _check_error(root)
    problems = []
    expected = f"{{{NAMESPACE}}}{action}Response"
    if root.tag != expected:
        problems.append(f"root element {root.tag!r}, expected {expected!r}")
    operation = model["operations"][action]
    wrapper = operation["output"]["resultWrapper"]
    result = _child(root, wrapper)
    if result is None:
        problems.append(f"/: no <{wrapper}>")
    else:
        problems += validate_ec2.check_shape(model, operation["output"]["shape"], result, f"/{wrapper}")
    metadata = _child(root, "ResponseMetadata")
    request_id = _child(metadata, "RequestId") if metadata is not None else None
    if request_id is None or not (request_id.text or "").strip():
        problems.append("/: no <ResponseMetadata><RequestId>")
    unknown = [validate_ec2.local(c.tag) for c in root if validate_ec2.local(c.tag) not in (wrapper, "ResponseMetadata")]
    problems += [f"/: unknown element <{tag}>" for tag in unknown]
    return problems


def _check_error(root):
    if validate_ec2.local(root.tag) != "ErrorResponse":
        return [f"error root element {root.tag!r}, expected ErrorResponse"]
    error = _child(root, "Error")
    if error is None:
        return ["error body has no <Error>"]
    problems = [f"error has no <{name}>" for name in ("Type", "Code", "Message") if _child(error, name) is None]
    if _child(root, "RequestId") is None:
        problems.append("error has no <RequestId>")
    return problems
