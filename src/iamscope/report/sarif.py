"""Findings as SARIF 2.1.0 for code-scanning dashboards; each check is a rule, each finding a result."""

from __future__ import annotations

from iamscope.analysis.checks.prose import load_prose
from iamscope.model.document import JsonObject, JsonValue
from iamscope.model.findings import Severity
from iamscope.report.json_doc import pretty_json
from iamscope.report.view import ReportView

__all__ = ["SARIF_SCHEMA", "render_sarif"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFORMATIONAL: "note",
}
# GitHub's security-severity scale (0-10).
_SCORE = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFORMATIONAL: "0.0",
}


def render_sarif(view: ReportView) -> str:
    """One run: the rules used by the findings, and one result per finding."""
    a = view.assessment
    prose = load_prose()
    used = sorted({f.check for f in (*a.findings, *a.suppressed)})
    rules: list[JsonValue] = []
    for check in used:
        words = prose[check]
        rules.append(
            {
                "id": check,
                "name": check,
                "shortDescription": {"text": words.title},
                "fullDescription": {"text": words.rationale},
                "help": {"text": words.remediation.text},
                "defaultConfiguration": {"level": _LEVEL[words.severity]},
                "properties": {"security-severity": _SCORE[words.severity], "tags": ["security", "iam"]},
            }
        )
    results: list[JsonValue] = []
    for item in (*a.findings, *a.suppressed):
        result: JsonObject = {
            "ruleId": item.check,
            "ruleIndex": used.index(item.check),
            "level": _LEVEL[item.severity],
            "message": {"text": item.message},
            "locations": [
                {"logicalLocations": [{"fullyQualifiedName": r, "kind": "resource"}]} for r in item.resources
            ],
            "partialFingerprints": {"iamscopeFindingId/v1": item.id},
            "properties": {
                "account_id": item.account_id,
                "severity": item.severity.value,
                "compliance": {k: list(v) for k, v in item.compliance.items()},
            },
        }
        if item.suppressed_reason is not None:
            result["suppressions"] = [{"kind": "external", "justification": item.suppressed_reason}]
        results.append(result)
    document: JsonObject = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "iamscope",
                        "version": a.iamscope_version,
                        "rules": rules,
                        "properties": {"iam_catalog_version": a.catalog_version},
                    }
                },
                "results": results,
                "properties": {"as_of": a.as_of.isoformat(), "accounts": list(a.accounts)},
            }
        ],
    }
    return pretty_json(document)
