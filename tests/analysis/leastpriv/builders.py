"""Snapshots for least-privilege tests: the demo startup account with its 15 admin developers."""

from __future__ import annotations

from iamscope.model.document import JsonValue
from iamscope.model.snapshot import (
    AccessKey,
    AccountSnapshot,
    AttachedPolicy,
    ManagedPolicy,
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
