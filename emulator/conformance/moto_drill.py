"""Cross-check of the emulator's restore-drill EC2 with moto (moto[server], pinned in run.sh).

The same world on both sides: a managed AMI with one 8 GiB EBS snapshot and a managed loose
snapshot (moto: CreateVolume + CreateSnapshot + RegisterImage + CreateTags; the emulator: the
same as scenario inputs, under `launchCapacity: available` and `newInstanceVisibility:
immediate`, the values moto behaves as). Then the calls a drill sends go to both through boto3:
DescribeSubnets (default-for-az), DescribeSecurityGroups, CreateSecurityGroup, the revokes,
RunInstances (a network interface without a public IP, tag specifications, a ClientToken,
`terminate` on shutdown), DescribeInstances (by id, by tag), DescribeInstanceStatus
(IncludeAllInstances), DescribeVolumes, TerminateInstances, CreateVolume (gp3, from the
snapshot, tagged), DeleteVolume and their errors. The emulator's clock is moved past its
durations where moto is instant. Answers are compared member by member as in moto_check.py, ids
mapped to shared placeholders as they appear (the same member path on both sides), times blanked.
Every difference must be explained in the emulator README's "Restore drills compared with moto"
table, or the case fails.
"""

import json
import urllib.request

from botocore.exceptions import BotoCoreError, ClientError

import moto_check

HEADING = "### Restore drills compared with moto"
MANAGED = "lightsail-export:managed"
SCENARIO = {
    "region": "us-east-1", "now": "2026-11-22T06:20:00Z", "speed": 0, "seed": 8,
    "ec2Images": [{"name": "drill-image", "tags": {MANAGED: "true"},
                   "snapshots": [{"sizeGiB": 8, "tags": {MANAGED: "true"}}]}],
    "ec2Snapshots": [{"sizeGiB": 8, "description": "drill-snapshot", "tags": {MANAGED: "true"}}],
    "switches": {"launchCapacity": "available", "newInstanceVisibility": "immediate"},
}
# Member leaves whose values are generated ids: mapped to one placeholder per pair of values.
ID_LEAVES = {"ReservationId", "InstanceId", "VolumeId", "VpcId", "SubnetId", "GroupId", "SecurityGroupRuleId",
             "NetworkInterfaceId", "AttachmentId"}
# Listings whose order EC2 does not document: compared sorted.
ORDER = {"Subnets": "AvailabilityZone", "SecurityGroups": "GroupName", "Volumes": "Size"}


def spec(kind):
    return [{"ResourceType": kind, "Tags": [{"Key": MANAGED, "Value": "true"}]}]


def filters(*pairs):
    return [{"Name": name, "Values": v if isinstance(v, list) else [v]} for name, v in pairs]


ALL_EGRESS = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
SSH = [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}]
LAUNCH = {
    "ImageId": "<image>", "InstanceType": "t3.micro", "MinCount": 1, "MaxCount": 1, "ClientToken": "drill-1",
    "InstanceInitiatedShutdownBehavior": "terminate",
    "NetworkInterfaces": [{"DeviceIndex": 0, "AssociatePublicIpAddress": False, "DeleteOnTermination": True,
                           "Groups": ["<sg>"], "SubnetId": "<subnet>"}],
    "TagSpecifications": spec("instance") + spec("volume"),
}
TAGGED = (f"tag:{MANAGED}", "true")

