"""The EC2 conformance cases: each EC2 operation the emulator serves, driven with `aws ec2`
through the recording proxy, every XML answer validated against botocore's EC2 model
(validate_ec2.py). The ids, names and counts are those of scenario.yaml's EC2 part.
"""

import json

from harness import EAST, WEST, CaseFailed, equals, expect, has, lacks, run_check, tag_map

MANAGED = "lightsail-export:managed"
MANAGED_AMI = "ami-0a1b2c3d4e5f60718"
MANAGED_SNAPS = ["snap-0a1b2c3d4e5f60718", "snap-0a1b2c3d4e5f60719"]
GOLDEN_AMI, GOLDEN_SNAP = "ami-0fedcba9876543210", "snap-0fedcba9876543210"
LOOSE_MANAGED, BACKUP = "snap-01234567890abcdef", "snap-0123456789abcdef0"
SNAPSHOTS_EAST = 9  # 1 of old-snap's AMI, 2 + 1 + 1 of the hand-made AMIs, 4 loose ones
EXPORT_SECONDS, EC2_SECONDS = 1800, 600
EC2_AUTH = ("AWS4-HMAC-SHA256 Credential=AKIDCONFORMANCE/20261122/us-east-1/ec2/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, Signature=" + "0" * 64)
FORM = "application/x-www-form-urlencoded; charset=utf-8"
EC2_OPERATIONS = {"DescribeImages", "DescribeSnapshots", "CreateTags", "DeregisterImage", "DeleteSnapshot"}


def ec2(c, label, operation, *args, **kw):
    return c.case(label, operation, *args, service="ec2", **kw)


def image_ids(d):
    return [i["ImageId"] for i in d["Images"]]


def snapshot_ids(d):
    return [s["SnapshotId"] for s in d["Snapshots"]]


def managed_image(d):
    (image,) = d["Images"]
    equals("State", image.get("State"), "available")
    equals("OwnerId", image.get("OwnerId"), "123456789012")
    equals("RootDeviceType", image.get("RootDeviceType"), "ebs")
    equals("tag managed", tag_map_ec2(image.get("Tags")).get(MANAGED), "true")
    devices = [(m["DeviceName"], m["Ebs"]["SnapshotId"], m["Ebs"]["VolumeSize"]) for m in image["BlockDeviceMappings"]]
    equals("BlockDeviceMappings", devices, [("/dev/xvda", MANAGED_SNAPS[0], 60), ("/dev/xvdf", MANAGED_SNAPS[1], 64)])


def tag_map_ec2(tags):
    return {t["Key"]: t.get("Value", "") for t in tags or []}


