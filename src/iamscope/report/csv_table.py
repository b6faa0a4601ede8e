"""Findings as CSV, one row per finding, for spreadsheets and ticket imports.

Cells that a spreadsheet would run as a formula (leading ``=``, ``+``, ``-``, ``@``) are prefixed
with a quote: resource names and tags are account-controlled text.
"""

from __future__ import annotations

import csv
import io

from iamscope.report.view import ReportView

__all__ = ["COLUMNS", "render_csv"]

COLUMNS = (
    "id",
    "severity",
    "check",
    "title",
    "account_id",
    "resource",
    "message",
    "compliance",
    "remediation",
    "suppressed_reason",
)


def _cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def render_csv(view: ReportView) -> str:
    """Header plus one row per finding (suppressed ones last, with their reason)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for item in (*view.assessment.findings, *view.assessment.suppressed):
        compliance = "; ".join(f"{k}:{','.join(v)}" for k, v in item.compliance.items())
        row = (
            item.id,
            item.severity.value,
            item.check,
            item.title,
            item.account_id,
            " ".join(item.resources),
            item.message,
            compliance,
            item.remediation.text,
            item.suppressed_reason or "",
        )
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()
