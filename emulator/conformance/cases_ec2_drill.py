"""The restore drill's EC2 conformance cases: every operation a drill sends (the default VPC's
subnets and security groups, an isolated group, RunInstances, DescribeInstances,
DescribeInstanceStatus, TerminateInstances, CreateVolume, DescribeVolumes, DeleteVolume), driven
with `aws ec2` through the recording proxy, every XML answer validated against botocore's EC2
model (validate_ec2.py). The world is scenario.yaml's EC2 part, reset first: its managed AMI and
managed loose snapshot are what a drill restores, the golden image and `my backup` are a user's.
The four drill switches are first under their hostile defaults, then set through the admin API.
"""

import json

from harness import equals, expect, run_check

MANAGED = "lightsail-export:managed"
MANAGED_AMI, USERS_AMI = "ami-0a1b2c3d4e5f60718", "ami-0fedcba9876543210"
MANAGED_SNAP, USERS_SNAP = "snap-01234567890abcdef", "snap-0123456789abcdef0"
UNKNOWN_INSTANCE = "i-00000000000000099"
PENDING, SHUTTING_DOWN, VOLUME_CREATING, VOLUME_DELETING = 30, 60, 60, 10
STATUS_CHECKS = 180
DRILL_OPERATIONS = {
    "DescribeSubnets", "DescribeSecurityGroups", "CreateSecurityGroup", "RevokeSecurityGroupEgress",
    "RevokeSecurityGroupIngress", "RunInstances", "DescribeInstances", "DescribeInstanceStatus",
    "TerminateInstances", "CreateVolume", "DescribeVolumes", "DeleteVolume",
}
ALL_EGRESS = json.dumps([{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
SSH = json.dumps([{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])


def ec2(c, label, operation, *args, **kw):
    return c.case(label, operation, *args, service="ec2", **kw)


def spec(kind):
    return json.dumps([{"ResourceType": kind, "Tags": [{"Key": MANAGED, "Value": "true"}]}])


def tags_of(item):
    return {t["Key"]: t.get("Value", "") for t in item.get("Tags") or []}


def launch_args(ami, token, sg, *extra):
    """A drill's RunInstances: t3.micro, no public IP, the isolated group, tagged, terminate on shutdown."""
    interface = [{"DeviceIndex": 0, "AssociatePublicIpAddress": False, "DeleteOnTermination": True, "Groups": [sg]}]
    specs = json.loads(spec("instance")) + json.loads(spec("volume"))
    return ("--image-id", ami, "--instance-type", "t3.micro", "--count", "1", "--client-token", token,
            "--network-interfaces", json.dumps(interface), "--tag-specifications", json.dumps(specs),
            "--instance-initiated-shutdown-behavior", "terminate", *extra)


def network(c):
    """The default VPC's subnets and groups, and the drill's isolated group. Returns its id."""
    ec2(c, "default-for-az", "DescribeSubnets", "--filters", "Name=default-for-az,Values=true", check=lambda d: (
        equals("zones", sorted(s["AvailabilityZone"] for s in d["Subnets"]), ["us-east-1a", "us-east-1b", "us-east-1c"]),
        expect(all(s["DefaultForAz"] and s["State"] == "available" for s in d["Subnets"]), "not default/available")))
    ec2(c, "of one zone", "DescribeSubnets", "--filters", "Name=availability-zone,Values=us-east-1a",
        "Name=default-for-az,Values=true", check=lambda d: equals("subnets", len(d["Subnets"]), 1))

    def default_group(d):
        (g,) = d["SecurityGroups"]
        egress = [(p["IpProtocol"], [r["CidrIp"] for r in p.get("IpRanges", [])]) for p in g["IpPermissionsEgress"]]
        equals("default egress", egress, [("-1", ["0.0.0.0/0"])])

    found = ec2(c, "the default group", "DescribeSecurityGroups", "--filters", "Name=group-name,Values=default",
                check=default_group)
    default = ((found or {}).get("SecurityGroups") or [{}])[0].get("GroupId", "sg-00000000000000098")
    ec2(c, "untagged (the role may not)", "CreateSecurityGroup", "--group-name", "drill", "--description", "d",
        error="UnauthorizedOperation")
    made = ec2(c, "managed", "CreateSecurityGroup", "--group-name", "drill", "--description", "restore drill",
               "--tag-specifications", spec("security-group"),
               check=lambda d: (expect(d["GroupId"].startswith("sg-"), "GroupId"),
                                equals("tags", tags_of(d), {MANAGED: "true"})))
    sg = (made or {}).get("GroupId", "sg-00000000000000000")
    ec2(c, "again", "CreateSecurityGroup", "--group-name", "drill", "--description", "d",
        "--tag-specifications", spec("security-group"), error="InvalidGroup.Duplicate")
    ec2(c, "the default allow-all rule", "RevokeSecurityGroupEgress", "--group-id", sg, "--ip-permissions",
        ALL_EGRESS, check=lambda d: (equals("Return", d.get("Return"), True),
                                     equals("revoked", len(d.get("RevokedSecurityGroupRules", [])), 1)))
    ec2(c, "a rule it lacks (default VPC: listed as unknown)", "RevokeSecurityGroupIngress", "--group-id", sg,
        "--ip-permissions", SSH, check=lambda d: (
            equals("Return", d.get("Return"), True),
            equals("unknown ports", [(p.get("FromPort"), p.get("ToPort")) for p in d.get("UnknownIpPermissions", [])],
                   [(22, 22)])))
    ec2(c, "isolated: no rule either way", "DescribeSecurityGroups", "--group-ids", sg, check=lambda d: (
        equals("ingress", d["SecurityGroups"][0]["IpPermissions"], []),
        equals("egress", d["SecurityGroups"][0]["IpPermissionsEgress"], [])))
    ec2(c, "of the default group (the role may not)", "RevokeSecurityGroupEgress", "--group-id", default,
        "--ip-permissions", ALL_EGRESS, error="UnauthorizedOperation")
    ec2(c, "unknown id", "DescribeSecurityGroups", "--group-ids", "sg-00000000000000099", error="InvalidGroup.NotFound")
    return sg


def instance_of(d):
    (reservation,) = d["Reservations"]
    (instance,) = reservation["Instances"]
    return instance


def launch(c, sg):
    """Refused once for capacity, then launched; invisible by id for its first seconds. Returns its id."""
    ec2(c, "a user's AMI (the role may not)", "RunInstances", *launch_args(USERS_AMI, "users", sg),
        error="UnauthorizedOperation")
    ec2(c, "--dry-run", "RunInstances", *launch_args(MANAGED_AMI, "dry", sg, "--dry-run"), error="DryRunOperation")
    ec2(c, "refused once (launchCapacity: refusedOnce)", "RunInstances", *launch_args(MANAGED_AMI, "drill-1", sg),
        error="InsufficientInstanceCapacity")

    def launched(d):
        (i,) = d["Instances"]
        equals("State", i["State"]["Name"], "pending")
        lacks_public = "PublicIpAddress" not in i
        expect(lacks_public, f"a public IP {i.get('PublicIpAddress')}")
        equals("groups", [g["GroupId"] for g in i["SecurityGroups"]], [sg])
        equals("tags", tags_of(i), {MANAGED: "true"})

    out = ec2(c, "retried with its ClientToken", "RunInstances", *launch_args(MANAGED_AMI, "drill-1", sg),
              check=launched)
    iid = ((out or {}).get("Instances") or [{}])[0].get("InstanceId", UNKNOWN_INSTANCE)
    ec2(c, "the same ClientToken, another type", "RunInstances",
        *[("t3.small" if a == "t3.micro" else a) for a in launch_args(MANAGED_AMI, "drill-1", sg)],
        error="IdempotentParameterMismatch")
    ec2(c, "at once (newInstanceVisibility: delayed)", "DescribeInstances", "--instance-ids", iid,
        error="InvalidInstanceID.NotFound")
    ec2(c, "by tag at once (delayed)", "DescribeInstances", "--filters", f"Name=tag:{MANAGED},Values=true",
        check=lambda d: equals("reservations", d["Reservations"], []))
    c.advance(5)

    def pending(d):
        i = instance_of(d)
        equals("State", i["State"]["Name"], "pending")
        expect("PrivateIpAddress" in i and "PublicIpAddress" not in i, "private address only")
        equals("devices", [m["DeviceName"] for m in i["BlockDeviceMappings"]], ["/dev/xvda", "/dev/xvdf"])

    ec2(c, "by id", "DescribeInstances", "--instance-ids", iid, check=pending)
    ec2(c, "by tag", "DescribeInstances", "--filters", f"Name=tag:{MANAGED},Values=true",
        "Name=instance-state-name,Values=pending,running", check=lambda d: equals("id", instance_of(d)["InstanceId"], iid))
    return iid


def status_checks(c, iid):
    ec2(c, "pending, running only", "DescribeInstanceStatus", "--instance-ids", iid,
        check=lambda d: equals("statuses", d["InstanceStatuses"], []))

    def summary(d):
        (s,) = d["InstanceStatuses"]
        return s["InstanceState"]["Name"], s["InstanceStatus"]["Status"], s["SystemStatus"]["Status"]

    ec2(c, "pending, --include-all-instances", "DescribeInstanceStatus", "--instance-ids", iid,
        "--include-all-instances", check=lambda d: equals("status", summary(d),
                                                          ("pending", "not-applicable", "not-applicable")))
    c.advance(PENDING)
    for after, wanted in ((0, "insufficient-data"), (STATUS_CHECKS / 2, "initializing"), (STATUS_CHECKS / 2, "ok")):
        if after:
            c.advance(after)
        ec2(c, f"running: {wanted} (instanceStatusWhileBooting: insufficientData)", "DescribeInstanceStatus",
            "--instance-ids", iid, check=lambda d, w=wanted: equals("status", summary(d), ("running", w, w)))
    ec2(c, "filter instance-status.reachability=passed", "DescribeInstanceStatus", "--filters",
        "Name=instance-status.reachability,Values=passed",
        check=lambda d: equals("ids", [s["InstanceId"] for s in d["InstanceStatuses"]], [iid]))
    ec2(c, "its volumes, in use", "DescribeVolumes", "--filters", f"Name=attachment.instance-id,Values={iid}",
        check=lambda d: (equals("states", [v["State"] for v in d["Volumes"]], ["in-use", "in-use"]),
                         expect(all(tags_of(v) == {MANAGED: "true"} for v in d["Volumes"]), "volume tags")))


def terminate(c, iid):
    ec2(c, "of the drill", "TerminateInstances", "--instance-ids", iid, check=lambda d: equals(
        "states", [(s["PreviousState"]["Name"], s["CurrentState"]["Name"]) for s in d["TerminatingInstances"]],
        [("running", "shutting-down")]))
    c.advance(SHUTTING_DOWN)
    ec2(c, "terminated, by id (terminatedInstanceLookup: lingers)", "DescribeInstances", "--instance-ids", iid,
        check=lambda d: equals("State", instance_of(d)["State"]["Name"], "terminated"))
    c.admin_call("admin set switch terminatedInstanceLookup=notFound", "PUT", "/_emulator/switches",
                 {"terminatedInstanceLookup": "notFound"})
    ec2(c, "terminated, by id (terminatedInstanceLookup: notFound)", "DescribeInstances", "--instance-ids", iid,
        error="InvalidInstanceID.NotFound")
    ec2(c, "terminated, listed (notFound)", "DescribeInstances", "--filters", "Name=instance-state-name,Values=terminated",
        check=lambda d: equals("id", instance_of(d)["InstanceId"], iid))
    ec2(c, "unknown id", "TerminateInstances", "--instance-ids", UNKNOWN_INSTANCE, error="InvalidInstanceID.NotFound")
    ec2(c, "malformed id", "DescribeInstances", "--instance-ids", "web-1", error="InvalidInstanceID.Malformed")


def volumes(c):
    def volume_args(snap, zone="us-east-1a"):
        return ("--snapshot-id", snap, "--availability-zone", zone, "--volume-type", "gp3",
                "--tag-specifications", spec("volume"))

    made = ec2(c, "from a managed snapshot, gp3", "CreateVolume", *volume_args(MANAGED_SNAP), check=lambda d: (
        equals("State", d.get("State"), "creating"), equals("Size", d.get("Size"), 64),
        equals("Iops, Throughput", (d.get("Iops"), d.get("Throughput")), (3000, 125)),
        equals("tags", tags_of(d), {MANAGED: "true"})))
    vol = (made or {}).get("VolumeId", "vol-00000000000000099")
    # The terminated drill's /dev/xvdf volume was not DeleteOnTermination (the AMI's), so it is
    # available again, with its tags.
    released = []
    ec2(c, "left by the terminated drill", "DescribeVolumes", "--filters", "Name=status,Values=available",
        f"Name=tag:{MANAGED},Values=true", check=lambda d: released.extend(v["VolumeId"] for v in d["Volumes"]))
    run_check(c, "DescribeVolumes: the terminated drill left its one non-root volume", lambda _: (
        equals("left", len(released), 1)))
    ec2(c, "from a user's snapshot (the role may not)", "CreateVolume", *volume_args(USERS_SNAP),
        error="UnauthorizedOperation")
    ec2(c, "in an unknown zone", "CreateVolume", *volume_args(MANAGED_SNAP, "us-east-1z"), error="InvalidZone.NotFound")
    ec2(c, "while creating", "DeleteVolume", "--volume-id", vol, error="IncorrectState")
    c.advance(VOLUME_CREATING)
    ec2(c, "available", "DescribeVolumes", "--volume-ids", vol,
        check=lambda d: equals("State", d["Volumes"][0]["State"], "available"))
    ec2(c, f"filter tag:{MANAGED}=true,status=available", "DescribeVolumes", "--filters",
        f"Name=tag:{MANAGED},Values=true", "Name=status,Values=available",
        check=lambda d: equals("ids", sorted(v["VolumeId"] for v in d["Volumes"]), sorted([vol, *released])))
    ec2(c, "the restored volume", "DeleteVolume", "--volume-id", vol)
    ec2(c, "deleting", "DescribeVolumes", "--volume-ids", vol,
        check=lambda d: equals("State", d["Volumes"][0]["State"], "deleting"))
    c.advance(VOLUME_DELETING)
    ec2(c, "deleted", "DescribeVolumes", "--volume-ids", vol, error="InvalidVolume.NotFound")
    ec2(c, "again", "DeleteVolume", "--volume-id", vol, error="InvalidVolume.NotFound")
    ec2(c, "malformed id", "DescribeVolumes", "--volume-ids", "vol-1", error="InvalidVolumeID.Malformed")


def faults(c, sg):
    """The other switch values and the drill's faults."""
    c.admin_call("admin set the mild drill switches", "PUT", "/_emulator/switches", {
        "launchCapacity": "available", "newInstanceVisibility": "immediate",
        "instanceStatusWhileBooting": "initializing"})
    c.set_faults({"launchRefusedFor": {MANAGED_AMI: "unsupported"}})
    ec2(c, "refused (launchRefusedFor: unsupported)", "RunInstances", *launch_args(MANAGED_AMI, "f-1", sg),
        error="Unsupported")
    c.set_faults({"impairedFor": [MANAGED_AMI], "terminateFailsFor": {MANAGED_AMI: 1}})
    out = ec2(c, "launched at once (launchCapacity: available)", "RunInstances", *launch_args(MANAGED_AMI, "f-2", sg))
    iid = ((out or {}).get("Instances") or [{}])[0].get("InstanceId", UNKNOWN_INSTANCE)
    ec2(c, "at once (newInstanceVisibility: immediate)", "DescribeInstances", "--instance-ids", iid,
        check=lambda d: equals("State", instance_of(d)["State"]["Name"], "pending"))
    c.advance(PENDING)
    ec2(c, "booting (instanceStatusWhileBooting: initializing)", "DescribeInstanceStatus", "--instance-ids", iid,
        check=lambda d: equals("status", d["InstanceStatuses"][0]["InstanceStatus"]["Status"], "initializing"))
    c.advance(STATUS_CHECKS)

    def impaired(d):
        (s,) = d["InstanceStatuses"]
        equals("status", s["InstanceStatus"]["Status"], "impaired")
        (detail,) = s["InstanceStatus"]["Details"]
        equals("reachability", (detail["Name"], detail["Status"]), ("reachability", "failed"))
        expect("ImpairedSince" in detail, "no ImpairedSince")

    ec2(c, "impaired (impairedFor)", "DescribeInstanceStatus", "--instance-ids", iid, check=impaired)
    ec2(c, "fails first (terminateFailsFor)", "TerminateInstances", "--instance-ids", iid, error="InternalError")
    ec2(c, "then terminates", "TerminateInstances", "--instance-ids", iid)
    c.set_faults({})


def coverage(c):
    """Every drill operation got at least one validated 2xx response."""
    import validate_ec2

    seen = set()
    with open(c.log, encoding="utf-8") as f:
        for line in f:
            exchange = json.loads(line)
            if validate_ec2.is_ec2(exchange) and exchange["status"] and 200 <= exchange["status"] < 300:
                seen.add(validate_ec2.request_params(exchange).get("Action"))
    missing = sorted(DRILL_OPERATIONS - seen)
    c.report(f"coverage: a validated 2xx response of each of {len(DRILL_OPERATIONS)} restore-drill operations",
             [f"no successful {', '.join(missing)}"] if missing else [])


def every_case(c):
    """From the world as loaded, under the hostile defaults of the four drill switches."""
    c.envelope = "ec2-drill"
    c.admin_call("admin reset", "POST", "/_emulator/reset", {})
    sg = network(c)
    iid = launch(c, sg)
    status_checks(c, iid)
    terminate(c, iid)
    volumes(c)
    faults(c, sg)
    coverage(c)
