#!/usr/bin/env python3
"""Checks of template.yaml and the state machine that no linter makes. One PASS/FAIL line each.
`--sam-build DIR`: instead, checks what `sam build` left in DIR (deploy/check.sh).

- Every ${placeholder} of each ASL file has a DefinitionSubstitution, and every substitution is used;
  every statemachine/*.asl.json is a state machine of the template.
- The function's IAM policy allows exactly the Lightsail operations of `lightsail::OPERATIONS`
  (src/lightsail/mod.rs), which the adapter's clients enforce at run time.
- The constrained parameters accept the values they should and refuse the typos they should:
  CloudFormation matches AllowedPattern against the whole value, as re.fullmatch does.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from cfnlint.decode import decode

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"

PARAMETER_CASES = {
    "Targets": (
        ["", "web-1", "web-1,data-disk", "shop.example.com,data_disk", "eu-west-1:web-1,web-2", "us-gov-west-1:db"],
        ["web-1, data-disk", "web-1,", "-web", "web 1", "web-1;data-disk", "eu-west-1:", "Europe:web-1", "eu-west-1: web"],
    ),
    "TargetTag": (
        ["", "export", "export=nightly", "backup=", "team=web ops"],
        ["=nightly", "export=nightly,other", " export"],
    ),
    "SourceRegion": (["", "us-east-1", "eu-west-3", "us-gov-west-1"], ["eu-west", "EU-WEST-1", "euwest1"]),
    "Regions": (
        ["", "us-east-1", "us-east-1,eu-west-1", "ap-southeast-5,us-gov-west-1"],
        ["us-east-1, eu-west-1", "us-east-1,", ",eu-west-1", "eu-west", "US-EAST-1"],
    ),
    "SnapshotNameFormat": (
        ["{resource}-export-{date}", "{type}-{resource}-{date}", "{date}_{resource}"],
        ["{resource}-export", "{resource}.{date}", "{resourse}-{date}", "{resource} {date}"],
    ),
    "ScheduleExpression": (
        ["cron(0 7 * * ? *)", "cron(0 5 * * ? *)", "cron(30 4 ? * MON-FRI *)", "cron(0 3,15 * * ? *)", "rate(1 day)", "rate(12 hours)"],
        ["cron(0 5 * * *)", "cron(0 5 * * ? *", "0 5 * * ? *", "rate(0 days)", "rate(1 week)", "cron(0 5 * * ? *) "],
    ),
    "Ec2Tags": (["", "team=web", "team=web,cost-center=42", "empty="], ["team", "=x", "a=b,,c=d", "team=web,"]),
    "Ec2Keep": (["", "1", "30", "9999"], ["0", "-1", "ten", "10000", "01"]),
    "Ec2KeepDays": (["", "1", "30", "36500"], ["0", "-5", "2.5", "100000"]),
    "MaxRetryWindow": (["2h", "90m", "1h30m", "600s", "7200"], ["", "2 h", "h", "2d", "-5", "2h30"]),
    "MaxAutoSnapshotWait": (["3h", "90m", "2h30m", "600s", "10800", "1h0m30s"], ["", "3 h", "h", "3d", "-5", "3h30"]),
    "ScheduleTimezone": (
        ["UTC", "Europe/Paris", "America/Argentina/Buenos_Aires", "Etc/GMT+2"],
        ["", "Europe/ Paris", "UTC+02:00", "/UTC"],
    ),
    "NotificationEmail": (["", "ops@example.com", "a.b+c@mail.example.org"], ["ops@", "ops example.com", "@example.com"]),
}


def template() -> dict:
    loaded, errors = decode(str(TEMPLATE))
    if errors:
        raise RuntimeError(f"template.yaml does not parse: {errors}")
    return loaded


def check_substitutions(tpl: dict) -> str:
    machines = {
        name: resource["Properties"]
        for name, resource in tpl["Resources"].items()
        if resource["Type"] == "AWS::Serverless::StateMachine"
    }
    shipped = {str(p.relative_to(ROOT)) for p in (ROOT / "statemachine").glob("*.asl.json")}
    used = {machine["DefinitionUri"] for machine in machines.values()}
    assert shipped == used, f"statemachine/ holds {sorted(shipped)}, the template uses {sorted(used)}"
    seen = []
    for name, machine in machines.items():
        asl_path = ROOT / machine["DefinitionUri"]
        text = asl_path.read_text()
        json.loads(text)  # the shipped file is plain JSON, placeholders only inside strings
        placeholders = set(re.findall(r"\$\{([^}]+)\}", text))
        substitutions = set(machine["DefinitionSubstitutions"])
        assert placeholders == substitutions, f"{name}: placeholders {sorted(placeholders)} != substitutions {sorted(substitutions)}"
        seen.append(f"{asl_path.relative_to(ROOT)} {sorted(placeholders)}")
    return "; ".join(seen) + ": all substituted"


def sdk_operations() -> set[str]:
    """The Lightsail operations the function may call: `OPERATIONS` in src/lightsail/mod.rs (the
    adapter's clients refuse any other, and tests/security.rs runs every adapter call against it)."""
    text = (ROOT / "src" / "lightsail" / "mod.rs").read_text()
    block = re.search(r"pub const OPERATIONS: &\[&str\] = &\[(.*?)\];", text, re.S)
    assert block, "no OPERATIONS in src/lightsail/mod.rs"
    return set(re.findall(r'"([A-Za-z]+)"', block.group(1)))


def ec2_operations() -> set[str]:
    """The EC2 operations the function may call: `OPERATIONS` in src/ec2/mod.rs."""
    text = (ROOT / "src" / "ec2" / "mod.rs").read_text()
    block = re.search(r"pub const OPERATIONS: &\[&str\] = &\[(.*?)\];", text, re.S)
    assert block, "no OPERATIONS in src/ec2/mod.rs"
    return set(re.findall(r'"([A-Za-z]+)"', block.group(1)))


# What each EC2 write may be granted on: (resource kinds, the tag condition it needs), one of them
# per statement. "managed": aws:ResourceTag/lightsail-export:managed = true (the function's own);
# "request": aws:RequestTag/lightsail-export:managed = true (what it makes carries the tag); None:
# unconditioned beyond the region. The restore drill's rows: docs/evidence.md, "Restore drill".
EC2_WRITES = {
    "DeregisterImage": [({"image", "snapshot"}, "managed")],
    "DeleteSnapshot": [({"image", "snapshot"}, "managed")],
    "ModifySnapshotTier": [({"snapshot"}, "managed")],
    "CreateTags": [({"image", "snapshot"}, None), ({"instance", "volume", "security-group"}, "create")],
    "CreateSecurityGroup": [({"security-group"}, "request"), ({"vpc"}, None)],
    "RunInstances": [({"instance", "volume"}, "request"), ({"image", "snapshot", "security-group"}, "managed"),
                     ({"subnet", "network-interface"}, None)],
    "CreateVolume": [({"instance", "volume"}, "request"), ({"image", "snapshot", "security-group"}, "managed")],
    "RevokeSecurityGroupIngress": [({"security-group", "instance", "volume"}, "managed")],
    "RevokeSecurityGroupEgress": [({"security-group", "instance", "volume"}, "managed")],
    "TerminateInstances": [({"security-group", "instance", "volume"}, "managed")],
    "DeleteVolume": [({"security-group", "instance", "volume"}, "managed")],
}


def resource_kinds(statement: dict) -> set[str]:
    kinds = set()
    for resource in statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]:
        assert isinstance(resource, dict) and "Fn::Sub" in resource, f"resource {resource!r} is not an ARN"
        arn = resource["Fn::Sub"][0]
        kinds.add(arn.split(":ec2:${Where}:", 1)[1].split("/", 1)[0].rsplit(":", 1)[-1])
    return kinds


