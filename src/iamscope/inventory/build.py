"""A Snapshot turned into inventory rows, ages counted against an explicit ``as_of`` (no clock)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from iamscope.inventory.rows import (
    AttachmentRow,
    GroupRow,
    Inventory,
    KeyRow,
    PolicyRow,
    RoleRow,
    UserRow,
)
from iamscope.model.document import JsonValue
from iamscope.model.snapshot import AccountSnapshot, CredentialReportRow, Snapshot

__all__ = ["age_in_days", "build_inventory", "trusted_principals"]


def age_in_days(moment: datetime | None, as_of: datetime) -> int | None:
    """Whole days from ``moment`` to ``as_of`` (None when unknown)."""
    if moment is None:
        return None
    return (as_of - moment).days


def build_inventory(snapshot: Snapshot, as_of: datetime) -> Inventory:
    """Every account of the snapshot as rows; notes say which parts were not collected."""
    users: list[UserRow] = []
    keys: list[KeyRow] = []
    roles: list[RoleRow] = []
    groups: list[GroupRow] = []
    policies: list[PolicyRow] = []
    attachments: list[AttachmentRow] = []
    notes: list[str] = []
    for account_id in sorted(snapshot.accounts):
        account = snapshot.accounts[account_id]
        account_keys = _keys(account, as_of)
        keys.extend(account_keys)
        users.extend(_users(account, account_keys, notes))
        roles.extend(_roles(account))
        groups.extend(_groups(account))
        policies.extend(_policies(account))
        attachments.extend(_attachments(account))
        if account.users is None and account.credential_report is None:
            notes.append(f"{account_id}: users were not collected")
        if account.roles is None:
            notes.append(f"{account_id}: roles, groups and policies were not collected")
        if account.credential_report is None and account.users is not None:
            notes.append(f"{account_id}: no credential report: console access and MFA unknown")
        if account.access_keys is None and account.credential_report is not None:
            notes.append(f"{account_id}: key ids unknown (only the credential report was read)")
    return Inventory(
        as_of=as_of,
        users=tuple(users),
        keys=tuple(keys),
        roles=tuple(roles),
        groups=tuple(groups),
        policies=tuple(policies),
        attachments=tuple(attachments),
        notes=tuple(notes),
    )


def _report_rows(account: AccountSnapshot) -> dict[str, CredentialReportRow]:
    return {row.user: row for row in account.credential_report or () if not row.is_root}


def _keys(account: AccountSnapshot, as_of: datetime) -> list[KeyRow]:
    rows: list[KeyRow] = []
    if account.access_keys is not None:
        for key in account.access_keys:
            rows.append(
                KeyRow(
                    account=account.account_id,
                    user=key.user_name,
                    access_key_id=key.access_key_id,
                    status=key.status,
                    created=key.created,
                    age_days=age_in_days(key.created, as_of),
                    last_used=key.last_used,
                    last_used_service=key.last_used_service,
                    last_used_region=key.last_used_region,
                )
            )
    # Only the credential report (or, for root, whose keys list-access-keys does not show):
    # keys by slot, with their rotation time as creation time.
    report_rows = account.credential_report or ()
    if account.access_keys is not None:
        report_rows = tuple(row for row in report_rows if row.is_root)
    for row in report_rows:
        for slot in row.access_keys:
            if not slot.active and slot.last_rotated is None:
                continue
            rows.append(
                KeyRow(
                    account=account.account_id,
                    user=row.user,
                    access_key_id=None,
                    status="Active" if slot.active else "Inactive",
                    created=slot.last_rotated,
                    age_days=age_in_days(slot.last_rotated, as_of),
                    last_used=slot.last_used,
                    last_used_service=slot.last_used_service,
                    last_used_region=slot.last_used_region,
                    slot=slot.slot,
                )
            )
    return rows


def _users(account: AccountSnapshot, keys: list[KeyRow], notes: list[str]) -> list[UserRow]:
    report = _report_rows(account)
    by_user: dict[str, list[KeyRow]] = defaultdict(list)
    for key in keys:
        by_user[key.user].append(key)
    result: list[UserRow] = []
    if account.users is not None:
        for user in account.users:
            row = report.get(user.name)
            result.append(
                _user_row(
                    account.account_id,
                    user.name,
                    arn=user.arn,
                    created=user.created,
                    report=row,
                    keys=tuple(by_user[user.name]),
                    groups=user.groups,
                    inline=tuple(p.name for p in user.inline_policies),
                    managed=tuple(p.arn for p in user.attached_policies),
                    boundary=user.permissions_boundary,
                )
            )
        return result
    for name, row in report.items():
        result.append(
            _user_row(
                account.account_id,
                name,
                arn=row.arn,
                created=row.user_creation_time,
                report=row,
                keys=tuple(by_user[name]),
                groups=(),
                inline=(),
                managed=(),
                boundary=None,
            )
        )
    return result


def _user_row(
    account: str,
    name: str,
    *,
    arn: str,
    created: datetime | None,
    report: CredentialReportRow | None,
    keys: tuple[KeyRow, ...],
    groups: tuple[str, ...],
    inline: tuple[str, ...],
    managed: tuple[str, ...],
    boundary: str | None,
) -> UserRow:
    uses = [key.last_used for key in keys if key.last_used is not None]
    if report is not None and report.password_last_used is not None:
        uses.append(report.password_last_used)
    return UserRow(
        account=account,
        name=name,
        arn=arn,
        created=created,
        console_access=report.password_enabled is True if report is not None else None,
        mfa=report.mfa_active if report is not None else None,
        password_last_used=report.password_last_used if report is not None else None,
        groups=groups,
        inline_policies=inline,
        managed_policies=managed,
        permissions_boundary=boundary,
        keys=keys,
        last_activity=max(uses) if uses else None,
    )


def trusted_principals(trust_policy: JsonValue) -> tuple[str, ...]:
    """Principals that an Allow statement of a trust policy names (AWS, Service, Federated, '*')."""
    found: list[str] = []
    statements = trust_policy.get("Statement") if isinstance(trust_policy, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    for statement in statements if isinstance(statements, list) else []:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        if principal == "*":
            found.append("*")
        elif isinstance(principal, dict):
            for value in principal.values():
                values = value if isinstance(value, list) else [value]
                found.extend(v for v in values if isinstance(v, str))
    return tuple(dict.fromkeys(found))


def _roles(account: AccountSnapshot) -> list[RoleRow]:
    return [
        RoleRow(
            account=account.account_id,
            name=role.name,
            arn=role.arn,
            path=role.path,
            created=role.created,
            last_used=role.last_used,
            last_used_region=role.last_used_region,
            trusted=trusted_principals(role.trust_policy),
            inline_policies=tuple(p.name for p in role.inline_policies),
            managed_policies=tuple(p.arn for p in role.attached_policies),
            permissions_boundary=role.permissions_boundary,
            service_linked=role.is_service_linked,
        )
        for role in account.roles or ()
    ]


def _groups(account: AccountSnapshot) -> list[GroupRow]:
    members: dict[str, list[str]] = defaultdict(list)
    for user in account.users or ():
        for group in user.groups:
            members[group].append(user.name)
    return [
        GroupRow(
            account=account.account_id,
            name=group.name,
            arn=group.arn,
            members=tuple(members[group.name]),
            inline_policies=tuple(p.name for p in group.inline_policies),
            managed_policies=tuple(p.arn for p in group.attached_policies),
        )
        for group in account.groups or ()
    ]


def _policies(account: AccountSnapshot) -> list[PolicyRow]:
    attached: dict[str, list[str]] = defaultdict(list)
    boundaries: dict[str, list[str]] = defaultdict(list)
    for user in account.users or ():
        for policy in user.attached_policies:
            attached[policy.arn].append(user.arn)
        if user.permissions_boundary:
            boundaries[user.permissions_boundary].append(user.arn)
    for group in account.groups or ():
        for policy in group.attached_policies:
            attached[policy.arn].append(group.arn)
    for role in account.roles or ():
        for policy in role.attached_policies:
            attached[policy.arn].append(role.arn)
        if role.permissions_boundary:
            boundaries[role.permissions_boundary].append(role.arn)
    rows: list[PolicyRow] = []
    managed = account.policies or {}
    for arn in sorted(managed):
        managed_policy = managed[arn]
        if managed_policy.aws_managed and not attached[arn] and not boundaries[arn]:
            continue  # the ~1,000 unused AWS managed policies are noise in an inventory
        rows.append(
            PolicyRow(
                account=account.account_id,
                name=managed_policy.name,
                arn=arn,
                aws_managed=managed_policy.aws_managed,
                default_version=managed_policy.default_version_id,
                versions=len(managed_policy.versions),
                attachment_count=managed_policy.attachment_count,
                attached_to=tuple(attached[arn]),
                boundary_of=tuple(boundaries[arn]),
            )
        )
    return rows


def _attachments(account: AccountSnapshot) -> list[AttachmentRow]:
    rows: list[AttachmentRow] = []
    owner = account.account_id
    for user in account.users or ():
        rows.extend(AttachmentRow(owner, "user", user.name, "inline", p.name) for p in user.inline_policies)
        rows.extend(AttachmentRow(owner, "user", user.name, "managed", p.arn) for p in user.attached_policies)
        if user.permissions_boundary:
            rows.append(AttachmentRow(owner, "user", user.name, "boundary", user.permissions_boundary))
    for group in account.groups or ():
        rows.extend(
            AttachmentRow(owner, "group", group.name, "inline", p.name) for p in group.inline_policies
        )
        rows.extend(
            AttachmentRow(owner, "group", group.name, "managed", p.arn) for p in group.attached_policies
        )
    for role in account.roles or ():
        rows.extend(AttachmentRow(owner, "role", role.name, "inline", p.name) for p in role.inline_policies)
        rows.extend(AttachmentRow(owner, "role", role.name, "managed", p.arn) for p in role.attached_policies)
        if role.permissions_boundary:
            rows.append(AttachmentRow(owner, "role", role.name, "boundary", role.permissions_boundary))
    return rows
