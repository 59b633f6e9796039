"""Validate EC2 Query (protocol `ec2`) XML responses against botocore's EC2 model.

The model (botocore/data/ec2/2016-11-15/service-2.json.gz) is what the AWS CLI and every SDK
parse EC2 with. A success body must be `<OperationResponse xmlns="http://ec2.amazonaws.com/doc/
2016-11-15/">` holding `requestId` and the output shape's members, each element named by the
member's `locationName`, every list as a wrapper of `<item>` elements (the list member's
`locationName`), scalars as text of the member's type (booleans `true`/`false`, integers in
range, enum values from the model, ISO 8601 timestamps). Error bodies are EC2's
`<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>` with a code
from EC2's documented error codes at its HTTP status. Each check returns a list of problems with
an element path in each.
"""

import gzip
import json
import os
import re
import urllib.parse
import xml.etree.ElementTree as ET

NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/"
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
ISO8601 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")

# Documented EC2 error codes (API reference, "Error codes for the Amazon EC2 API") the emulator
# may send, with the HTTP status real EC2 answers them with. Client errors are 400 unless named.
ERROR_STATUS = {
    "AuthFailure": 401,
    "UnauthorizedOperation": 403,
    "DryRunOperation": 412,
    "RequestLimitExceeded": 503,
    "InternalError": 500,
    "InvalidAction": 400,
    "MissingParameter": 400,
    "InvalidParameterValue": 400,
    "InvalidParameterCombination": 400,
    "InvalidPaginationToken": 400,
    "InvalidID": 400,
    "InvalidAMIID.NotFound": 400,
    "InvalidAMIID.Malformed": 400,
    "InvalidAMIID.Unavailable": 400,
    "InvalidSnapshot.NotFound": 400,
    "InvalidSnapshotID.Malformed": 400,
    "InvalidSnapshot.InUse": 400,
    "TagLimitExceeded": 400,
    # The restore drill's (instances, volumes, security groups). Capacity is a server error.
    "InsufficientInstanceCapacity": 500,
    "Unsupported": 400,
    "IdempotentParameterMismatch": 400,
    "IncorrectState": 400,
    "VolumeInUse": 400,
    "VPCIdNotSpecified": 400,
    "InvalidParameter": 400,
    "InvalidInstanceID.NotFound": 400,
    "InvalidInstanceID.Malformed": 400,
    "InvalidSubnetID.NotFound": 400,
    "InvalidSubnetID.Malformed": 400,
    "InvalidGroup.NotFound": 400,
    "InvalidGroup.Duplicate": 400,
    "InvalidGroupId.Malformed": 400,
    "InvalidVpcID.NotFound": 400,
    "InvalidPermission.NotFound": 400,
    "InvalidSecurityGroupRuleId.NotFound": 400,
    "InvalidVolume.NotFound": 400,
    "InvalidVolumeID.Malformed": 400,
    "InvalidZone.NotFound": 400,
    # The archive tier's concurrent-archives quota (emulator/README.md, "Archive tier").
    "ConcurrentSnapshotLimitExceeded": 400,
}


def model_path():
    import botocore  # here, so the rest works without botocore

    return os.path.join(os.path.dirname(botocore.__file__), "data", "ec2", "2016-11-15", "service-2.json.gz")


def load_model(path=None):
    with gzip.open(path or model_path(), "rt", encoding="utf-8") as f:
        return json.load(f)


def local(tag):
    """`{namespace}name` -> `name`."""
    return tag.split("}", 1)[-1]


def _text_problems(element, path):
    if (element.text or "").strip():
        return [f"{path}: unexpected text {element.text.strip()[:40]!r} in a structure or list"]
    return []


def check_shape(model, shape_name, element, path):
    """Problems of one element against the model shape `shape_name` (recursively)."""
    shape = model["shapes"][shape_name]
    kind = shape["type"]
    problems = [f"{path}: unexpected attribute {a}" for a in element.attrib]
    if kind == "structure":
        return problems + _check_structure(model, shape_name, shape, element, path)
    if kind == "list":
        return problems + _check_list(model, shape_name, shape, element, path)
    if len(element):
        return problems + [f"{path}: {shape_name} ({kind}) has child elements"]
    return problems + _check_scalar(shape_name, shape, element.text or "", path)


def _member_names(shape):
    """Element name -> member shape name, as the ec2 protocol names them."""
    return {m.get("locationName", name): m["shape"] for name, m in shape.get("members", {}).items()}


def _check_structure(model, name, shape, element, path):
    problems = _text_problems(element, path)
    members = _member_names(shape)
    seen = set()
    for child in element:
        tag = local(child.tag)
        if tag not in members:
            problems.append(f"{path}: unknown element <{tag}> (not a member of {name})")
            continue
        if tag in seen:
            problems.append(f"{path}: <{tag}> appears twice in {name}")
        seen.add(tag)
        problems += check_shape(model, members[tag], child, f"{path}/{tag}")
    for required in shape.get("required", []):
        location = shape["members"][required].get("locationName", required)
        if location not in seen:
            problems.append(f"{path}: required member <{location}> of {name} is missing")
    return problems


