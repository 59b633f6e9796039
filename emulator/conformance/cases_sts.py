"""The STS conformance cases: GetCallerIdentity (the doctor's one STS call) through `aws sts`,
validated against botocore's STS model (validate_sts.py), an action the emulator does not serve,
and the same call cross-checked against moto."""

import boto3
from botocore.config import Config

from harness import CaseFailed, equals

ACCOUNT = "123456789012"
CALLER = f"arn:aws:sts::{ACCOUNT}:assumed-role/lightsail-export/emulator"


def identity(data):
    equals("Account", data.get("Account"), ACCOUNT)
    equals("Arn", data.get("Arn"), CALLER)
    if not (data.get("UserId") or "").endswith(":emulator"):
        raise CaseFailed(f"UserId {data.get('UserId')!r}: expected the role's id and the session name")


def _sts(url):
    return boto3.client("sts", endpoint_url=url, region_name="us-east-1", aws_access_key_id="AKIDCONFORMANCE",
                        aws_secret_access_key="conformance-secret", config=Config(retries={"max_attempts": 1}))


def moto(c, moto_url):
    """The same answer's members on both sides (moto answers as its own root user)."""
    try:
        ours = _sts(c.admin).get_caller_identity()
        theirs = _sts(moto_url).get_caller_identity()
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


def every_case(c, moto_url):
    c.envelope = "sts"
    c.case("", "GetCallerIdentity", service="sts", check=identity)
    c.case("(not served)", "GetSessionToken", service="sts", error="InvalidAction")
    moto(c, moto_url)
