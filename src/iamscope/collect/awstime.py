"""AWS timestamps as the CLI and the credential report write them, read into aware datetimes."""

from __future__ import annotations

from datetime import UTC, datetime

from iamscope.model.document import JsonValue

__all__ = ["NOT_A_TIME", "format_aws_time", "parse_aws_time"]

# Credential-report placeholders that mean "no time" rather than a malformed value.
NOT_A_TIME = frozenset({"", "N/A", "no_information", "not_supported"})


def parse_aws_time(value: JsonValue) -> datetime | None:
    """An ISO-8601 time (``Z`` or offset, any fraction) or epoch seconds; None if absent.

    Unreadable text also gives None: one odd timestamp must not cost the rest of a file.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text in NOT_A_TIME:
        return None
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def format_aws_time(moment: datetime) -> str:
    """A datetime the way the AWS CLI prints it (``2024-05-01T12:00:00+00:00``)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()
