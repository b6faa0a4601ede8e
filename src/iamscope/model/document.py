"""The JSON value type, so raw AWS documents (policies, responses) cross layers typed, not as Any."""

from __future__ import annotations

import json
from typing import TypeAlias

__all__ = ["JsonObject", "JsonValue", "json_kind", "json_syntax_fault"]

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


def json_syntax_fault(error: json.JSONDecodeError) -> str:
    """A JSON syntax error in words, located: ``not valid JSON: Expecting value at line 3 column 1``.

    One-line documents are located by column only; an error at the very end of the text (or a
    string still open there) adds ``(truncated file?)``.
    """
    text = error.doc
    one_line = "\n" not in text.rstrip()
    where = f"column {error.colno}" if one_line else f"line {error.lineno} column {error.colno}"
    message = error.msg.removesuffix(" at")  # "Unterminated string starting at": the position follows
    truncated = error.pos >= len(text.rstrip()) or error.msg.startswith("Unterminated string")
    return f"not valid JSON: {message} at {where}" + (" (truncated file?)" if truncated else "")
