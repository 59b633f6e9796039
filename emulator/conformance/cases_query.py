"""The STS and IAM conformance cases, the doctor's calls: GetCallerIdentity, GetRole and
SimulatePrincipalPolicy through `aws sts` / `aws iam`, validated against botocore's models
(validate_query.py), their refusals, and the same calls cross-checked against moto."""

import json
import boto3
from botocore.config import Config

from harness import CaseFailed, equals

ACCOUNT = "123456789012"
CALLER = f"arn:aws:sts::{ACCOUNT}:assumed-role/lightsail-export/emulator"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/lightsail-export"


def identity(data):
    equals("Account", data.get("Account"), ACCOUNT)
    equals("Arn", data.get("Arn"), CALLER)
    if not (data.get("UserId") or "").endswith(":emulator"):
        raise CaseFailed(f"UserId {data.get('UserId')!r}: expected the role's id and the session name")


def _client(service, url):
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="AKIDCONFORMANCE",
                        aws_secret_access_key="conformance-secret", config=Config(retries={"max_attempts": 1}))


def moto(c, moto_url):
    """The same answer's members on both sides (moto answers as its own root user)."""
    try:
        ours = _client("sts", c.admin).get_caller_identity()
        theirs = _client("sts", moto_url).get_caller_identity()
        for answer in (ours, theirs):
            answer.pop("ResponseMetadata", None)
        problems = []
        if set(ours) != set(theirs):
            problems.append(f"members: emulator {sorted(ours)}, moto {sorted(theirs)}")
        if ours.get("Account") != theirs.get("Account"):
            problems.append(f"Account: emulator {ours.get('Account')!r}, moto {theirs.get('Account')!r}")
        print(f"#   GetCallerIdentity Arn: emulator {ours.get('Arn')!r}, moto {theirs.get('Arn')!r} "
              "(explained: the emulator answers as the function's role, moto as its root user)", flush=True)
    except Exception as e:  # a moto failure is a failed case, never a crash of the driver
        problems = [f"{type(e).__name__}: {e}"]
    c.report("moto: GetCallerIdentity (members and account)", problems)


def decisions(expected):
    def check(data):
        got = {r["EvalActionName"]: r["EvalDecision"] for r in data.get("EvaluationResults", [])}
        equals("decisions", got, expected)
    return check


def moto_role(c, moto_url):
    """GetRole of the same role on both sides (created in moto first): the required members."""
    try:
        trust = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
        theirs_client = _client("iam", moto_url)
        try:
            theirs_client.create_role(RoleName="lightsail-export", AssumeRolePolicyDocument=trust)
        except theirs_client.exceptions.EntityAlreadyExistsException:
            pass
        ours = _client("iam", c.admin).get_role(RoleName="lightsail-export")["Role"]
        theirs = theirs_client.get_role(RoleName="lightsail-export")["Role"]
        problems = [f"{key}: emulator {ours.get(key)!r}, moto {theirs.get(key)!r}"
                    for key in ("Path", "RoleName", "Arn") if ours.get(key) != theirs.get(key)]
        missing = [key for key in ("Path", "RoleName", "RoleId", "Arn", "CreateDate") if key not in ours]
        problems += [f"emulator lacks required {key}" for key in missing]
        print(f"#   GetRole members: emulator {sorted(ours)}, moto {sorted(theirs)} "
              "(explained: moto adds RoleLastUsed, and Description and Tags when set; ids and dates differ)", flush=True)
        try:
            _client("iam", moto_url).get_role(RoleName="no-such-role")
            problems.append("moto found no-such-role")
        except Exception as e:  # both sides: NoSuchEntity
            code = getattr(e, "response", {}).get("Error", {}).get("Code")
            if code != "NoSuchEntity":
                problems.append(f"moto: a missing role is {code!r}")
    except Exception as e:  # a moto failure is a failed case, never a crash of the driver
        problems = [f"{type(e).__name__}: {e}"]
    c.report("moto: GetRole (members, a missing role)", problems)


def every_case(c, moto_url):
    c.envelope = "sts"
    c.case("", "GetCallerIdentity", service="sts", check=identity)
    c.case("(not served)", "GetSessionToken", service="sts", error="InvalidAction")
    moto(c, moto_url)
    c.envelope = "iam"
    c.admin_call("admin reset", "POST", "/_emulator/reset", {})
    c.case("the function's role", "GetRole", "--role-name", "lightsail-export", service="iam",
           check=lambda d: equals("Arn", d["Role"]["Arn"], ROLE))
    c.case("the service-linked role, before any export", "GetRole", "--role-name", "AWSServiceRoleForLightsail",
           service="iam", error="NoSuchEntity")
    c.case("a role that does not exist", "GetRole", "--role-name", "no-such-role", service="iam", error="NoSuchEntity")
    actions = ["lightsail:GetInstances", "lightsail:CopySnapshot", "ec2:DeleteSnapshot"]
    # The template's EC2 retirement is conditioned on the managed tag (ec2Policy, on by default):
    # the doctor gives it in the context, and without it the Allow does not match.
    managed = json.dumps([{"ContextKeyName": "aws:ResourceTag/lightsail-export:managed",
                           "ContextKeyValues": ["true"], "ContextKeyType": "string"}])
    c.case("of the function's role", "SimulatePrincipalPolicy", "--policy-source-arn", ROLE, "--action-names", *actions,
           "--context-entries", managed, service="iam", check=decisions({a: "allowed" for a in actions}))
    c.case("of a retirement without the managed tag", "SimulatePrincipalPolicy", "--policy-source-arn", ROLE,
           "--action-names", *actions, service="iam",
           check=decisions({"lightsail:GetInstances": "allowed", "lightsail:CopySnapshot": "allowed",
                            "ec2:DeleteSnapshot": "implicitDeny"}))
    requested = json.dumps([{"ContextKeyName": "aws:RequestTag/lightsail-export:managed",
                             "ContextKeyValues": ["true"], "ContextKeyType": "string"}])
    c.case("of a restore drill's launch, tagged", "SimulatePrincipalPolicy", "--policy-source-arn", ROLE,
           "--action-names", "ec2:RunInstances", "ec2:DescribeInstances", "--context-entries", requested,
           service="iam", check=decisions({"ec2:RunInstances": "allowed", "ec2:DescribeInstances": "allowed"}))
    c.case("of a restore drill's launch, untagged", "SimulatePrincipalPolicy", "--policy-source-arn", ROLE,
           "--action-names", "ec2:RunInstances", "ec2:TerminateInstances", service="iam",
           check=decisions({"ec2:RunInstances": "implicitDeny", "ec2:TerminateInstances": "implicitDeny"}))
    c.admin_call("admin accessDeniedFor CopySnapshot", "PUT", "/_emulator/faults", {"accessDeniedFor": ["CopySnapshot"]})
    c.case("with CopySnapshot refused", "SimulatePrincipalPolicy", "--policy-source-arn", ROLE, "--action-names", *actions,
           "--context-entries", managed, service="iam",
           check=decisions({"lightsail:GetInstances": "allowed", "lightsail:CopySnapshot": "implicitDeny",
                            "ec2:DeleteSnapshot": "allowed"}))
    c.admin_call("admin faults off", "PUT", "/_emulator/faults", {})
    c.case("of an assumed-role ARN", "SimulatePrincipalPolicy", "--policy-source-arn", CALLER, "--action-names",
           "lightsail:GetInstances", service="iam", error="InvalidInput")
    c.case("(not served)", "ListRoles", service="iam", error="InvalidAction")
    moto_role(c, moto_url)
