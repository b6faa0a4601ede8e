"""The findings JSON document (design §5): versioned, stable ids, controls and scores.

The schema is ``FINDINGS_SCHEMA_VERSION``; the README documents every field. Other formats
(csv, ocsf, asff) reuse :func:`finding_json` so a finding means the same thing everywhere.
"""

from __future__ import annotations

import msgspec

from iamscope.model.document import JsonObject, JsonValue
from iamscope.model.findings import (
    FINDINGS_SCHEMA_VERSION,
    ControlResult,
    Finding,
    FrameworkScore,
    LevelScore,
    Severity,
)
from iamscope.report.view import ReportView

__all__ = ["assessment_json", "finding_json", "pretty_json", "render_json"]


def pretty_json(value: JsonValue) -> str:
    """JSON indented by two spaces, keys in insertion order, non-ASCII kept, one final newline.

    Every JSON report goes through here; msgspec's C encoder is used because the standard
    library falls back to pure Python as soon as ``indent`` is set (seconds on large accounts).
    """
    return msgspec.json.format(msgspec.json.encode(value), indent=2).decode("utf-8") + "\n"


def finding_json(item: Finding, view: ReportView | None = None) -> JsonObject:
    """One finding as the document's ``findings[]`` entry (commands as the view rewrites them)."""
    commands = view.commands(item) if view is not None else item.remediation.commands
    files: list[JsonValue] = [
        {"path": f.path, "kind": f.kind, "note": f.note}
        for f in (view.remediation.files_of(item) if view is not None else ())
    ]
    out: JsonObject = {
        "id": item.id,
        "check": item.check,
        "title": item.title,
        "severity": item.severity.value,
        "account_id": item.account_id,
        "resources": list(item.resources),
        "message": item.message,
        "evidence": dict(item.evidence),
        "remediation": {
            "text": item.remediation.text,
            "commands": list(commands),
            "policy": item.remediation.policy_snippet,
            "files": files,
        },
        "compliance": {k: list(v) for k, v in item.compliance.items()},
    }
    if item.suppressed_reason is not None:
        out["suppressed_reason"] = item.suppressed_reason
    return out


def _level(score: LevelScore) -> JsonObject:
    return {
        "passed": score.passed,
        "failed": score.failed,
        "not_collected": score.not_collected,
        "score": score.score,
    }


def _score(score: FrameworkScore) -> JsonObject:
    return {
        "title": score.title,
        **_level(score.overall),
        "levels": {k: _level(v) for k, v in score.levels.items()},
        "accounts": {k: _level(v) for k, v in score.accounts.items()},
    }


def _control(control: ControlResult) -> JsonObject:
    return {
        "framework": control.framework,
        "id": control.control_id,
        "title": control.title,
        "level": control.level,
        "benchmark_assessment": control.benchmark_assessment,
        "status": control.status,
        "checks": list(control.checks),
        "accounts": dict(control.accounts),
        "findings": list(control.finding_ids),
        "reason": control.reason,
    }


def assessment_json(view: ReportView) -> JsonObject:
    """The whole document as JSON-ready data."""
    a = view.assessment
    counts = a.counts()
    by_severity: JsonObject = {s.value: counts[s] for s in Severity}
    findings: list[JsonValue] = [finding_json(f, view) for f in a.findings]
    suppressed: list[JsonValue] = [finding_json(f, view) for f in a.suppressed]
    return {
        "schema": FINDINGS_SCHEMA_VERSION,
        "generator": {
            "name": "iamscope",
            "version": a.iamscope_version,
            "iam_catalog_version": a.catalog_version,
        },
        "as_of": a.as_of.isoformat(),
        "source": a.source,
        "accounts": list(a.accounts),
        "summary": {
            "total": len(a.findings),
            "by_severity": by_severity,
            "suppressed": len(a.suppressed),
            "compliance": {s.framework: _score(s) for s in a.scores},
        },
        "findings": findings,
        "suppressed": suppressed,
        "controls": [_control(c) for c in a.controls],
        "checks_not_run": [
            {"check": r.check, "account_id": r.account_id, "status": r.status, "reason": r.reason}
            for r in a.check_runs
            if r.status != "evaluated"
        ],
        "expired_suppressions": [
            {
                "check": e.check,
                "resource": e.resource,
                "reason": e.reason,
                "expires": e.expires,
                "file": e.file,
            }
            for e in a.expired_suppressions
        ],
        "problems": list(a.problems),
    }


def render_json(view: ReportView) -> str:
    """The findings document, indented, keys in a stable order."""
    return pretty_json(assessment_json(view))
