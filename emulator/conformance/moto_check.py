"""Cross-check of the emulator's EC2 with moto (moto[server], pinned in run.sh).

Comparable artifacts are made on both sides: an AMI with one EBS snapshot and a loose snapshot
(moto: CreateVolume + CreateSnapshot, RegisterImage, which makes the AMI's own snapshot; the
emulator: the same as scenario inputs). Then the same DescribeImages / DescribeSnapshots /
CreateTags / DeregisterImage / DeleteSnapshot calls, successes and errors, go to both through
boto3, and the parsed answers are compared member by member after the ids are mapped to
placeholders and times blanked (request ids are not compared). Every difference must be one the
emulator's README explains, in its "Compared with moto" table (first column: the member's path
without list indices, or `CALL: Error.X` for an error's members); an unexplained one fails.
"""

import datetime
import json
import os
import re
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

README = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "README.md")
MANAGED = "lightsail-export:managed"
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
UNKNOWN_AMI, UNKNOWN_SNAP = "ami-12345678901234567", "snap-12345678901234567"
SCENARIO = {
    "region": "us-east-1", "now": "2026-11-22T06:20:00Z", "speed": 0, "seed": 3,
    "ec2Images": [{"name": "cmp-image", "description": "Exported", "snapshots": [{"sizeGiB": 15}]}],
    "ec2Snapshots": [{"sizeGiB": 60, "description": "cmp-snapshot"}],
}


def client(url):
    return boto3.client("ec2", endpoint_url=url, region_name="us-east-1", aws_access_key_id="AKIDCONFORMANCE",
                        aws_secret_access_key="conformance-secret", config=Config(retries={"max_attempts": 1}))


def explained_fields(heading="### Compared with moto"):
    """The first column of every row of the README's moto table under `heading`."""
    with open(README, encoding="utf-8") as f:
        text = f.read()
    section = text.split(heading, 1)[-1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    return set(re.findall(r"^\| `([^`]+)` \|", section, re.M))


def flatten(value, path=""):
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            out.update(flatten(v, f"{path}.{k}" if path else k))
        return out
    if isinstance(value, list):
        out = {path: "[]"} if not value else {}
        for i, v in enumerate(value):
            out.update(flatten(v, f"{path}[{i}]"))
        return out
    return {path: value}


class Side:
    """One endpoint, with its ids mapped to the placeholders both sides share."""

    def __init__(self, name, url):
        self.name, self.ec2, self.ids = name, client(url), {}

    def normal(self, value):
        if isinstance(value, datetime.datetime) or (isinstance(value, str) and ISO.match(value)):
            return "<time>"
        if isinstance(value, str):
            for real, placeholder in self.ids.items():
                value = value.replace(real, placeholder)
        return value

    def call(self, operation, **kwargs):
        """{member path: normal value} of the answer, or of the error (`Error.Code`, ...)."""
        kwargs = json.loads(self.normal_args(json.dumps(kwargs)))
        try:
            answer = getattr(self.ec2, operation)(**kwargs)
            answer.pop("ResponseMetadata", None)
            # EC2 documents that the order of items may vary: compare them in placeholder order.
            for key, id_key in (("Images", "ImageId"), ("Snapshots", "SnapshotId")):
                if key in answer:
                    answer[key].sort(key=lambda item: self.normal(item.get(id_key, "")))
            return {k: self.normal(v) for k, v in flatten(answer).items()}
        except ClientError as e:
            error = {f"Error.{k}": self.normal(v) for k, v in e.response.get("Error", {}).items() if v}
            error["HTTPStatusCode"] = e.response["ResponseMetadata"]["HTTPStatusCode"]
            return error

    def normal_args(self, text):
        for real, placeholder in self.ids.items():
            text = text.replace(placeholder, real)
        return text


def generic(path):
    return re.sub(r"\[\d+\]", "", path)


def differences(label, emu, moto):
    """(README key, emulator value, moto value) of every member the two answer differently.

    The key of a member of a success is its path without list indices (the same member differs
    the same way in every call); when either side answered an error, it is `CALL: path`.
    """
    out = []
    failed = "HTTPStatusCode" in emu or "HTTPStatusCode" in moto
    for path in sorted(set(emu) | set(moto)):
        e, m = emu.get(path, "(absent)"), moto.get(path, "(absent)")
        if e != m:
            key = f"{label}: {generic(path)}" if failed else generic(path)
            out.append((key, e, m))
    return out


def set_up(emulator_admin, moto, emulator):
    request = urllib.request.Request(emulator_admin + "/_emulator/scenario", data=json.dumps(SCENARIO).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=30):
        pass
    with urllib.request.urlopen(emulator_admin + "/_emulator/ec2", timeout=30) as response:
        world = json.loads(response.read())["regions"]["us-east-1"]
    image = world["images"][0]
    loose = next(s for s in world["snapshots"] if s["description"] == "cmp-snapshot")
    emulator.ids = {image["imageId"]: "<image>", image["snapshotIds"][0]: "<image-snapshot>",
                    loose["snapshotId"]: "<snapshot>"}
    volume = moto.ec2.create_volume(AvailabilityZone="us-east-1a", Size=60)
    snapshot = moto.ec2.create_snapshot(VolumeId=volume["VolumeId"], Description="cmp-snapshot")
    ami = moto.ec2.register_image(
        Name="cmp-image", Description="Exported", Architecture="x86_64", RootDeviceName="/dev/xvda",
        VirtualizationType="hvm", BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {
            "SnapshotId": snapshot["SnapshotId"], "VolumeSize": 15, "DeleteOnTermination": True, "VolumeType": "gp2"}}])
    described = moto.ec2.describe_images(ImageIds=[ami["ImageId"]])["Images"][0]
    moto.ids = {ami["ImageId"]: "<image>", described["BlockDeviceMappings"][0]["Ebs"]["SnapshotId"]: "<image-snapshot>",
                snapshot["SnapshotId"]: "<snapshot>"}


