"""Builders for Snapshot objects in tests: a compliant account to start from, and pieces to break it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from iamscope.analysis.checks.monitoring import IAM_CONFIG_RULES
from iamscope.model.document import JsonValue
from iamscope.model.snapshot import (
    AccountSnapshot,
    Analyzer,
    AttachedPolicy,
    ConfigRule,
    CredentialKey,
    CredentialReportRow,
    EventRule,
    Group,
    InlinePolicy,
    ManagedPolicy,
    Organization,
    PasswordPolicy,
    Role,
    Snapshot,
    User,
)

AS_OF = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
ACCOUNT = "111111111111"
REGIONS = ("eu-west-1", "us-east-1")

ADMIN_DOC: JsonValue = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
SUPPORT_DOC: JsonValue = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["support:*"], "Resource": "*"}],
}
READ_DOC: JsonValue = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::bucket/*"}],
}
SERVICE_TRUST_EC2: JsonValue = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def days_ago(days: float) -> datetime:
    """A moment ``days`` before :data:`AS_OF`."""
    return AS_OF - timedelta(days=days)


def aws_policy(name: str, document: JsonValue = SUPPORT_DOC) -> ManagedPolicy:
    """An AWS managed policy."""
    return ManagedPolicy(arn=f"arn:aws:iam::aws:policy/{name}", name=name, document=document)


def customer_policy(name: str, document: JsonValue, account: str = ACCOUNT) -> ManagedPolicy:
    """A customer managed policy."""
    return ManagedPolicy(arn=f"arn:aws:iam::{account}:policy/{name}", name=name, document=document)


def attached(policy: ManagedPolicy) -> AttachedPolicy:
    """An attachment of ``policy``."""
    return AttachedPolicy(arn=policy.arn, name=policy.name)


def key(slot: int, *, active: bool = True, rotated: float = 10, used: float | None = 1) -> CredentialKey:
    """A credential report key slot rotated/used ``n`` days before AS_OF (None: never used)."""
    return CredentialKey(
        slot=slot,
        active=active,
        last_rotated=days_ago(rotated),
        last_used=None if used is None else days_ago(used),
    )


def cred_row(
    name: str,
    account: str = ACCOUNT,
    *,
    password: bool = True,
    mfa: bool = True,
    created: float = 400,
    password_used: float | None = 2,
    keys: Sequence[CredentialKey] = (),
) -> CredentialReportRow:
    """A credential report row for user ``name``."""
    return CredentialReportRow(
        user=name,
        arn=f"arn:aws:iam::{account}:user/{name}",
        user_creation_time=days_ago(created),
        password_enabled=password,
        password_last_used=days_ago(password_used) if password_used is not None else None,
        password_last_changed=days_ago(created),
        password_next_rotation=None,
        mfa_active=mfa,
        access_keys=tuple(keys),
    )


def root_row(
    account: str = ACCOUNT,
    *,
    mfa: bool = True,
    keys: Sequence[CredentialKey] = (),
    password_used: float | None = None,
    password: bool | None = None,
) -> CredentialReportRow:
    """The ``<root_account>`` row (password_enabled is 'not_supported', i.e. None, by default)."""
    return CredentialReportRow(
        user="<root_account>",
        arn=f"arn:aws:iam::{account}:root",
        user_creation_time=days_ago(2000),
        password_enabled=password,
        password_last_used=days_ago(password_used) if password_used is not None else None,
        password_last_changed=None,
        password_next_rotation=None,
        mfa_active=mfa,
        access_keys=tuple(keys),
    )


def user(
    name: str,
    account: str = ACCOUNT,
    *,
    groups: Sequence[str] = ("engineers",),
    policies: Sequence[ManagedPolicy] = (),
    inline: Mapping[str, JsonValue] | None = None,
) -> User:
    """An IAM user."""
    return User(
        name=name,
        arn=f"arn:aws:iam::{account}:user/{name}",
        created=days_ago(400),
        groups=tuple(groups),
        attached_policies=tuple(attached(p) for p in policies),
        inline_policies=tuple(InlinePolicy(n, d) for n, d in (inline or {}).items()),
    )


def role(
    name: str,
    account: str = ACCOUNT,
    *,
    trust: JsonValue = SERVICE_TRUST_EC2,
    policies: Sequence[ManagedPolicy] = (),
    inline: Mapping[str, JsonValue] | None = None,
    path: str = "/",
    created: float = 400,
    last_used: float | None = 3,
    tags: Mapping[str, str] | None = None,
    boundary: str | None = None,
) -> Role:
    """An IAM role."""
    return Role(
        name=name,
        arn=f"arn:aws:iam::{account}:role{path}{name}",
        path=path,
        created=days_ago(created),
        trust_policy=trust,
        attached_policies=tuple(attached(p) for p in policies),
        inline_policies=tuple(InlinePolicy(n, d) for n, d in (inline or {}).items()),
        last_used=None if last_used is None else days_ago(last_used),
        tags=dict(tags or {}),
        permissions_boundary=boundary,
    )


ROOT_RULE = EventRule(
    name="root-activity",
    region="us-east-1",
    event_pattern='{"detail": {"userIdentity": {"type": ["Root"]}}}',
    state="ENABLED",
)
IAM_RULE = EventRule(
    name="iam-changes",
    region="us-east-1",
    event_pattern='{"source": ["aws.iam"]}',
    state="ENABLED",
)
CONFIG_RULES = tuple(
    ConfigRule(name=name.lower(), region="us-east-1", source_identifier=name, state="ACTIVE")
    for name in IAM_CONFIG_RULES
)


def compliant_account(account: str = ACCOUNT) -> AccountSnapshot:
    """An account where every automated CIS section-1 control passes and nothing else is wrong."""
    support = aws_policy("AWSSupportAccess")
    read = customer_policy("read-bucket", READ_DOC, account)
    return AccountSnapshot(
        account_id=account,
        users=(user("alice", account),),
        groups=(
            Group(
                name="engineers",
                arn=f"arn:aws:iam::{account}:group/engineers",
                attached_policies=(attached(read),),
            ),
        ),
        roles=(role("support", account, policies=(support,)),),
        policies={support.arn: support, read.arn: read},
        credential_report=(root_row(account), cred_row("alice", account)),
        password_policy=PasswordPolicy(minimum_length=14, reuse_prevention=24),
        password_policy_status="present",
        account_summary={"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0},
        virtual_mfa_devices=(),
        server_certificates=(),
        identity_providers=(),
        access_keys=(),
        analyzers=tuple(
            Analyzer(
                name="account",
                arn=f"arn:aws:access-analyzer:{r}:{account}:analyzer/account",
                region=r,
                type="ACCOUNT",
                status="ACTIVE",
            )
            for r in REGIONS
        ),
        analyzer_regions=REGIONS,
        config_rules=CONFIG_RULES,
        event_rules=(ROOT_RULE, IAM_RULE),
        metric_filters=(),
        trails=(),
        resource_policies=(),
        regions=REGIONS,
    )


def snapshot(
    *accounts: AccountSnapshot,
    organization: Organization | None = None,
    collected_at: datetime = AS_OF,
) -> Snapshot:
    """A snapshot of the given accounts (one compliant account when none are given)."""
    chosen = accounts or (compliant_account(),)
    return Snapshot(
        collected_at=collected_at,
        accounts={a.account_id: a for a in chosen},
        organization=organization,
        source="tests",
    )
