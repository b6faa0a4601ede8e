"""Seeds moto with a three-account organization and records what was seeded, to compare against.

Everything goes through real boto3 over HTTP; member accounts are reached with sts:AssumeRole like
the collector does (moto maps the returned keys to the role's account).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import boto3

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_organizations import OrganizationsClient
    from mypy_boto3_organizations.literals import PolicyTypeType
    from mypy_boto3_s3.type_defs import PublicAccessBlockConfigurationTypeDef

__all__ = [
    "LOOPBACK_S3CONTROL",
    "SeededAccount",
    "SeededOrg",
    "SeededUser",
    "seed_account",
    "seed_organization",
]

MANAGEMENT = "123456789012"
REGION = "us-east-1"
ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


ALL_ON: PublicAccessBlockConfigurationTypeDef = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
# Where each account's Block Public Access is turned on: nowhere, for the account, for one bucket.
BlockLevel = Literal["none", "account", "bucket"]


def _s3control_on_loopback(request: Any, **_: Any) -> None:
    """botocore's endpoint rules put the account id in the S3 Control host name
    (``123456789012.127.0.0.1``), which no resolver answers on loopback; moto routes S3 Control
    by path, so the request goes to the server itself (what wildcard DNS would do)."""
    request.url = re.sub(r"//\d{12}\.", "//", request.url, count=1)


LOOPBACK_S3CONTROL = ("before-send.s3-control", _s3control_on_loopback)


def _doc(action: str, resource: str = "*", effect: str = "Allow") -> str:
    statement = {"Effect": effect, "Action": action, "Resource": resource}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@dataclass
class SeededUser:
    """What was made for one user."""

    groups: set[str] = field(default_factory=set)
    inline: set[str] = field(default_factory=set)
    managed: set[str] = field(default_factory=set)
    boundary: str | None = None
    keys: dict[str, str] = field(default_factory=dict)  # key id -> status
    console: bool = False
    mfa: bool = False


@dataclass
class SeededAccount:
    """What was made in one account."""

    account_id: str
    users: dict[str, SeededUser] = field(default_factory=dict)
    groups: dict[str, tuple[set[str], set[str]]] = field(default_factory=dict)  # inline, managed
    roles: dict[str, tuple[set[str], set[str], str | None]] = field(default_factory=dict)
    policies: dict[str, tuple[int, str]] = field(default_factory=dict)  # arn -> (versions, default)
    resource_policies: set[tuple[str, str]] = field(default_factory=set)  # (service, name)
    block_level: BlockLevel = "none"
    buckets: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name -> AllUsers permissions
    ownership: dict[str, str] = field(default_factory=dict)  # bucket -> Object Ownership rule set


@dataclass
class SeededOrg:
    """The organization and its three accounts."""

    organization_id: str
    root_id: str
    units: dict[str, str]  # OU name -> id
    account_parents: dict[str, str]  # account id -> parent id
    scps: dict[str, set[str]]  # policy id -> target ids
    rcps: dict[str, set[str]]
    accounts: dict[str, SeededAccount]


def session_for(account: str) -> boto3.Session:
    """The default (management) session, or one in ``account`` through sts:AssumeRole."""
    base = boto3.Session(region_name=REGION)
    base.events.register(*LOOPBACK_S3CONTROL)
    if account == MANAGEMENT:
        return base
    role = f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
    credentials = base.client("sts").assume_role(RoleArn=role, RoleSessionName="seed")["Credentials"]
    session = boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=REGION,
    )
    session.events.register(*LOOPBACK_S3CONTROL)
    return session


def _managed(iam: IAMClient, seeded: SeededAccount, name: str, versions: int) -> str:
    arn = iam.create_policy(PolicyName=name, PolicyDocument=_doc("s3:GetObject"))["Policy"]["Arn"]
    for number in range(2, versions + 1):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=_doc(f"s3:Get*{number}"), SetAsDefault=True)
    seeded.policies[arn] = (versions, f"v{versions}")
    return arn


def seed_account(
    session: boto3.Session, account: str, *, tag: str, block: BlockLevel = "none"
) -> SeededAccount:
    """Users with keys, console and MFA, groups, roles, policies, resource policies and S3 settings."""
    seeded = SeededAccount(account, block_level=block)
    iam = session.client("iam")
    readers = _managed(iam, seeded, f"{tag}-readers", versions=3)
    boundary = _managed(iam, seeded, f"{tag}-boundary", versions=1)
    deployer = _managed(iam, seeded, f"{tag}-deployer", versions=2)
    iam.create_group(GroupName="admins")
    iam.put_group_policy(GroupName="admins", PolicyName="admins-inline", PolicyDocument=_doc("iam:*"))
    iam.attach_group_policy(GroupName="admins", PolicyArn=readers)
    seeded.groups["admins"] = ({"admins-inline"}, {readers})
    iam.create_group(GroupName="auditors")
    seeded.groups["auditors"] = (set(), set())

    alice = SeededUser(groups={"admins"}, console=True, mfa=True)
    iam.create_user(UserName="alice")
    iam.add_user_to_group(GroupName="admins", UserName="alice")
    iam.create_login_profile(UserName="alice", Password="Correct-Horse-Battery-1")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]
    iam.enable_mfa_device(
        UserName="alice",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )
    key = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    alice.keys[key] = "Active"
    seeded.users["alice"] = alice

    # moto 5.2 keeps no user permissions boundary (put_user_permissions_boundary is not implemented
    # and GAAD shows none); user boundaries are tested on an AWS-shaped GAAD in tests/collect.
    bob = SeededUser(groups={"auditors"}, console=True, mfa=False)
    iam.create_user(UserName="bob")
    iam.add_user_to_group(GroupName="auditors", UserName="bob")
    iam.create_login_profile(UserName="bob", Password="Correct-Horse-Battery-2")
    iam.put_user_policy(UserName="bob", PolicyName="bob-inline", PolicyDocument=_doc("s3:ListBucket"))
    bob.inline.add("bob-inline")
    iam.attach_user_policy(UserName="bob", PolicyArn=deployer)
    bob.managed.add(deployer)
    for status in ("Active", "Inactive"):
        created = iam.create_access_key(UserName="bob")["AccessKey"]["AccessKeyId"]
        if status == "Inactive":
            iam.update_access_key(UserName="bob", AccessKeyId=created, Status="Inactive")
        bob.keys[created] = status
    seeded.users["bob"] = bob

    iam.create_user(UserName="carol")  # no console, no keys, no groups
    seeded.users["carol"] = SeededUser()

    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=trust, PermissionsBoundary=boundary)
    iam.put_role_policy(RoleName="app", PolicyName="app-inline", PolicyDocument=_doc("sqs:*"))
    iam.attach_role_policy(RoleName="app", PolicyArn=deployer)
    seeded.roles["app"] = ({"app-inline"}, {deployer}, boundary)
    iam.create_role(RoleName="ci", AssumeRolePolicyDocument=trust)
    seeded.roles["ci"] = (set(), set(), None)

    _resource_policies(session, account, seeded)
    return seeded


def _resource_policies(session: boto3.Session, account: str, seeded: SeededAccount) -> None:
    bucket = f"data-{account}"
    s3 = session.client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=_doc("s3:GetObject", f"arn:aws:s3:::{bucket}/*").replace(
            '"Effect": "Allow"', '"Effect": "Allow", "Principal": "*"'
        ),
    )
    seeded.resource_policies.add(("s3", bucket))
    seeded.buckets[bucket] = ()
    plain = f"nopolicy-{account}"
    s3.create_bucket(Bucket=plain)  # no policy: no file
    s3.put_bucket_acl(Bucket=plain, ACL="public-read")  # AllUsers READ
    seeded.buckets[plain] = ("READ",)
    if seeded.block_level == "account":
        session.client("s3control").put_public_access_block(
            AccountId=account, PublicAccessBlockConfiguration=ALL_ON
        )
    elif seeded.block_level == "bucket":
        s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=ALL_ON)
        s3.put_bucket_ownership_controls(
            Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
        )
        seeded.ownership[bucket] = "BucketOwnerEnforced"

    kms = session.client("kms")
    key_id = kms.create_key(Description="seed")["KeyMetadata"]["KeyId"]
    seeded.resource_policies.add(("kms", key_id))

    sqs = session.client("sqs")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    queue_policy = _doc("sqs:SendMessage", f"arn:aws:sqs:{REGION}:{account}:jobs").replace(
        '"Effect": "Allow"',
        '"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}',
    )
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": queue_policy})
    seeded.resource_policies.add(("sqs", "jobs"))

    sns = session.client("sns")
    sns.create_topic(Name="alerts")  # moto gives every topic a default policy
    seeded.resource_policies.add(("sns", "alerts"))

    secrets = session.client("secretsmanager")
    arn = secrets.create_secret(Name="db/password", SecretString="not-a-real-secret")["ARN"]
    secrets.put_resource_policy(
        SecretId=arn,
        ResourcePolicy=_doc("secretsmanager:GetSecretValue").replace(
            '"Effect": "Allow"',
            '"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}',
        ),
    )
    seeded.resource_policies.add(("secretsmanager", "db/password"))

    ecr = session.client("ecr")
    ecr.create_repository(repositoryName="images")
    ecr.set_repository_policy(
        repositoryName="images",
        policyText=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "pull",
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "ecr:BatchGetImage",
                    }
                ],
            }
        ),
    )
    seeded.resource_policies.add(("ecr", "images"))

    functions = session.client("lambda")
    functions.create_function(
        FunctionName="handler",
        Runtime="python3.12",
        Role=f"arn:aws:iam::{account}:role/app",
        Handler="index.handler",
        Code={"ZipFile": _zip_of("def handler(event, context):\n    return event\n")},
    )
    functions.add_permission(
        FunctionName="handler",
        StatementId="s3-invoke",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn=f"arn:aws:s3:::{bucket}",
    )
    seeded.resource_policies.add(("lambda", "handler"))
    functions.create_function(
        FunctionName="private",
        Runtime="python3.12",
        Role=f"arn:aws:iam::{account}:role/app",
        Handler="index.handler",
        Code={"ZipFile": _zip_of("def handler(event, context):\n    return None\n")},
    )  # no resource policy: lambda:GetPolicy answers ResourceNotFoundException


def _zip_of(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", source)
    return buffer.getvalue()


def seed_organization() -> SeededOrg:
    """An organization with two OUs, two member accounts, SCPs and an RCP, and IAM in all three."""
    org = boto3.client("organizations", region_name=REGION)
    organization_id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    root_id = org.list_roots()["Roots"][0]["Id"]
    for policy_type in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"):
        org.enable_policy_type(RootId=root_id, PolicyType=policy_type)
    workloads = org.create_organizational_unit(ParentId=root_id, Name="workloads")["OrganizationalUnit"]["Id"]
    prod = org.create_organizational_unit(ParentId=workloads, Name="prod")["OrganizationalUnit"]["Id"]
    members: list[str] = []
    for name in ("dev", "prod"):
        status = org.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
        members.append(status["AccountId"])
    org.move_account(AccountId=members[0], SourceParentId=root_id, DestinationParentId=workloads)
    org.move_account(AccountId=members[1], SourceParentId=root_id, DestinationParentId=prod)
    scp_deny = org.create_policy(
        Name="deny-leave",
        Description="no leaving",
        Type="SERVICE_CONTROL_POLICY",
        Content=_doc("organizations:LeaveOrganization", effect="Deny"),
    )["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=scp_deny, TargetId=workloads)
    org.attach_policy(PolicyId=scp_deny, TargetId=members[1])
    scp_region = org.create_policy(
        Name="deny-iam-users",
        Description="no users in prod",
        Type="SERVICE_CONTROL_POLICY",
        Content=_doc("iam:CreateUser", effect="Deny"),
    )["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=scp_region, TargetId=prod)
    rcp = org.create_policy(
        Name="s3-tls",
        Description="TLS only",
        Type="RESOURCE_CONTROL_POLICY",
        Content=_doc("s3:*", effect="Deny"),
    )["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=rcp, TargetId=root_id)
    # moto attaches FullAWSAccess (SCP and RCP) to every root, OU and account: read targets back.
    scps = _targets(org, "SERVICE_CONTROL_POLICY")
    rcps = _targets(org, "RESOURCE_CONTROL_POLICY")
    assert scps[scp_deny] == {workloads, members[1]}
    assert rcps[rcp] == {root_id}
    accounts = {MANAGEMENT: seed_account(session_for(MANAGEMENT), MANAGEMENT, tag="mgmt")}
    levels: tuple[BlockLevel, ...] = ("account", "bucket")
    for index, member in enumerate(members):
        accounts[member] = seed_account(
            session_for(member), member, tag=f"member{index}", block=levels[index]
        )
    return SeededOrg(
        organization_id=organization_id,
        root_id=root_id,
        units={"workloads": workloads, "prod": prod},
        account_parents={MANAGEMENT: root_id, members[0]: workloads, members[1]: prod},
        scps=scps,
        rcps=rcps,
        accounts=accounts,
    )


def _targets(org: OrganizationsClient, kind: PolicyTypeType) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for summary in org.list_policies(Filter=kind)["Policies"]:
        targets = org.list_targets_for_policy(PolicyId=summary["Id"])["Targets"]
        result[summary["Id"]] = {target["TargetId"] for target in targets}
    return result
