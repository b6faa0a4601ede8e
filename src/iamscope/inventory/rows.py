"""Inventory rows: one flat record per user, key, role, group, policy and attachment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

__all__ = [
    "AttachmentRow",
    "GroupRow",
    "Inventory",
    "KeyRow",
    "PolicyRow",
    "RoleRow",
    "UserRow",
]


@dataclass(frozen=True, slots=True)
class KeyRow:
    """An access key; ``access_key_id`` is None when only the credential report was available."""

    account: str
    user: str
    access_key_id: str | None
    status: str
    created: datetime | None
    age_days: int | None
    last_used: datetime | None
    last_used_service: str | None
    last_used_region: str | None
    slot: int | None = None


@dataclass(frozen=True, slots=True)
class UserRow:
    """A user; ``console_access`` and ``mfa`` are None when no credential report was collected."""

    account: str
    name: str
    arn: str
    created: datetime | None
    console_access: bool | None
    mfa: bool | None
    password_last_used: datetime | None
    groups: tuple[str, ...]
    inline_policies: tuple[str, ...]
    managed_policies: tuple[str, ...]
    permissions_boundary: str | None
    keys: tuple[KeyRow, ...]
    last_activity: datetime | None


@dataclass(frozen=True, slots=True)
class RoleRow:
    """A role, with who may assume it (the trust policy's principals) and when it was last used."""

    account: str
    name: str
    arn: str
    path: str
    created: datetime | None
    last_used: datetime | None
    last_used_region: str | None
    trusted: tuple[str, ...]
    inline_policies: tuple[str, ...]
    managed_policies: tuple[str, ...]
    permissions_boundary: str | None
    service_linked: bool


@dataclass(frozen=True, slots=True)
class GroupRow:
    """A group with its members and policies."""

    account: str
    name: str
    arn: str
    members: tuple[str, ...]
    inline_policies: tuple[str, ...]
    managed_policies: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PolicyRow:
    """A managed policy (customer managed, or AWS managed and attached) and where it is used."""

    account: str
    name: str
    arn: str
    aws_managed: bool
    default_version: str
    versions: int
    attachment_count: int | None
    attached_to: tuple[str, ...]
    boundary_of: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AttachmentRow:
    """One policy on one principal: inline, managed, or a permissions boundary."""

    account: str
    principal_type: Literal["user", "group", "role"]
    principal: str
    kind: Literal["inline", "managed", "boundary"]
    policy: str


@dataclass(frozen=True, slots=True)
class Inventory:
    """The whole inventory at one moment (``as_of``), plus notes on what could not be known."""

    as_of: datetime
    users: tuple[UserRow, ...]
    keys: tuple[KeyRow, ...]
    roles: tuple[RoleRow, ...]
    groups: tuple[GroupRow, ...]
    policies: tuple[PolicyRow, ...]
    attachments: tuple[AttachmentRow, ...]
    notes: tuple[str, ...] = ()