# (label, operation or "advance", arguments or seconds, {member path: placeholder}) in order.
CALLS = [
    ("DescribeSubnets default-for-az in one zone", "describe_subnets",
     {"Filters": filters(("default-for-az", "true"), ("availability-zone", "us-east-1a"))},
     {"Subnets[0].SubnetId": "<subnet>", "Subnets[0].VpcId": "<vpc>"}),
    ("DescribeSecurityGroups default", "describe_security_groups", {"Filters": filters(("group-name", "default"))},
     {"SecurityGroups[0].GroupId": "<default-sg>"}),
    ("CreateSecurityGroup", "create_security_group",
     {"GroupName": "drill", "Description": "restore drill", "TagSpecifications": spec("security-group")},
     {"GroupId": "<sg>"}),
    ("RevokeSecurityGroupEgress allow-all", "revoke_security_group_egress",
     {"GroupId": "<sg>", "IpPermissions": ALL_EGRESS}, {}),
    ("DescribeSecurityGroups the isolated group", "describe_security_groups", {"GroupIds": ["<sg>"]}, {}),
    ("RevokeSecurityGroupIngress a rule it lacks", "revoke_security_group_ingress",
     {"GroupId": "<sg>", "IpPermissions": SSH}, {}),
    ("CreateSecurityGroup duplicate", "create_security_group",
     {"GroupName": "drill", "Description": "again", "TagSpecifications": spec("security-group")}, {}),
    ("RunInstances", "run_instances", LAUNCH, {"Instances[0].InstanceId": "<instance>"}),
    ("DescribeInstances by id, launched", "describe_instances", {"InstanceIds": ["<instance>"]}, {}),
    ("past pending and the status checks", "advance", 30 + 180, {}),
    ("DescribeInstances tag filter", "describe_instances",
     {"Filters": filters(TAGGED, ("instance-state-name", ["pending", "running"]))}, {}),
    ("DescribeInstanceStatus IncludeAllInstances", "describe_instance_status",
     {"InstanceIds": ["<instance>"], "IncludeAllInstances": True}, {}),
    ("DescribeVolumes of the instance", "describe_volumes",
     {"Filters": filters(("attachment.instance-id", "<instance>"))}, {}),
    ("TerminateInstances", "terminate_instances", {"InstanceIds": ["<instance>"]}, {}),
    ("past shutting-down", "advance", 60, {}),
    ("DescribeInstances terminated, by id", "describe_instances", {"InstanceIds": ["<instance>"]}, {}),
    ("CreateVolume gp3 from the snapshot", "create_volume",
     {"SnapshotId": "<snapshot>", "AvailabilityZone": "us-east-1a", "VolumeType": "gp3",
      "TagSpecifications": spec("volume")}, {"VolumeId": "<volume>"}),
    ("past creating", "advance", 60, {}),
    ("DescribeVolumes by id", "describe_volumes", {"VolumeIds": ["<volume>"]}, {}),
    ("DeleteVolume", "delete_volume", {"VolumeId": "<volume>"}, {}),
    ("past deleting", "advance", 10, {}),
    ("DescribeVolumes deleted", "describe_volumes", {"VolumeIds": ["<volume>"]}, {}),
    ("DeleteVolume unknown", "delete_volume", {"VolumeId": "vol-00000000000000099"}, {}),
    ("DescribeInstances unknown id", "describe_instances", {"InstanceIds": ["i-00000000000000099"]}, {}),
    ("TerminateInstances unknown id", "terminate_instances", {"InstanceIds": ["i-00000000000000099"]}, {}),
    ("DescribeSecurityGroups unknown id", "describe_security_groups", {"GroupIds": ["sg-00000000000000099"]}, {}),
    ("RunInstances unknown AMI", "run_instances", {**LAUNCH, "ImageId": "ami-00000000000000099",
                                                   "ClientToken": "unknown"}, {}),
    ("CreateVolume unknown snapshot", "create_volume",
     {"SnapshotId": "snap-00000000000000099", "AvailabilityZone": "us-east-1a", "TagSpecifications": spec("volume")},
     {}),
    ("RunInstances again with its ClientToken", "run_instances", LAUNCH, {}),
]


def set_up(admin, emulator, moto, moto_url):
    # A fresh moto (the drill's group name and instances must not meet an earlier run's).
    with urllib.request.urlopen(urllib.request.Request(moto_url + "/moto-api/reset", data=b"", method="POST"),
                                timeout=30):
        pass
    request = urllib.request.Request(admin + "/_emulator/scenario", data=json.dumps(SCENARIO).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=30):
        pass
    with urllib.request.urlopen(admin + "/_emulator/ec2", timeout=30) as response:
        world = json.loads(response.read())["regions"]["us-east-1"]
    image = world["images"][0]
    loose = next(s for s in world["snapshots"] if s["description"] == "drill-snapshot")
    emulator.ids = {image["imageId"]: "<image>", image["snapshotIds"][0]: "<image-snapshot>",
                    loose["snapshotId"]: "<snapshot>"}
    m = moto.ec2
    volume = m.create_volume(AvailabilityZone="us-east-1a", Size=8)
    root = m.create_snapshot(VolumeId=volume["VolumeId"], Description="drill-image root")
    snapshot = m.create_snapshot(VolumeId=volume["VolumeId"], Description="drill-snapshot")
    ami = m.register_image(Name="drill-image", RootDeviceName="/dev/xvda", VirtualizationType="hvm",
                           BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {
                               "SnapshotId": root["SnapshotId"], "VolumeSize": 8, "DeleteOnTermination": True,
                               "VolumeType": "gp2"}}])
    m.create_tags(Resources=[ami["ImageId"], root["SnapshotId"], snapshot["SnapshotId"]],
                  Tags=[{"Key": MANAGED, "Value": "true"}])
    m.delete_volume(VolumeId=volume["VolumeId"])
    moto.ids = {ami["ImageId"]: "<image>", root["SnapshotId"]: "<image-snapshot>",
                snapshot["SnapshotId"]: "<snapshot>"}


