"""Validate AWS Query (protocol `query`) XML responses against a botocore model: STS's and
IAM's, the two Query services the emulator answers beside EC2 (for the function's doctor).

The protocol wraps the output in `<ActionResponse xmlns="{the model's xmlNamespace}">
<ActionResult>…</ActionResult><ResponseMetadata><RequestId/></ResponseMetadata></ActionResponse>`
(the model's `resultWrapper`); members are named as in the model, lists hold `<member>` items,
and both are checked with the EC2 validator's shape checks (the same XML rules: scalars by type,
structures by member, required members present). Errors are
`<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
"""

import gzip
import json
import os

import validate_ec2

VERSIONS = {"sts": "2011-06-15", "iam": "2010-05-08"}


def model_path(service):
    import botocore

    return os.path.join(os.path.dirname(botocore.__file__), "data", service, VERSIONS[service], "service-2.json.gz")


def load_model(service, path=None):
    with gzip.open(path or model_path(service), "rt", encoding="utf-8") as f:
        return json.load(f)


def is_of(model, record):
    """A recorded Query exchange whose Action is an operation of `model`."""
    return validate_ec2.is_ec2(record) and validate_ec2.request_params(record).get("Action") in model["operations"]


def _child(element, name):
    return next((c for c in element if validate_ec2.local(c.tag) == name), None)


def check_exchange(model, record):
    """Problems of one recorded exchange of `model`'s service."""
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
    expected = f"{{{model['metadata']['xmlNamespace']}}}{action}Response"
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
