"""Findings in the AWS Security Finding Format, in batches ``securityhub batch-import-findings`` accepts.

BatchImportFindings takes at most 100 findings per call, called from the account the findings
are about (``AwsAccountId``) in one region, and the ``ProductArn`` names that region. So findings
are batched per (account, region), 100 at most; a finding's region is the one of its resource
(ARN, or the ``region`` of its evidence), else ``DEFAULT_REGION`` (where IAM's global events
arrive). Text fields are cut to Security Hub's limits.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from iamscope.model.arn import parse_arn
from iamscope.model.document import JsonObject, JsonValue
from iamscope.model.findings import Finding
from iamscope.report.json_doc import pretty_json
from iamscope.report.view import ReportView, resource_kind

__all__ = [
    "BATCH_LIMIT",
    "DEFAULT_REGION",
    "AsffBatch",
    "asff_batch_files",
    "asff_batches",
    "asff_finding",
    "finding_region",
    "render_asff",
]

DEFAULT_REGION = "us-east-1"
BATCH_LIMIT = 100  # findings per BatchImportFindings call
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


def _arn_region(arn: str) -> str | None:
    parsed = parse_arn(arn)
    return parsed.region if parsed is not None and parsed.region else None


def finding_region(item: Finding) -> str:
    """The region a finding belongs to: its resource's, else its evidence's, else ``DEFAULT_REGION``."""
    for resource in item.resources:
        region = _arn_region(resource)
        if region is not None:
            return region
    region_evidence = item.evidence.get("region")
    if isinstance(region_evidence, str) and region_evidence and region_evidence != "global":
        return region_evidence
    return DEFAULT_REGION


def asff_finding(item: Finding, view: ReportView) -> JsonObject:
    """One ASFF finding; ProductArn and resources carry the finding's region."""
    a = view.assessment
    region = finding_region(item)
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
            {
                "Type": _TYPES.get(resource_kind(r), "Other"),
                "Id": r,
                "Partition": "aws",
                "Region": _arn_region(r) or region,
            }
            for r in item.resources
        ],
        "RecordState": "ACTIVE",
        "Workflow": {"Status": "SUPPRESSED" if item.suppressed_reason else "NEW"},
    }
    if requirements:
        finding["Compliance"] = {"Status": "FAILED", "RelatedRequirements": requirements}
    return finding


@dataclass(frozen=True, slots=True)
class AsffBatch:
    """The findings of one BatchImportFindings call: one account, one region, at most 100."""

    account_id: str
    region: str
    number: int  # 1, 2... within (account, region)
    findings: tuple[JsonObject, ...]

    @property
    def filename(self) -> str:
        """``findings.asff-111111111111-us-east-1-001.json``."""
        return f"findings.asff-{self.account_id}-{self.region}-{self.number:03d}.json"


def asff_batches(view: ReportView) -> list[AsffBatch]:
    """Every finding (suppressed ones with Workflow SUPPRESSED) in batches, by account then region."""
    groups: dict[tuple[str, str], list[JsonObject]] = {}
    for item in (*view.assessment.findings, *view.assessment.suppressed):
        groups.setdefault((item.account_id, finding_region(item)), []).append(asff_finding(item, view))
    batches: list[AsffBatch] = []
    for (account, region), items in sorted(groups.items()):
        for start in range(0, len(items), BATCH_LIMIT):
            chunk = tuple(items[start : start + BATCH_LIMIT])
            batches.append(AsffBatch(account, region, start // BATCH_LIMIT + 1, chunk))
    return batches


def asff_batch_files(view: ReportView) -> list[tuple[str, str]]:
    """(file name, JSON array) per batch, for ``--findings file://NAME`` in that account and region."""
    return [(b.filename, pretty_json(list(b.findings))) for b in asff_batches(view)]


def render_asff(view: ReportView) -> str:
    """One batch per line (JSON Lines): each line is the ``Findings`` array of one call."""
    return "".join(msgspec.json.encode(list(b.findings)).decode("utf-8") + "\n" for b in asff_batches(view))