def reads(c):
    ec2(c, "(--owners self)", "DescribeImages", "--owners", "self", check=lambda d: (
        has(set(image_ids(d)), MANAGED_AMI, GOLDEN_AMI), equals("images", len(d["Images"]), 4)))
    ec2(c, "managed, by id", "DescribeImages", "--image-ids", MANAGED_AMI, check=managed_image)
    ec2(c, f"filter tag:{MANAGED}=true", "DescribeImages", "--filters", f"Name=tag:{MANAGED},Values=true",
        check=lambda d: equals("ids", image_ids(d), [MANAGED_AMI]))
    ec2(c, "filters tag-key=team and name=golden-*", "DescribeImages", "--filters", "Name=tag-key,Values=team",
        "Name=name,Values=golden-*", check=lambda d: equals("ids", image_ids(d), [GOLDEN_AMI]))
    ec2(c, "filter state=pending", "DescribeImages", "--filters", "Name=state,Values=pending",
        check=lambda d: equals("names", [i["Name"] for i in d["Images"]], ["pending-image"]))
    ec2(c, "(us-west-2)", "DescribeImages", region=WEST,
        check=lambda d: equals("names", [i["Name"] for i in d["Images"]], ["west-image"]))
    ec2(c, "unknown id", "DescribeImages", "--image-ids", "ami-00000000000000000", error="InvalidAMIID.NotFound")
    ec2(c, "malformed id", "DescribeImages", "--image-ids", "web-1", error="InvalidAMIID.Malformed")
    ec2(c, "unknown filter", "DescribeImages", "--filters", "Name=colour,Values=blue", error="InvalidParameterValue")

    def backup(d):
        (snap,) = d["Snapshots"]
        equals("State", snap.get("State"), "completed")
        equals("VolumeId", snap.get("VolumeId"), "vol-ffffffff")
        equals("Progress", snap.get("Progress"), "100%")
        equals("Description", snap.get("Description"), "my backup")
        expect(snap.get("StartTime", "").startswith("2026-11-21T06:20:00"), f"StartTime {snap.get('StartTime')}")

    ec2(c, "(--owner-ids self)", "DescribeSnapshots", "--owner-ids", "self",
        check=lambda d: equals("snapshots", len(d["Snapshots"]), SNAPSHOTS_EAST))
    ec2(c, "by id", "DescribeSnapshots", "--snapshot-ids", BACKUP, check=backup)
    ec2(c, "filter status=error", "DescribeSnapshots", "--filters", "Name=status,Values=error",
        check=lambda d: equals("error snapshots", len(d["Snapshots"]), 1))
    ec2(c, f"filter tag:{MANAGED}=true", "DescribeSnapshots", "--filters", f"Name=tag:{MANAGED},Values=true",
        check=lambda d: equals("ids", sorted(snapshot_ids(d)), sorted(MANAGED_SNAPS + [LOOSE_MANAGED])))
    ec2(c, "unknown id", "DescribeSnapshots", "--snapshot-ids", "snap-00000000000000000",
        error="InvalidSnapshot.NotFound")
    ec2(c, "malformed id", "DescribeSnapshots", "--snapshot-ids", "vol-1", error="InvalidSnapshotID.Malformed")


def paging(c):
    """By hand (MaxResults + NextToken), and through the CLI's own paginator (--page-size)."""
    seen, token, pages = [], None, 0
    while True:
        request = {"OwnerIds": ["self"], "MaxResults": 5}
        if token:
            request["NextToken"] = token
        data = ec2(c, f"by hand, page {pages + 1}", "DescribeSnapshots", "--cli-input-json", json.dumps(request),
                   check=lambda d: expect(len(d["Snapshots"]) <= 5, "more than MaxResults"))
        if data is None:
            return
        seen += snapshot_ids(data)
        token, pages = data.get("NextToken"), pages + 1
        if not token or pages > 10:
            break
    run_check(c, "DescribeSnapshots by hand: every snapshot once, in 2 pages", lambda _: (
        equals("pages", pages, 2), equals("snapshots", sorted(set(seen)), sorted(seen)),
        equals("count", len(seen), SNAPSHOTS_EAST)))
    ec2(c, "(CLI pagination, --page-size 5)", "DescribeSnapshots", "--page-size", "5", paginate=True,
        check=lambda d: (equals("snapshots", len(d["Snapshots"]), SNAPSHOTS_EAST), lacks(d, "NextToken")))
    ec2(c, "(CLI pagination, --page-size 5)", "DescribeImages", "--page-size", "5", paginate=True,
        check=lambda d: equals("images", len(d["Images"]), 4))
    ec2(c, "MaxResults below 5", "DescribeImages", "--cli-input-json", json.dumps({"MaxResults": 2}),
        error="InvalidParameterValue")