def check_ec2_iam(tpl: dict) -> str:
    statements = tpl["Resources"]["ReconcileFunctionRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    granted = set()
    for statement in statements:
        listed = statement["Action"]
        actions = [a.split(":", 1)[1] for a in ([listed] if isinstance(listed, str) else listed) if a.startswith("ec2:")]
        granted.update(actions)
        equals = statement.get("Condition", {}).get("StringEquals", {})
        for action in actions:
            assert "*" not in action, f"wildcard action ec2:{action}"
            assert "aws:RequestedRegion" in equals, f"ec2:{action} without the region condition"
            if action.startswith("Describe"):
                assert statement["Resource"] == "*", f"ec2:{action} takes no resource-level permission"
                continue
            assert action in EC2_WRITES, f"ec2:{action} has no rule in static_checks.EC2_WRITES"
            kinds = resource_kinds(statement)
            tags = {
                "managed": equals.get("aws:ResourceTag/lightsail-export:managed") == "true",
                "request": equals.get("aws:RequestTag/lightsail-export:managed") == "true",
                "create": equals.get("aws:RequestTag/lightsail-export:managed") == "true"
                and set(equals.get("ec2:CreateAction", [])) == {"RunInstances", "CreateVolume", "CreateSecurityGroup"},
                None: True,
            }
            assert any(kinds == allowed and tags[needs] for allowed, needs in EC2_WRITES[action]), (
                f"ec2:{action} on {sorted(kinds)} with {equals} is beyond what it may be granted on"
            )
    called = ec2_operations()
    assert granted == called, f"ec2 actions granted {sorted(granted)} != ec2::OPERATIONS {sorted(called)}"
    return (
        f"{len(called)} EC2 operations in ec2::OPERATIONS, all allowed; retirement and drill teardown only of "
        "managed-tagged resources, drill launches only tagged and from the function's own artifacts"
    )


def policy_actions(tpl: dict) -> set[str]:
    statements = tpl["Resources"]["ReconcileFunctionRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    actions = set()
    for statement in statements:
        listed = statement["Action"]
        for action in [listed] if isinstance(listed, str) else listed:
            if action.startswith("lightsail:"):
                assert "*" not in action, f"wildcard action {action}"
                actions.add(action.split(":", 1)[1])
                check_lightsail_write(action.split(":", 1)[1], statement)
    return actions


def snapshot_arns_only(statement: dict) -> bool:
    resources = statement["Resource"]
    if isinstance(resources, str):
        return False
    texts = [json.dumps(r) for r in resources]
    return all("InstanceSnapshot/*" in t or "DiskSnapshot/*" in t for t in texts)


def check_lightsail_write(action: str, statement: dict) -> None:
    """The Lightsail writes that could touch a user's snapshots are held to the function's own."""
    condition = statement.get("Condition", {})
    if action in ("DeleteInstanceSnapshot", "DeleteDiskSnapshot"):
        tag = condition.get("StringEquals", {}).get("aws:ResourceTag/lightsail-export:managed")
        assert tag == "true", f"lightsail:{action} without the managed-tag condition"
        assert snapshot_arns_only(statement), f"lightsail:{action} on more than snapshots"
    if action == "TagResource":
        keys = condition.get("ForAllValues:StringLike", {}).get("aws:TagKeys")
        assert keys == "lightsail-export:*", f"lightsail:TagResource not limited to the function's tag keys: {keys}"
        assert snapshot_arns_only(statement), "lightsail:TagResource on more than snapshots"



def check_iam(tpl: dict) -> str:
    called = sdk_operations()
    assert "CopySnapshot" in called and "GetExportSnapshotRecords" in called, f"found no operations: {called}"
    allowed = policy_actions(tpl)
    missing = called - allowed
    assert not missing, f"the function calls {sorted(missing)} but its role does not allow them"
    extra = allowed - called
    assert not extra, f"the role allows {sorted(extra)}, which lightsail::OPERATIONS does not list"
    return (
        f"{len(called)} Lightsail operations in lightsail::OPERATIONS, all allowed, nothing more; "
        "deletes only of managed-tagged snapshots, tags only the function's keys on snapshots"
    )


def iam_operations() -> set[str]:
    """The IAM operations the doctor calls: `OPERATIONS` in src/iam.rs."""
    text = (ROOT / "src/iam.rs").read_text()
    block = re.search(r"pub const OPERATIONS: &\[&str\] = &\[(.*?)\];", text, re.S)
    assert block, "no OPERATIONS in src/iam.rs"
    return set(re.findall(r'"([A-Za-z]+)"', block.group(1)))


def check_doctor_iam(tpl: dict) -> str:
    """The doctor's policy grants exactly iam::OPERATIONS, on the function's role and Lightsail's
    service-linked role only."""
    policy = tpl["Resources"]["ReconcileFunctionDoctorPolicy"]["Properties"]
    assert policy["RoleName"] == {"Ref": "ReconcileFunctionRole"}, policy["RoleName"]
    granted = set()
    own_role = {"Fn::GetAtt": ["ReconcileFunctionRole", "Arn"]}
    for statement in policy["PolicyDocument"]["Statement"]:
        listed = statement["Action"]
        actions = [a.split(":", 1)[1] for a in ([listed] if isinstance(listed, str) else listed)]
        assert all(a.startswith("iam:") for a in ([listed] if isinstance(listed, str) else listed)), listed
        granted.update(actions)
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        for resource in resources:
            text = json.dumps(resource)
            assert resource == own_role or "AWSServiceRoleForLightsail" in text, f"iam:{actions} on {text}"
            if "SimulatePrincipalPolicy" in actions:
                assert resource == own_role, f"iam:SimulatePrincipalPolicy on {text}"
    called = iam_operations()
    assert granted == called, f"doctor iam actions granted {sorted(granted)} != iam::OPERATIONS {sorted(called)}"
    return f"{len(called)} IAM operations in iam::OPERATIONS, on the function's own role and the service-linked role only"


def check_parameters(tpl: dict) -> str:
    parameters = tpl["Parameters"]
    problems = []
    checked = 0
    for name, (good, bad) in PARAMETER_CASES.items():
        pattern = parameters[name]["AllowedPattern"]
        default = parameters[name].get("Default", "")
        for value in [*good, default]:
            checked += 1
            if not re.fullmatch(pattern, value):
                problems.append(f"{name} refuses {value!r}")
        for value in bad:
            checked += 1
            if re.fullmatch(pattern, value):
                problems.append(f"{name} accepts the typo {value!r}")
    for name, spec in parameters.items():
        if spec.get("Type") == "String" and "AllowedPattern" not in spec and "AllowedValues" not in spec:
            problems.append(f"{name} is not constrained")
    assert not problems, "; ".join(problems)
    return f"{checked} values of {len(PARAMETER_CASES)} patterns as expected; every String parameter constrained"


def check_sam_build(tpl: dict, build_dir: Path) -> str:
    """What `sam build` produced in its build directory (`.aws-sam/build`, or `--build-dir`): its
    template, and for every function of ours (BuildMethod rust-cargolambda) an aarch64 `bootstrap`
    in `<build_dir>/<LogicalId>/`."""
    built = build_dir
    assert (built / "template.yaml").is_file(), f"no {built}/template.yaml"
    functions = {
        name: resource
        for name, resource in tpl["Resources"].items()
        if resource.get("Type") == "AWS::Serverless::Function"
        and resource.get("Metadata", {}).get("BuildMethod") == "rust-cargolambda"
    }
    assert functions, "no rust-cargolambda function in template.yaml"
    sizes = []
    for name, resource in functions.items():
        assert resource["Properties"].get("Architectures") == ["arm64"], f"{name} is not arm64"
        bootstrap = built / name / "bootstrap"
        assert bootstrap.is_file(), f"no {bootstrap}"
        head = bootstrap.read_bytes()[:20]
        assert head[:4] == b"\x7fELF" and head[18:20] == b"\xb7\x00", f"{bootstrap} is not an aarch64 ELF"
        assert bootstrap.stat().st_mode & 0o111, f"{bootstrap} is not executable"
        sizes.append(f"{name} {bootstrap.stat().st_size} bytes")
    return f"{len(functions)} function(s), each an aarch64 bootstrap: {', '.join(sizes)}"


def main() -> int:
    tpl = template()
    if len(sys.argv) == 3 and sys.argv[1] == "--sam-build":
        try:
            print(check_sam_build(tpl, Path(sys.argv[2])))
        except AssertionError as error:
            print(error)
            return 1
        return 0
    failed = 0
    for title, check in [
        ("ASL placeholders = DefinitionSubstitutions", check_substitutions),
        ("function IAM = lightsail::OPERATIONS", check_iam),
        ("function IAM = ec2::OPERATIONS, retirement only of tagged artifacts", check_ec2_iam),
        ("doctor IAM = iam::OPERATIONS, on its own role only", check_doctor_iam),
        ("parameter constraints catch typos", check_parameters),
    ]:
        try:
            print(f"PASS  {title}: {check(tpl)}")
        except Exception as error:  # noqa: BLE001
            failed += 1
            print(f"FAIL  {title}: {error}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
