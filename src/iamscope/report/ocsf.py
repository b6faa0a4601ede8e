"""Findings as OCSF Detection Finding events (class 2004, OCSF 1.1) for security data lakes."""

from __future__ import annotations

from iamscope.model.document import JsonObject, JsonValue
from iamscope.model.findings import Finding, Severity
from iamscope.report.json_doc import pretty_json
from iamscope.report.view import ReportView, resource_kind

__all__ = ["OCSF_VERSION", "ocsf_finding", "render_ocsf"]

OCSF_VERSION = "1.1.0"
_CLASS_UID = 2004  # Detection Finding
_CATEGORY_UID = 2  # Findings
_ACTIVITY_CREATE = 1
_SEVERITY_ID = {
    Severity.INFORMATIONAL: 1,
    Severity.LOW: 2,
    Severity.MEDIUM: 3,
    Severity.HIGH: 4,
    Severity.CRITICAL: 5,
}


def ocsf_finding(item: Finding, view: ReportView) -> JsonObject:
    """One Detection Finding event."""
    a = view.assessment
    millis = int(a.as_of.timestamp() * 1000)
    suppressed = item.suppressed_reason is not None
    resources: list[JsonValue] = [
        {
            "uid": r,
            "type": resource_kind(r),
            "cloud_partition": "aws",
            "owner": {"account": {"uid": item.account_id}},
        }
        for r in item.resources
    ]
    return {
        "class_uid": _CLASS_UID,
        "class_name": "Detection Finding",
        "category_uid": _CATEGORY_UID,
        "category_name": "Findings",
        "activity_id": _ACTIVITY_CREATE,
        "activity_name": "Create",
        "type_uid": _CLASS_UID * 100 + _ACTIVITY_CREATE,
        "severity_id": _SEVERITY_ID[item.severity],
        "severity": item.severity.value.capitalize(),
        "status_id": 3 if suppressed else 1,  # 1 New, 3 Suppressed
        "status": "Suppressed" if suppressed else "New",
        "time": millis,
        "message": item.message,
        "metadata": {
            "version": OCSF_VERSION,
            "product": {"name": "iamscope", "vendor_name": "iamscope", "version": a.iamscope_version},
            "uid": item.id,
        },
        "finding_info": {
            "uid": item.id,
            "title": item.title,
            "desc": item.message,
            "types": [item.check],
            "created_time": millis,
        },
        "cloud": {"provider": "AWS", "account": {"uid": item.account_id, "type": "AWS Account"}},
        "resources": resources,
        "remediation": {"desc": item.remediation.text},
        "unmapped": {
            "compliance": {k: list(v) for k, v in item.compliance.items()},
            "evidence": dict(item.evidence),
            "iam_catalog_version": a.catalog_version,
        },
    }


def render_ocsf(view: ReportView) -> str:
    """A JSON array of Detection Finding events (suppressed ones with status Suppressed)."""
    events: list[JsonValue] = [
        ocsf_finding(f, view) for f in (*view.assessment.findings, *view.assessment.suppressed)
    ]
    return pretty_json(events)