def tags(c):
    ec2(c, "an AMI and a snapshot", "CreateTags", "--resources", GOLDEN_AMI, BACKUP,
        "--tags", "Key=team,Value=platform", "Key=owner,Value=me")
    ec2(c, "overwrote the AMI's team", "DescribeImages", "--image-ids", GOLDEN_AMI,
        check=lambda d: equals("tags", tag_map_ec2(d["Images"][0].get("Tags")), {"team": "platform", "owner": "me"}))
    ec2(c, "tagged the snapshot", "DescribeSnapshots", "--snapshot-ids", BACKUP,
        check=lambda d: equals("tags", tag_map_ec2(d["Snapshots"][0].get("Tags")), {"team": "platform", "owner": "me"}))
    ec2(c, "unknown AMI", "CreateTags", "--resources", "ami-00000000000000000", "--tags", "Key=a,Value=b",
        error="InvalidAMIID.NotFound")
    ec2(c, "reserved aws: key", "CreateTags", "--resources", BACKUP, "--tags", "Key=aws:x,Value=b",
        error="InvalidParameterValue")


def lifecycle(c):
    """A Lightsail export becomes an AMI with one snapshot per disk: pending, then available."""
    c.case("web-1-manual (for EC2)", "ExportSnapshot", "--source-snapshot-name", "web-1-manual")
    records = c.case("(for the AMI id)", "GetExportSnapshotRecords", paginate=True)
    record = [r for r in (records or {}).get("exportSnapshotRecords", [])
              if r.get("sourceInfo", {}).get("name") == "web-1-manual"]
    ami = record[0].get("destinationInfo", {}).get("id") if record else None
    if not ami:
        c.report("ExportSnapshot web-1-manual shows its AMI id", ["no destinationInfo.id"])
        return
    devices = []

    def pending(d):
        (image,) = d["Images"]
        equals("State", image.get("State"), "pending")
        devices.extend((m["DeviceName"], m["Ebs"]["VolumeSize"]) for m in image["BlockDeviceMappings"])
        equals("devices", devices, [("/dev/xvda", 60), ("/dev/xvdf", 64)])

    ec2(c, "the export's AMI is pending", "DescribeImages", "--image-ids", ami, check=pending)
    c.advance(EXPORT_SECONDS + EC2_SECONDS)
    ec2(c, "the export's AMI is available", "DescribeImages", "--image-ids", ami,
        check=lambda d: equals("State", d["Images"][0].get("State"), "available"))
    ec2(c, "its snapshots are completed", "DescribeSnapshots", "--filters",
        f"Name=description,Values=*for {ami}", check=lambda d: (
            equals("states", [s["State"] for s in d["Snapshots"]], ["completed", "completed"])))


def retire(c):
    ec2(c, "used by a registered AMI", "DeleteSnapshot", "--snapshot-id", MANAGED_SNAPS[0],
        error="InvalidSnapshot.InUse")
    ec2(c, "untagged (the role may not)", "DeregisterImage", "--image-id", GOLDEN_AMI, error="UnauthorizedOperation")
    ec2(c, "untagged (the role may not)", "DeleteSnapshot", "--snapshot-id", BACKUP, error="UnauthorizedOperation")
    ec2(c, "--dry-run", "DeregisterImage", "--image-id", MANAGED_AMI, "--dry-run", error="DryRunOperation")
    ec2(c, "managed", "DeregisterImage", "--image-id", MANAGED_AMI,
        check=lambda d: equals("Return", d.get("Return"), True))
    ec2(c, "deregistered (deregisteredImage: notFound)", "DescribeImages", "--image-ids", MANAGED_AMI,
        error="InvalidAMIID.NotFound")
    ec2(c, "again", "DeregisterImage", "--image-id", MANAGED_AMI, error="InvalidAMIID.NotFound")
    for snap in MANAGED_SNAPS + [LOOSE_MANAGED]:
        ec2(c, f"{snap} (no longer used)", "DeleteSnapshot", "--snapshot-id", snap)
    ec2(c, "deleted", "DescribeSnapshots", "--snapshot-ids", MANAGED_SNAPS[0], error="InvalidSnapshot.NotFound")
    ec2(c, "unknown", "DeleteSnapshot", "--snapshot-id", "snap-00000000000000000", error="InvalidSnapshot.NotFound")
    ec2(c, "golden-image managed", "CreateTags", "--resources", GOLDEN_AMI, "--tags", f"Key={MANAGED},Value=true")
    ec2(c, "golden-image, deleting the snapshots it may", "DeregisterImage", "--image-id", GOLDEN_AMI,
        "--delete-associated-snapshots", check=lambda d: equals(
            "results", d.get("DeleteSnapshotResults"), [{"SnapshotId": GOLDEN_SNAP, "ReturnCode": "missing-permissions"}]))
    c.admin_call("admin set switch deregisteredImage=deregistered", "PUT", "/_emulator/switches",
                 {"deregisteredImage": "deregistered"})
    ec2(c, "deregistered (deregisteredImage: deregistered)", "DescribeImages", "--image-ids", GOLDEN_AMI,
        check=lambda d: equals("State", d["Images"][0].get("State"), "deregistered"))
    ec2(c, "again (deregisteredImage: deregistered)", "DeregisterImage", "--image-id", GOLDEN_AMI,
        error="InvalidAMIID.Unavailable")
    c.admin_call("admin set switch deregisteredImage=empty", "PUT", "/_emulator/switches", {"deregisteredImage": "empty"})
    ec2(c, "deregistered (deregisteredImage: empty)", "DescribeImages", "--image-ids", GOLDEN_AMI,
        check=lambda d: equals("Images", d["Images"], []))


