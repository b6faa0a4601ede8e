"""The IAM inventory: who exists, what is attached to whom, the state of passwords, MFA, keys."""

from __future__ import annotations

from iamscope.inventory.build import build_inventory
from iamscope.inventory.filters import InventoryFilter, apply_filter
from iamscope.inventory.rows import (
    AttachmentRow,
    GroupRow,
    Inventory,
    KeyRow,
    PolicyRow,
    RoleRow,
    UserRow,
)

__all__ = [
    "AttachmentRow",
    "GroupRow",
    "Inventory",
    "InventoryFilter",
    "KeyRow",
    "PolicyRow",
    "RoleRow",
    "UserRow",
    "apply_filter",
    "build_inventory",
]
