"""Findings in the AWS Security Finding Format, ready for ``securityhub batch-import-findings``.

Security Hub needs a region in the product ARN; ``DEFAULT_REGION`` is used (the home region of
IAM events). Text fields are cut to Security Hub's limits.
"""

from __future__ import annotations

from iamscope.model.document import JsonObject, JsonValue
from iamscope.model.findings import Finding
from iamscope.report.json_doc import pretty_json
from iamscope.report.view import ReportView, resource_kind

__all__ = ["DEFAULT_REGION", "asff_finding", "render_asff"]

DEFAULT_REGION = "us-east-1"
_TYPES = {
    "user": "AwsIamUser",
    "role": "AwsIamRole",
    "group": "AwsIamGroup",
    "policy": "AwsIamPolicy",
    "root": "AwsAccount",
    "access-key": "AwsIamAccessKey",
}


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def asff_finding(item: Finding, view: ReportView, region: str = DEFAULT_REGION) -> JsonObject:
    """One ASFF finding."""
    a = view.assessment
    when = a.as_of.isoformat().replace("+00:00", "Z")
    requirements: list[JsonValue] = [
        f"{framework}/{control}" for framework, ids in item.compliance.items() for control in ids
    ]
    finding: JsonObject = {
        "SchemaVersion": "2018-10-08",
        "Id": item.id,
        "ProductArn": f"arn:aws:securityhub:{region}:{item.account_id}:product/{item.account_id}/default",
        "GeneratorId": f"iamscope/{item.check}",
        "AwsAccountId": item.account_id,
        "Types": ["Software and Configuration Checks/AWS Security Best Practices"],
        "CreatedAt": when,
        "UpdatedAt": when,
        "Severity": {"Label": item.severity.value.upper()},
        "Title": _cut(item.title, 256),
        "Description": _cut(item.message, 1024),
        "Remediation": {"Recommendation": {"Text": _cut(item.remediation.text, 512)}},
        "ProductFields": {
            "iamscope/version": a.iamscope_version,
            "iamscope/iam_catalog_version": a.catalog_version,
            "iamscope/check": item.check,
        },
        "Resources": [
            {"Type": _TYPES.get(resource_kind(r), "Other"), "Id": r, "Partition": "aws", "Region": region}
            for r in item.resources
        ],
        "RecordState": "ACTIVE",
        "Workflow": {"Status": "SUPPRESSED" if item.suppressed_reason else "NEW"},
    }
    if requirements:
        finding["Compliance"] = {"Status": "FAILED", "RelatedRequirements": requirements}
    return finding


def render_asff(view: ReportView) -> str:
    """A JSON array of ASFF findings (the ``Findings`` parameter of BatchImportFindings)."""
    items: list[JsonValue] = [
        asff_finding(f, view) for f in (*view.assessment.findings, *view.assessment.suppressed)
    ]
    return pretty_json(items)