def faults(c):
    c.set_faults({"throttleRate": 1.0, "operations": ["DescribeImages"]})
    ec2(c, "throttled (injected)", "DescribeImages", error="RequestLimitExceeded")
    c.set_faults({"serverErrorRate": 1.0, "operations": ["DescribeSnapshots"]})
    ec2(c, "server error (injected)", "DescribeSnapshots", error="InternalError")
    c.set_faults({"accessDeniedFor": ["CreateTags"]})
    ec2(c, "denied (accessDeniedFor)", "CreateTags", "--resources", BACKUP, "--tags", "Key=a,Value=b",
        error="UnauthorizedOperation")
    c.set_faults({})


def protocol(c):
    body = b"Action=DescribeImages&Version=2016-11-15&Owner.1=self"
    c.raw_ec2("EC2 protocol: no Authorization", "POST", "/", body, {"Content-Type": FORM}, 401, "AuthFailure")
    c.raw_ec2("EC2 protocol: unknown action", "POST", "/", b"Action=StopInstances&Version=2016-11-15",
              {"Content-Type": FORM, "Authorization": EC2_AUTH}, 400, "InvalidAction")
    c.raw_ec2("EC2 protocol: GET with the query string", "GET",
              f"/?Action=DescribeSnapshots&Version=2016-11-15&SnapshotId.1={BACKUP}", None,
              {"Authorization": EC2_AUTH}, 200, None)


def coverage(c):
    """Every EC2 operation got at least one validated 2xx response."""
    import validate_ec2

    seen = set()
    with open(c.log, encoding="utf-8") as f:
        for line in f:
            exchange = json.loads(line)
            if validate_ec2.is_ec2(exchange) and exchange["status"] and 200 <= exchange["status"] < 300:
                seen.add(validate_ec2.request_params(exchange).get("Action"))
    missing = sorted(EC2_OPERATIONS - seen)
    c.report(f"coverage: a validated 2xx response of each of {len(EC2_OPERATIONS)} EC2 operations",
             [f"no successful {', '.join(missing)}"] if missing else [])


def every_case(c):
    """From the world as loaded; the EC2 pass runs once (errorEnvelope is Lightsail's)."""
    c.envelope = "ec2"
    c.admin_call("admin reset", "POST", "/_emulator/reset", {})
    reads(c)
    paging(c)
    tags(c)
    lifecycle(c)
    retire(c)
    faults(c)
    protocol(c)
    coverage(c)


__all__ = ["every_case", "CaseFailed"]
