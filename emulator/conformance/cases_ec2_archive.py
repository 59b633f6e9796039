"""The archive tier's EC2 conformance cases: ModifySnapshotTier and DescribeSnapshotTierStatus,
and DescribeSnapshots' `storageTier`, driven with `aws ec2` through the recording proxy, every XML
answer validated against botocore's EC2 model (validate_ec2.py). The world is scenario.yaml's EC2
part, reset first: its managed loose snapshot is archived on the clock; the managed AMI's
snapshot, a user's snapshot and unknown ids are refused (emulator/README.md, "Archive tier").
"""

import json

from harness import equals, expect

MANAGED_AMI, MANAGED_AMI_SNAP = "ami-0a1b2c3d4e5f60718", "snap-0a1b2c3d4e5f60718"
LOOSE, USERS = "snap-01234567890abcdef", "snap-0123456789abcdef0"
ARCHIVAL = 30 * 3600  # the default archivalDuration: moreThanADay
OPERATIONS = {"ModifySnapshotTier", "DescribeSnapshotTierStatus"}


def ec2(c, label, operation, *args, **kw):
    return c.case(label, operation, *args, service="ec2", **kw)


def status_of(d, snapshot):
    return next((s for s in d["SnapshotTierStatuses"] if s["SnapshotId"] == snapshot), {})


def archive(c, label, snapshot, **kw):
    return ec2(c, label, "ModifySnapshotTier", "--snapshot-id", snapshot, "--storage-tier", "archive", **kw)


def refusals(c):
    archive(c, "again while archiving", LOOSE, error="IncorrectState")
    archive(c, "an AMI's snapshot (archiveImageSnapshot: inUse)", MANAGED_AMI_SNAP, error="InvalidSnapshot.InUse")
    c.admin_call("admin set archiveImageSnapshot incorrectState", "PUT", "/_emulator/switches",
                 {"archiveImageSnapshot": "incorrectState"})
    archive(c, "an AMI's snapshot (archiveImageSnapshot: incorrectState)", MANAGED_AMI_SNAP, error="IncorrectState")
    archive(c, "a user's snapshot (the role may not)", USERS, error="UnauthorizedOperation")
    archive(c, "unknown", "snap-00000000000000099", error="InvalidSnapshot.NotFound")
    archive(c, "malformed", "snap-1", error="InvalidSnapshotID.Malformed")
    ec2(c, "another filter", "DescribeSnapshotTierStatus", "--filters", "Name=storage-tier,Values=archive",
        error="InvalidParameterValue")
    c.set_faults({"accessDeniedFor": ["ModifySnapshotTier"]})
    archive(c, "denied (accessDeniedFor)", MANAGED_AMI_SNAP, error="UnauthorizedOperation")
    c.set_faults({})


def archived(c):
    def completed(d):
        s = status_of(d, LOOSE)
        equals("tier", (s.get("StorageTier"), s.get("LastTieringOperationStatus"), s.get("LastTieringProgress")),
               ("archive", "archival-completed", 100))
        expect("ArchivalCompleteTime" in s, "no ArchivalCompleteTime")

    ec2(c, "archival-completed", "DescribeSnapshotTierStatus", "--filters", f"Name=snapshot-id,Values={LOOSE}",
        check=completed)
    ec2(c, "filter last-tiering-operation", "DescribeSnapshotTierStatus", "--filters",
        "Name=last-tiering-operation,Values=archival-completed",
        check=lambda d: equals("ids", [s["SnapshotId"] for s in d["SnapshotTierStatuses"]], [LOOSE]))
    ec2(c, "hand-paged", "DescribeSnapshotTierStatus", "--max-results", "5",
        check=lambda d: (equals("page", len(d["SnapshotTierStatuses"]), 5), expect("NextToken" in d, "no NextToken")))
    ec2(c, "through the CLI's paginator", "DescribeSnapshotTierStatus", paginate=True,
        check=lambda d: expect(len(d["SnapshotTierStatuses"]) >= 6, "not every snapshot"))
    ec2(c, "storage-tier=archive", "DescribeSnapshots", "--owner-ids", "self", "--filters",
        "Name=storage-tier,Values=archive",
        check=lambda d: equals("ids", [s["SnapshotId"] for s in d["Snapshots"]], [LOOSE]))
    ec2(c, "of an archived snapshot", "CreateVolume", "--snapshot-id", LOOSE, "--availability-zone", "us-east-1a",
        "--tag-specifications", json.dumps([{"ResourceType": "volume",
                                             "Tags": [{"Key": "lightsail-export:managed", "Value": "true"}]}]),
        error="IncorrectState")
    archive(c, "already archived", LOOSE, error="IncorrectState")
    ec2(c, "an archived snapshot", "DeleteSnapshot", "--snapshot-id", LOOSE)


def coverage(c):
    """Both archive operations got at least one validated 2xx response."""
    import validate_ec2

    seen = set()
    with open(c.log, encoding="utf-8") as f:
        for line in f:
            exchange = json.loads(line)
            if validate_ec2.is_ec2(exchange) and exchange["status"] and 200 <= exchange["status"] < 300:
                seen.add(validate_ec2.request_params(exchange).get("Action"))
    missing = sorted(OPERATIONS - seen)
    c.report(f"coverage: a validated 2xx response of each of {len(OPERATIONS)} archive-tier operations",
             [f"no successful {', '.join(missing)}"] if missing else [])


def every_case(c):
    """From the world as loaded, under the default archive switches."""
    c.envelope = "ec2-archive"
    c.admin_call("admin reset", "POST", "/_emulator/reset", {})
    ec2(c, "never archived", "DescribeSnapshotTierStatus", "--filters", f"Name=snapshot-id,Values={LOOSE}",
        check=lambda d: equals("status", (status_of(d, LOOSE).get("StorageTier"),
                                          status_of(d, LOOSE).get("LastTieringOperationStatus")), ("standard", None)))
    archive(c, "a managed loose snapshot", LOOSE, check=lambda d: (
        equals("SnapshotId", d.get("SnapshotId"), LOOSE), expect("TieringStartTime" in d, "no TieringStartTime")))
    ec2(c, "archival-in-progress", "DescribeSnapshotTierStatus", "--filters", f"Name=snapshot-id,Values={LOOSE}",
        check=lambda d: equals("tier", (status_of(d, LOOSE).get("StorageTier"),
                                        status_of(d, LOOSE).get("LastTieringOperationStatus")),
                               ("standard", "archival-in-progress")))
    ec2(c, "still standard while archiving", "DescribeSnapshots", "--snapshot-ids", LOOSE,
        check=lambda d: equals("StorageTier", d["Snapshots"][0].get("StorageTier"), "standard"))
    refusals(c)
    c.advance(ARCHIVAL)
    archived(c)
    coverage(c)