def answer(side, operation, arguments):
    """The flattened answer (or error) with real ids, listings in a fixed order."""
    arguments = json.loads(side.normal_args(json.dumps(arguments)))
    try:
        out = getattr(side.ec2, operation)(**arguments)
        out.pop("ResponseMetadata", None)
        for key, by in ORDER.items():
            if key in out:
                out[key].sort(key=lambda item, by=by: (str(item.get(by, "")), json.dumps(item, default=str)))
        return moto_check.flatten(out)
    except ClientError as e:
        error = {f"Error.{k}": v for k, v in e.response.get("Error", {}).items() if v}
        error["HTTPStatusCode"] = e.response["ResponseMetadata"]["HTTPStatusCode"]
        return error
    except BotoCoreError as e:  # an answer that is not EC2's (moto's own 500 page)
        return {"Error.Code": f"<{type(e).__name__}>", "HTTPStatusCode": 500}


def explained_by(key, explained):
    """Whether the README's table explains `key`. An instance's member is keyed without
    `Reservations.` (RunInstances and DescribeInstances answer the same shape), and a row whose
    key ends in `*` explains every member under it."""
    call, sep, path = key.rpartition(": ")
    path = path.removeprefix("Reservations.")
    key = f"{call}{sep}{path}"
    return key in explained or any(e.endswith("*") and key.startswith(e[:-1]) for e in explained)


def learn(emulator, moto, emu, mot, names, counter):
    """Maps the ids both sides generated at the same member path to one placeholder."""
    for path, placeholder in names.items():
        if isinstance(emu.get(path), str) and isinstance(mot.get(path), str):
            emulator.ids.setdefault(emu[path], placeholder)
            moto.ids.setdefault(mot[path], placeholder)
    for path in sorted(set(emu) & set(mot)):
        leaf = path.rsplit(".", 1)[-1]
        e, m = emu[path], mot[path]
        if leaf in ID_LEAVES and isinstance(e, str) and isinstance(m, str) \
                and e not in emulator.ids and m not in moto.ids:
            counter[0] += 1
            emulator.ids[e] = moto.ids[m] = f"<{leaf}-{counter[0]}>"


def advance(admin, seconds):
    request = urllib.request.Request(admin + "/_emulator/clock", data=json.dumps({"advanceSeconds": seconds}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=30):
        pass


def run(c, moto_url):
    """Runs every call on both sides; one reported case per call, then a summary line."""
    emulator, moto = moto_check.Side("emulator", c.admin), moto_check.Side("moto", moto_url)
    try:
        set_up(c.admin, emulator, moto, moto_url)
    except Exception as e:  # a moto or admin failure must still be reported as a failure
        c.report("moto drill: set up comparable artifacts", [f"{type(e).__name__}: {e}"])
        return
    c.report("moto drill: set up comparable artifacts", [])
    explained = moto_check.explained_fields(HEADING)
    counter, calls, fields, found = [0], 0, 0, 0
    for label, operation, arguments, names in CALLS:
        if operation == "advance":
            advance(c.admin, arguments)
            continue
        emu_raw, moto_raw = answer(emulator, operation, arguments), answer(moto, operation, arguments)
        learn(emulator, moto, emu_raw, moto_raw, names, counter)
        emu = {k: emulator.normal(v) for k, v in emu_raw.items()}
        mot = {k: moto.normal(v) for k, v in moto_raw.items()}
        diffs = moto_check.differences(label, emu, mot)
        calls, fields, found = calls + 1, fields + len(set(emu) | set(mot)), found + len(diffs)
        for key, e, m in diffs:
            print(f"#   {key}: emulator {e!r}, moto {m!r}" if ": " in key else
                  f"#   {label}: {key}: emulator {e!r}, moto {m!r}", flush=True)
        c.report(f"moto drill: {label} ({len(diffs)} differences)",
                 [f"unexplained difference {key}: emulator {e!r}, moto {m!r}" for key, e, m in diffs
                  if not explained_by(key, explained)])
    print(f"# moto drill: {calls} calls, {fields} members compared, {found} differences", flush=True)
