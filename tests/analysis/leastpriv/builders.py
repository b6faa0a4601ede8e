"""Snapshots for least-privilege tests: the demo startup account with its 15 admin developers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from iamscope.model.document import JsonValue
from iamscope.model.snapshot import (
    AccessKey,
    AccountSnapshot,
    AttachedPolicy,
    CredentialKey,
    CredentialReportRow,
    ManagedPolicy,
    OrgAccount,
    Organization,
    OrgPolicy,
    OrgUnit,
    Role,
    Snapshot,
    User,
)
from iamscope.samples.demo_activity import DEMO_ACCOUNT

ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
ADMIN: JsonValue = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


def developer_arn(index: int) -> str:
    return f"arn:aws:iam::{DEMO_ACCOUNT}:role/developer-{index:02d}"


def demo_snapshot(*, boundary: JsonValue = None, extra_roles: tuple[Role, ...] = ()) -> Snapshot:
    """The startup account: 15 developer roles with AdministratorAccess, an idle user and key."""
    policies = {ADMIN_ARN: ManagedPolicy(arn=ADMIN_ARN, name="AdministratorAccess", document=ADMIN)}
    boundary_arn = None
    if boundary is not None:
        boundary_arn = f"arn:aws:iam::{DEMO_ACCOUNT}:policy/boundary"
        policies[boundary_arn] = ManagedPolicy(arn=boundary_arn, name="boundary", document=boundary)
    roles = tuple(
        Role(
            name=f"developer-{i:02d}",
            arn=developer_arn(i),
            attached_policies=(AttachedPolicy(ADMIN_ARN, "AdministratorAccess"),),
            permissions_boundary=boundary_arn,
        )
        for i in range(1, 16)
    )
    user = User(name="old-ci", arn=f"arn:aws:iam::{DEMO_ACCOUNT}:user/old-ci")
    account = AccountSnapshot(
        account_id=DEMO_ACCOUNT,
        users=(user,),
        groups=(),
        roles=roles + extra_roles,
        policies=policies,
        access_keys=(AccessKey(user_name="old-ci", access_key_id="AKIAOLDCIEXAMPLE0001"),),
    )
    return Snapshot(collected_at=None, accounts={DEMO_ACCOUNT: account})


PRODUCTION = "222222222222"
BREAK_GLASS = f"arn:aws:iam::{PRODUCTION}:user/break-glass"
GUARDRAIL: JsonValue = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Deny",
            "Action": ["organizations:LeaveOrganization", "cloudtrail:StopLogging"],
            "Resource": "*",
        }
    ],
}
FULL_ACCESS: JsonValue = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _report_row(
    name: str, *, password: str | None, key: str | None, key_region: str | None = "ap-south-1"
) -> CredentialReportRow:
    return CredentialReportRow(
        user=name,
        arn=f"arn:aws:iam::{DEMO_ACCOUNT}:user/{name}",
        user_creation_time=_t("2024-01-01T12:00:00"),
        password_enabled=password is not None,
        password_last_used=_t(password) if password else None,
        password_last_changed=None,
        password_next_rotation=None,
        mfa_active=False,
        access_keys=(
            CredentialKey(1, key is not None, None, _t(key) if key else None, key_region if key else None),
            CredentialKey(2, False),
        ),
    )


def audit_snapshot() -> Snapshot:
    """The demo account (logs in the store) with users the credential report knows, and a
    production account with a break-glass admin and no logs; an SCP above both denies two actions.
    The demo logs cover 2025-12-01 to 2026-01-14 (the shadow week to 2026-01-22) in eu-west-1 and
    us-east-1; the credential report saw keys used in ap-south-1."""
    base = demo_snapshot()
    startup = base.accounts[DEMO_ACCOUNT]
    users = (
        User(name="alice", arn=f"arn:aws:iam::{DEMO_ACCOUNT}:user/alice"),
        User(name="old-contractor", arn=f"arn:aws:iam::{DEMO_ACCOUNT}:user/old-contractor"),
        User(name="late", arn=f"arn:aws:iam::{DEMO_ACCOUNT}:user/late"),
    )
    report = (
        _report_row("alice", password="2026-01-13T12:00:00", key="2026-01-13T12:00:00"),
        _report_row("old-contractor", password="2025-06-29T12:00:00", key="2025-07-09T12:00:00"),
        _report_row("late", password="2026-02-01T12:00:00", key=None),
    )
    startup = replace(startup, users=users, credential_report=report, access_keys=None)
    admin = {ADMIN_ARN: ManagedPolicy(arn=ADMIN_ARN, name="AdministratorAccess", document=ADMIN)}
    production = AccountSnapshot(
        account_id=PRODUCTION,
        users=(
            User(
                name="break-glass",
                arn=BREAK_GLASS,
                attached_policies=(AttachedPolicy(ADMIN_ARN, "AdministratorAccess"),),
            ),
        ),
        groups=(),
        roles=(),
        policies=admin,
    )
    organization = Organization(
        id="o-test",
        management_account_id=DEMO_ACCOUNT,
        units=(OrgUnit("r-test", "Root", None),),
        accounts=(
            OrgAccount(DEMO_ACCOUNT, "startup", "r-test"),
            OrgAccount(PRODUCTION, "production", "r-test"),
        ),
        policies=(
            OrgPolicy(
                "p-full",
                "FullAWSAccess",
                "SERVICE_CONTROL_POLICY",
                FULL_ACCESS,
                ("r-test", DEMO_ACCOUNT, PRODUCTION),
            ),
            OrgPolicy("p-guard", "guardrails", "SERVICE_CONTROL_POLICY", GUARDRAIL, ("r-test",)),
        ),
    )
    return Snapshot(
        collected_at=None,
        accounts={DEMO_ACCOUNT: startup, PRODUCTION: production},
        organization=organization,
    )
