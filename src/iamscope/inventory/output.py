"""The inventory as JSON (every table) or CSV (one table), for scripts and spreadsheets."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import fields
from datetime import datetime
from typing import Literal

from iamscope.inventory import rows as row_types
from iamscope.inventory.rows import Inventory
from iamscope.model.document import JsonValue

__all__ = ["VIEWS", "View", "inventory_csv", "inventory_json", "rows_of"]

View = Literal["users", "keys", "roles", "groups", "policies", "attachments"]
VIEWS: tuple[View, ...] = ("users", "keys", "roles", "groups", "policies", "attachments")


def _value(value: object) -> JsonValue:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_value(item) for item in value]
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _value(getattr(value, f.name)) for f in fields(value)}  # type: ignore[arg-type]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def rows_of(inventory: Inventory, view: View) -> list[dict[str, JsonValue]]:
    """One view's rows as plain dicts (datetimes as ISO text); users' keys are in the keys view."""
    result: list[dict[str, JsonValue]] = []
    for row in getattr(inventory, view):
        record = {f.name: _value(getattr(row, f.name)) for f in fields(row)}
        if view == "users":
            record["keys"] = [key.access_key_id or f"slot {key.slot}" for key in row.keys]
        result.append(record)
    return result


def inventory_json(inventory: Inventory, views: tuple[View, ...] = VIEWS) -> str:
    """The chosen views (all by default) in one JSON document."""
    document: dict[str, JsonValue] = {"as_of": inventory.as_of.isoformat()}
    for view in views:
        document[view] = list(rows_of(inventory, view))
    document["notes"] = list(inventory.notes)
    return json.dumps(document, indent=2) + "\n"


def inventory_csv(inventory: Inventory, view: View) -> str:
    """One view as CSV; list cells are joined with ``;``."""
    rows = rows_of(inventory, view)
    buffer = io.StringIO()
    kind = {
        "users": row_types.UserRow,
        "keys": row_types.KeyRow,
        "roles": row_types.RoleRow,
        "groups": row_types.GroupRow,
        "policies": row_types.PolicyRow,
        "attachments": row_types.AttachmentRow,
    }[view]
    header = [f.name for f in fields(kind)]
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: _cell(row.get(name)) for name in header})
    return buffer.getvalue()


def _cell(value: JsonValue) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(_cell(item) for item in value)
    return str(value)
