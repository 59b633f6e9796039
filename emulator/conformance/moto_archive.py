"""Cross-check of the emulator's archive tier with moto (moto[server], pinned in run.sh).

The same world on both sides: a managed AMI with one 8 GiB snapshot and a managed loose
snapshot (moto: CreateVolume + CreateSnapshot + RegisterImage + CreateTags; the emulator: the
same as scenario inputs, under `archivalDuration: underAnHour`). Then ModifySnapshotTier,
DescribeSnapshotTierStatus and DescribeSnapshots go to both through boto3, with the refusals:
the AMI's snapshot, an archived one, a tier other than `archive`, an unknown id. The emulator's
clock is moved past the archival where moto is instant. Answers are compared member by member as
in moto_drill.py. Every difference must be explained in the emulator README's "Archive tier
compared with moto" table, or the case fails. moto 5.2.5 archives at once and refuses only a
tier other than `archive`, so the refusals AWS documents have no moto counterpart.
"""

import json
import urllib.request

import moto_check
import moto_drill

HEADING = "### Archive tier compared with moto"
MANAGED = "lightsail-export:managed"
SCENARIO = {
    "region": "us-east-1", "now": "2026-11-22T06:20:00Z", "speed": 0, "seed": 8,
    "ec2Images": [{"name": "archive-image", "tags": {MANAGED: "true"},
                   "snapshots": [{"sizeGiB": 8, "tags": {MANAGED: "true"}}]}],
    "ec2Snapshots": [{"sizeGiB": 8, "description": "archive-snapshot", "tags": {MANAGED: "true"}}],
    "switches": {"archivalDuration": "underAnHour"},
}
ONE = {"Filters": [{"Name": "snapshot-id", "Values": ["<snapshot>"]}]}
ARCHIVE = {"SnapshotId": "<snapshot>", "StorageTier": "archive"}

# (label, boto3 operation or "advance", arguments or seconds) in order.
CALLS = [
    ("DescribeSnapshotTierStatus never archived", "describe_snapshot_tier_status", ONE),
    ("ModifySnapshotTier", "modify_snapshot_tier", ARCHIVE),
    ("DescribeSnapshotTierStatus just archived", "describe_snapshot_tier_status", ONE),
    ("DescribeSnapshots just archived", "describe_snapshots", {"SnapshotIds": ["<snapshot>"]}),
    ("past the archival", "advance", 2_919),
    ("DescribeSnapshotTierStatus archived", "describe_snapshot_tier_status", ONE),
    ("DescribeSnapshots archived", "describe_snapshots", {"SnapshotIds": ["<snapshot>"]}),
    ("DescribeSnapshots storage-tier=archive", "describe_snapshots",
     {"OwnerIds": ["self"], "Filters": [{"Name": "storage-tier", "Values": ["archive"]}]}),
    ("ModifySnapshotTier already archived", "modify_snapshot_tier", ARCHIVE),
    ("ModifySnapshotTier the AMI's snapshot", "modify_snapshot_tier",
     {"SnapshotId": "<image-snapshot>", "StorageTier": "archive"}),
    ("ModifySnapshotTier StorageTier standard", "modify_snapshot_tier",
     {"SnapshotId": "<image-snapshot>", "StorageTier": "standard"}),
    ("ModifySnapshotTier unknown", "modify_snapshot_tier",
     {"SnapshotId": "snap-00000000000000099", "StorageTier": "archive"}),
    ("DeleteSnapshot archived", "delete_snapshot", {"SnapshotId": "<snapshot>"}),
]


def set_up(admin, emulator, moto, moto_url):
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
    loose = next(s for s in world["snapshots"] if s["description"] == "archive-snapshot")
    emulator.ids = {image["imageId"]: "<image>", image["snapshotIds"][0]: "<image-snapshot>",
                    loose["snapshotId"]: "<snapshot>"}
    m = moto.ec2
    volume = m.create_volume(AvailabilityZone="us-east-1a", Size=8)
    root = m.create_snapshot(VolumeId=volume["VolumeId"], Description="archive-image root")
    snapshot = m.create_snapshot(VolumeId=volume["VolumeId"], Description="archive-snapshot")
    ami = m.register_image(Name="archive-image", RootDeviceName="/dev/xvda", VirtualizationType="hvm",
                           BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {
                               "SnapshotId": root["SnapshotId"], "VolumeSize": 8, "DeleteOnTermination": True,
                               "VolumeType": "gp2"}}])
    m.create_tags(Resources=[ami["ImageId"], root["SnapshotId"], snapshot["SnapshotId"]],
                  Tags=[{"Key": MANAGED, "Value": "true"}])
    m.delete_volume(VolumeId=volume["VolumeId"])
    moto.ids = {ami["ImageId"]: "<image>", root["SnapshotId"]: "<image-snapshot>",
                snapshot["SnapshotId"]: "<snapshot>"}


def run(c, moto_url):
    """Runs every call on both sides; one reported case per call, then a summary line."""
    emulator, moto = moto_check.Side("emulator", c.admin), moto_check.Side("moto", moto_url)
    try:
        set_up(c.admin, emulator, moto, moto_url)
    except Exception as e:  # a moto or admin failure must still be reported as a failure
        c.report("moto archive: set up comparable artifacts", [f"{type(e).__name__}: {e}"])
        return
    c.report("moto archive: set up comparable artifacts", [])
    explained = moto_check.explained_fields(HEADING)
    calls, fields, found = 0, 0, 0
    for label, operation, arguments in CALLS:
        if operation == "advance":
            moto_drill.advance(c.admin, arguments)
            continue
        emu = {k: emulator.normal(v) for k, v in moto_drill.answer(emulator, operation, arguments).items()}
        mot = {k: moto.normal(v) for k, v in moto_drill.answer(moto, operation, arguments).items()}
        diffs = moto_check.differences(label, emu, mot)
        calls, fields, found = calls + 1, fields + len(set(emu) | set(mot)), found + len(diffs)
        for key, e, m in diffs:
            print(f"#   {key}: emulator {e!r}, moto {m!r}" if ": " in key else
                  f"#   {label}: {key}: emulator {e!r}, moto {m!r}", flush=True)
        c.report(f"moto archive: {label} ({len(diffs)} differences)",
                 [f"unexplained difference {key}: emulator {e!r}, moto {m!r}" for key, e, m in diffs
                  if not moto_drill.explained_by(key, explained)])
    print(f"# moto archive: {calls} calls, {fields} members compared, {found} differences", flush=True)
