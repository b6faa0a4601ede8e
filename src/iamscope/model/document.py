"""The JSON value type, so raw AWS documents (policies, responses) cross layers typed, not as Any."""

from __future__ import annotations

from typing import TypeAlias

__all__ = ["JsonObject", "JsonValue", "json_kind"]

JsonValue: TypeAlias = bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"] | None
JsonObject: TypeAlias = dict[str, JsonValue]


def json_kind(value: JsonValue) -> str:
    """What a JSON value is, for error messages: ``a string``, ``a list``, ``null``..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"
