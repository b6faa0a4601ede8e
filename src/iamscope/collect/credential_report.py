"""The IAM credential report CSV read into rows, checked for the columns that checks rely on."""

from __future__ import annotations

import csv
import io

from iamscope.collect.awstime import parse_aws_time
from iamscope.model.snapshot import CredentialKey, CredentialReportRow

__all__ = [
    "CERTIFICATE_COLUMNS",
    "COLUMNS",
    "REQUIRED_COLUMNS",
    "CredentialReportError",
    "looks_like_credential_report",
    "parse_credential_report",
]

REQUIRED_COLUMNS: tuple[str, ...] = (
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
)
CERTIFICATE_COLUMNS: tuple[str, ...] = (
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
)
# Every column of the report AWS writes, in AWS's order.
COLUMNS: tuple[str, ...] = REQUIRED_COLUMNS + CERTIFICATE_COLUMNS


class CredentialReportError(ValueError):
    """The text is not a usable credential report (wrong file, missing columns, short rows)."""


def looks_like_credential_report(text: str) -> bool:
    """True when the first line is a CSV header that starts like AWS's credential report."""
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip()
    return first.startswith("user,arn,")


def parse_credential_report(text: str) -> tuple[CredentialReportRow, ...]:
    """Rows of the report; raises CredentialReportError naming what is wrong."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        raise CredentialReportError("the file is empty, expected a credential report CSV") from None
    except csv.Error as error:
        raise CredentialReportError(f"not readable as CSV: {error}") from None
    columns = [name.strip() for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise CredentialReportError("not a credential report: missing column(s) " + ", ".join(missing))
    index = {name: position for position, name in enumerate(columns)}
    rows: list[CredentialReportRow] = []
    try:
        for line_number, cells in enumerate(reader, start=2):
            if not cells or all(not cell.strip() for cell in cells):
                continue
            if len(cells) < len(columns):
                raise CredentialReportError(
                    f"line {line_number} has {len(cells)} fields, the header has {len(columns)}"
                    " (truncated file?)"
                )
            rows.append(_row({name: cells[position] for name, position in index.items()}))
    except csv.Error as error:
        raise CredentialReportError(f"not readable as CSV: {error}") from None
    return tuple(rows)


def _row(cell: dict[str, str]) -> CredentialReportRow:
    password = cell["password_enabled"].strip().lower()
    keys = tuple(
        CredentialKey(
            slot=slot,
            active=_flag(cell[f"access_key_{slot}_active"]),
            last_rotated=parse_aws_time(cell[f"access_key_{slot}_last_rotated"]),
            last_used=parse_aws_time(cell[f"access_key_{slot}_last_used_date"]),
            last_used_region=_text(cell[f"access_key_{slot}_last_used_region"]),
            last_used_service=_text(cell[f"access_key_{slot}_last_used_service"]),
        )
        for slot in (1, 2)
    )
    certificates: tuple[CredentialKey, ...] = ()
    if all(name in cell for name in CERTIFICATE_COLUMNS):
        certificates = tuple(
            CredentialKey(
                slot=slot,
                active=_flag(cell[f"cert_{slot}_active"]),
                last_rotated=parse_aws_time(cell[f"cert_{slot}_last_rotated"]),
            )
            for slot in (1, 2)
        )
    return CredentialReportRow(
        user=cell["user"],
        arn=cell["arn"],
        user_creation_time=parse_aws_time(cell["user_creation_time"]),
        password_enabled=None if password == "not_supported" else password == "true",
        password_last_used=parse_aws_time(cell["password_last_used"]),
        password_last_changed=parse_aws_time(cell["password_last_changed"]),
        password_next_rotation=parse_aws_time(cell["password_next_rotation"]),
        mfa_active=_flag(cell["mfa_active"]),
        access_keys=keys,
        certificates=certificates,
    )


def _flag(text: str) -> bool:
    return text.strip().lower() == "true"


def _text(text: str) -> str | None:
    value = text.strip()
    return None if value in {"", "N/A", "no_information", "not_supported"} else value
