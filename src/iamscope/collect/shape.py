"""Typed, checked access to raw AWS JSON: a wrong or truncated file gets a message, no traceback."""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import unquote

from iamscope.model.document import JsonObject, JsonValue, json_kind

__all__ = [
    "ShapeError",
    "as_bool",
    "as_int",
    "as_list",
    "as_object",
    "field_list",
    "field_object",
    "field_text",
    "optional_text",
    "policy_document",
    "string_map",
]


class ShapeError(ValueError):
    """A JSON document does not have the shape the AWS API gives it."""


def as_object(value: JsonValue, what: str) -> JsonObject:
    """``value`` as a JSON object, or a ShapeError naming ``what``."""
    if not isinstance(value, dict):
        raise ShapeError(f"{what} should be a JSON object, found {json_kind(value)}")
    return value


def as_list(value: JsonValue, what: str) -> list[JsonValue]:
    """``value`` as a JSON array, or a ShapeError naming ``what``."""
    if not isinstance(value, list):
        raise ShapeError(f"{what} should be a JSON array, found {json_kind(value)}")
    return value


def field_object(parent: Mapping[str, JsonValue], key: str, what: str) -> JsonObject:
    """A required object member."""
    if key not in parent:
        raise ShapeError(f"{what} has no {key!r}")
    return as_object(parent[key], f"{what}.{key}")


def field_list(
    parent: Mapping[str, JsonValue], key: str, what: str, *, required: bool = False
) -> list[JsonValue]:
    """An array member; a missing optional member reads as empty."""
    if key not in parent or parent[key] is None:
        if required:
            raise ShapeError(f"{what} has no {key!r}")
        return []
    return as_list(parent[key], f"{what}.{key}")


def field_text(parent: Mapping[str, JsonValue], key: str, what: str) -> str:
    """A required string member."""
    value = parent.get(key)
    if not isinstance(value, str):
        raise ShapeError(f"{what} has no string {key!r}")
    return value


def optional_text(parent: Mapping[str, JsonValue], key: str) -> str | None:
    """A string member when present (numbers are turned into text), else None."""
    value = parent.get(key)
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def as_bool(value: JsonValue, default: bool = False) -> bool:
    """A JSON boolean (or the strings 'true'/'false' some APIs return)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return default


def as_int(value: JsonValue) -> int | None:
    """A JSON integer (or a numeric string), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def string_map(pairs: JsonValue) -> dict[str, str]:
    """AWS ``[{"Key": k, "Value": v}]`` tag lists as a dict (malformed entries are skipped)."""
    result: dict[str, str] = {}
    if not isinstance(pairs, list):
        return result
    for pair in pairs:
        if isinstance(pair, dict):
            key, value = pair.get("Key"), pair.get("Value")
            if isinstance(key, str) and isinstance(value, str):
                result[key] = value
    return result


def policy_document(value: JsonValue) -> JsonValue:
    """A policy document as JSON: AWS CLI output already has objects; raw API text is decoded.

    The IAM query API returns documents URL-encoded and other services return JSON text; when the
    text cannot be decoded it is returned unchanged so the policy parser can report the fault.
    """
    if not isinstance(value, str):
        return value
    for candidate in (value, unquote(value)):
        try:
            decoded: JsonValue = json.loads(candidate)
        except ValueError:
            continue
        return decoded
    return value