def tags(**pairs):
    return [{"Key": k, "Value": v} for k, v in pairs.items()]


# (label, operation, arguments) in order; ids are written as placeholders.
CALLS = [
    ("DescribeImages by id", "describe_images", {"ImageIds": ["<image>"]}),
    ("DescribeImages Owners=self", "describe_images", {"Owners": ["self"]}),
    ("DescribeSnapshots by id", "describe_snapshots", {"SnapshotIds": ["<snapshot>"]}),
    ("DescribeSnapshots of the AMI's snapshot", "describe_snapshots", {"SnapshotIds": ["<image-snapshot>"]}),
    ("CreateTags", "create_tags", {"Resources": ["<image>", "<snapshot>", "<image-snapshot>"],
                                   "Tags": tags(**{MANAGED: "true", "team": "ops"})}),
    ("DescribeImages tag filter", "describe_images", {"Filters": [{"Name": f"tag:{MANAGED}", "Values": ["true"]}]}),
    ("CreateTags overwrite", "create_tags", {"Resources": ["<image>"], "Tags": tags(team="dev")}),
    ("DescribeImages tags after overwrite", "describe_images", {"ImageIds": ["<image>"]}),
    ("DescribeSnapshots tag filter", "describe_snapshots", {"Filters": [{"Name": "tag:team", "Values": ["ops"]}]}),
    ("DescribeImages unknown id", "describe_images", {"ImageIds": [UNKNOWN_AMI]}),
    ("DescribeImages malformed id", "describe_images", {"ImageIds": ["foo"]}),
    ("DescribeSnapshots unknown id", "describe_snapshots", {"SnapshotIds": [UNKNOWN_SNAP]}),
    ("DescribeSnapshots malformed id", "describe_snapshots", {"SnapshotIds": ["bar"]}),
    ("DeleteSnapshot in use", "delete_snapshot", {"SnapshotId": "<image-snapshot>"}),
    ("DeleteSnapshot unknown", "delete_snapshot", {"SnapshotId": UNKNOWN_SNAP}),
    ("DeregisterImage unknown", "deregister_image", {"ImageId": UNKNOWN_AMI}),
    ("CreateTags unknown AMI", "create_tags", {"Resources": [UNKNOWN_AMI], "Tags": tags(a="b")}),
    ("DeregisterImage", "deregister_image", {"ImageId": "<image>"}),
    ("DescribeImages deregistered by id", "describe_images", {"ImageIds": ["<image>"]}),
    ("switch deregisteredImage=empty", None, {"deregisteredImage": "empty"}),
    ("DescribeImages deregistered by id (deregisteredImage: empty)", "describe_images", {"ImageIds": ["<image>"]}),
    ("DeregisterImage again (deregisteredImage: empty)", "deregister_image", {"ImageId": "<image>"}),
    ("DeleteSnapshot of the deregistered AMI's snapshot", "delete_snapshot", {"SnapshotId": "<image-snapshot>"}),
    ("DeleteSnapshot", "delete_snapshot", {"SnapshotId": "<snapshot>"}),
    ("DescribeSnapshots deleted", "describe_snapshots", {"SnapshotIds": ["<snapshot>"]}),
]


def run(c, moto_url):
    """Runs every call on both sides; one reported case per call, then a summary case."""
    emulator, moto = Side("emulator", c.admin), Side("moto", moto_url)
    try:
        set_up(c.admin, moto, emulator)
    except Exception as e:  # a moto or admin failure must still be reported as a failure
        c.report("moto: set up comparable artifacts", [f"{type(e).__name__}: {e}"])
        return
    c.report("moto: set up comparable artifacts", [])
    explained = explained_fields()
    fields = found = 0
    for label, operation, arguments in CALLS:
        if operation is None:
            c.admin_call(f"admin {label}", "PUT", "/_emulator/switches", arguments)
            continue
        emu, mot = emulator.call(operation, **arguments), moto.call(operation, **arguments)
        diffs = differences(label, emu, mot)
        fields += len(set(emu) | set(mot))
        found += len(diffs)
        for key, e, m in diffs:
            print(f"#   {key}: emulator {e!r}, moto {m!r}" if ": " in key else
                  f"#   {label}: {key}: emulator {e!r}, moto {m!r}", flush=True)
        c.report(f"moto: {label} ({len(diffs)} differences)",
                 [f"unexplained difference {key}: emulator {e!r}, moto {m!r}" for key, e, m in diffs
                  if key not in explained])
    print(f"# moto: {len(CALLS) - 1} calls, {fields} members compared, {found} differences", flush=True)