def _check_list(model, name, shape, element, path):
    problems = _text_problems(element, path)
    item = shape["member"].get("locationName", "member")
    for i, child in enumerate(element):
        tag = local(child.tag)
        if tag != item:
            problems.append(f"{path}: list {name} holds <{tag}>, expected <{item}>")
            continue
        problems += check_shape(model, shape["member"]["shape"], child, f"{path}/{item}[{i}]")
    return problems


def _check_scalar(name, shape, text, path):
    kind = shape["type"]
    if kind == "string":
        if "enum" in shape and text not in shape["enum"]:
            return [f"{path}: {text!r} is not a value of enum {name} {shape['enum']}"]
        return []
    if kind == "boolean":
        return [] if text in ("true", "false") else [f"{path}: {text!r} is not a boolean (true/false)"]
    if kind in ("integer", "long"):
        low, high = INT32 if kind == "integer" else INT64
        if not re.fullmatch(r"-?\d+", text) or not low <= int(text) <= high:
            return [f"{path}: {text!r} is not an {kind}"]
        return []
    if kind in ("double", "float"):
        try:
            float(text)
            return []
        except ValueError:
            return [f"{path}: {text!r} is not a number"]
    if kind == "timestamp":
        return [] if ISO8601.match(text) else [f"{path}: {text!r} is not an ISO 8601 timestamp"]
    return [f"{path}: unsupported shape type {kind} of {name}"]


def _parse(body):
    try:
        return ET.fromstring(body.encode("utf-8") if isinstance(body, str) else body), None
    except ET.ParseError as e:
        return None, f"body is not XML ({e}): {str(body)[:200]!r}"


def check_success(model, operation, body):
    """Problems of a 2xx body of `operation`."""
    root, problem = _parse(body)
    if problem:
        return [problem]
    problems = []
    expected = f"{{{NAMESPACE}}}{operation}Response"
    if root.tag != expected:
        problems.append(f"root element {root.tag!r}, expected {expected!r}")
    output = model["operations"][operation].get("output")
    # Operations without an output shape still answer `<return>true</return>` on the wire.
    shape = model["shapes"][output["shape"]] if output else {"type": "structure", "members": {}}
    members = dict(_member_names(shape))
    children = {local(c.tag): c for c in root}
    if "requestId" not in children or not (children["requestId"].text or "").strip():
        problems.append("/: no <requestId>")
    for child in root:
        tag = local(child.tag)
        if tag == "requestId":
            continue
        if output is None and tag == "return":
            problems += _check_scalar("Boolean", {"type": "boolean"}, child.text or "", "/return")
        elif tag in members:
            problems += check_shape(model, members[tag], child, f"/{tag}")
        else:
            problems.append(f"/: unknown element <{tag}> in {operation}Response")
    return problems


def check_error(status, body):
    """Problems of an error response: EC2's envelope, a documented code at its status."""
    root, problem = _parse(body)
    if problem:
        return [problem]
    if root.tag != "Response":
        return [f"error root element {root.tag!r}, expected 'Response'"]
    problems = []
    errors = root.find("Errors")
    error = errors.find("Error") if errors is not None else None
    if error is None:
        return ["error body has no Errors/Error"]
    code = (error.findtext("Code") or "").strip()
    if error.findtext("Message") is None:
        problems.append("error has no <Message>")
    if not (root.findtext("RequestID") or "").strip():
        problems.append("error has no <RequestID>")
    if code not in ERROR_STATUS:
        problems.append(f"error code {code!r} is not a documented EC2 error code")
    elif status != ERROR_STATUS[code]:
        problems.append(f"status {status} for {code}, expected {ERROR_STATUS[code]}")
    return problems


def request_params(record):
    """The Query parameters of a recorded request (body and query string)."""
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(record.get("path") or "").query))
    params.update(urllib.parse.parse_qsl(record.get("requestBody") or ""))
    return params


def is_ec2(record):
    return not record.get("target") and "Action" in request_params(record)


def check_exchange(model, record):
    """Problems of one recorded EC2 exchange {path, requestBody, status, contentType, body}."""
    action = request_params(record).get("Action")
    status = record.get("status")
    if status is None:
        return [f"no response: {record.get('body')}"]
    problems = []
    content_type = (record.get("contentType") or "").split(";")[0].strip()
    if content_type != "text/xml":
        problems.append(f"Content-Type {content_type!r}, expected text/xml")
    if 200 <= status < 300:
        if action not in model["operations"]:
            problems.append(f"status {status} for an unknown action {action!r}")
        else:
            problems += check_success(model, action, record["body"])
    else:
        problems += check_error(status, record["body"])
    return problems
