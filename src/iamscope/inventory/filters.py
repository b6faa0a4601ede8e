"""Everyday inventory questions as filters: old keys, console without MFA, unused identities."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from iamscope.inventory.rows import Inventory, KeyRow, RoleRow, UserRow

__all__ = ["InventoryFilter", "apply_filter"]


@dataclass(frozen=True, slots=True)
class InventoryFilter:
    """Which principals to keep; every criterion given must hold (they combine with AND)."""

    keys_older_than: int | None = None  # days
    console_without_mfa: bool = False
    unused_for: int | None = None  # days

    @property
    def active(self) -> bool:
        """True when at least one criterion is set."""
        return self.keys_older_than is not None or self.console_without_mfa or self.unused_for is not None


def apply_filter(inventory: Inventory, criteria: InventoryFilter) -> Inventory:
    """Users, keys and roles that match; groups and policies are dropped when a filter is active."""
    if not criteria.active:
        return inventory
    as_of = inventory.as_of
    users = []
    for user in inventory.users:
        keys = tuple(key for key in user.keys if _key_matches(key, criteria, as_of))
        if _user_matches(user, keys, criteria, as_of):
            users.append(replace(user, keys=keys) if criteria.keys_older_than is not None else user)
    kept_users = {(user.account, user.name) for user in users}
    listed = {(user.account, user.name) for user in inventory.users}
    keys = tuple(
        key
        for key in inventory.keys
        if _key_matches(key, criteria, as_of)
        and ((key.account, key.user) in kept_users or _holder_unlisted(key, listed, criteria))
    )
    roles: tuple[RoleRow, ...] = ()
    if (
        criteria.unused_for is not None
        and criteria.keys_older_than is None
        and not criteria.console_without_mfa
    ):
        roles = tuple(role for role in inventory.roles if _role_unused(role, criteria.unused_for, as_of))
    kept = kept_users | {(role.account, role.name) for role in roles}
    attachments = tuple(
        a for a in inventory.attachments if a.principal_type != "group" and (a.account, a.principal) in kept
    )
    return replace(
        inventory,
        users=tuple(users),
        keys=keys,
        roles=roles,
        groups=(),
        policies=(),
        attachments=attachments,
    )


def _days_since(moment: datetime | None, as_of: datetime) -> int | None:
    return None if moment is None else (as_of - moment).days


def _unused(last_used: datetime | None, created: datetime | None, days: int, as_of: datetime) -> bool:
    """Not used in the last ``days`` days; never used counts once the identity is that old."""
    since_use = _days_since(last_used, as_of)
    if since_use is not None:
        return since_use >= days
    since_creation = _days_since(created, as_of)
    return since_creation is None or since_creation >= days


def _key_matches(key: KeyRow, criteria: InventoryFilter, as_of: datetime) -> bool:
    if criteria.keys_older_than is not None and (
        key.age_days is None or key.age_days <= criteria.keys_older_than
    ):
        return False
    return criteria.unused_for is None or _unused(key.last_used, key.created, criteria.unused_for, as_of)


def _holder_unlisted(key: KeyRow, listed: set[tuple[str, str]], criteria: InventoryFilter) -> bool:
    """A key whose holder is no user row: the root user's, which matters most.

    The credential report's ``<root_account>`` row is not an IAM user, so the users table never
    lists it, but its keys are in the keys table and key criteria apply to them. Only the console
    criterion, which is about users, cannot hold for a key alone.
    """
    return (key.account, key.user) not in listed and not criteria.console_without_mfa


def _user_matches(
    user: UserRow, keys: tuple[KeyRow, ...], criteria: InventoryFilter, as_of: datetime
) -> bool:
    if criteria.console_without_mfa and not (user.console_access is True and user.mfa is False):
        return False
    if criteria.keys_older_than is not None and not keys:
        return False
    return criteria.unused_for is None or _unused(
        user.last_activity, user.created, criteria.unused_for, as_of
    )


def _role_unused(role: RoleRow, days: int, as_of: datetime) -> bool:
    return not role.service_linked and _unused(role.last_used, role.created, days, as_of)
