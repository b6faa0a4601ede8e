"""ASFF batches: what BatchImportFindings accepts (100 findings, one account and region per call).

AWS Security Hub partner guide, "Guidelines for using the BatchImportFindings API": call it from
the account of the findings' AwsAccountId; up to 100 findings per batch. The ProductArn of a
custom integration is ``arn:aws:securityhub:<region>:<account>:product/<account>/default``.
"""

from __future__ import annotations

import json

from iamscope.model.findings import Assessment, Finding, Remediation, Severity
from iamscope.report.asff import BATCH_LIMIT, asff_batch_files, asff_batches, render_asff
from iamscope.report.view import build_view
from tests.builders import AS_OF


def _finding(number: int, account: str, resource: str, evidence_region: str | None = None) -> Finding:
    return Finding(
        id=f"check-{account}-{number:04d}",
        check="unused-role",
        title="IAM role unused for 90 days",
        severity=Severity.LOW,
        account_id=account,
        resources=(resource,),
        message="m",
        evidence={"region": evidence_region} if evidence_region else {},
        remediation=Remediation("r"),
    )


def _assessment() -> Assessment:
    iam = [_finding(n, "111111111111", f"arn:aws:iam::111111111111:role/r{n}") for n in range(230)]
    sqs = [_finding(n, "111111111111", f"arn:aws:sqs:eu-west-1:111111111111:q{n}") for n in range(1000, 1005)]
    bucket = [_finding(2000, "222222222222", "arn:aws:s3:::b", evidence_region="ap-south-1")]
    return Assessment(AS_OF, "x", ("111111111111", "222222222222"), "0", "c", (*iam, *sqs, *bucket))


def test_batches_hold_at_most_100_findings_of_one_account_and_region() -> None:
    batches = asff_batches(build_view(_assessment()))
    assert [(b.account_id, b.region, len(b.findings)) for b in batches] == [
        ("111111111111", "eu-west-1", 5),
        ("111111111111", "us-east-1", 100),
        ("111111111111", "us-east-1", 100),
        ("111111111111", "us-east-1", 30),
        ("222222222222", "ap-south-1", 1),
    ]
    for batch in batches:
        assert len(batch.findings) <= BATCH_LIMIT
        for finding in batch.findings:
            assert finding["AwsAccountId"] == batch.account_id
            product = (
                f"arn:aws:securityhub:{batch.region}:{batch.account_id}:product/{batch.account_id}/default"
            )
            assert finding["ProductArn"] == product


def test_product_arn_region_comes_from_the_finding() -> None:
    findings = [f for b in asff_batches(build_view(_assessment())) for f in b.findings]
    by_id = {f["Id"]: f for f in findings}
    assert str(by_id["check-111111111111-1000"]["ProductArn"]).startswith("arn:aws:securityhub:eu-west-1:")
    assert str(by_id["check-222222222222-2000"]["ProductArn"]).startswith("arn:aws:securityhub:ap-south-1:")
    assert str(by_id["check-111111111111-0000"]["ProductArn"]).startswith("arn:aws:securityhub:us-east-1:")
    assert len(by_id) == 236


def test_files_and_standard_output_carry_the_same_batches() -> None:
    view = build_view(_assessment())
    files = asff_batch_files(view)
    assert [name for name, _ in files][:2] == [
        "findings.asff-111111111111-eu-west-1-001.json",
        "findings.asff-111111111111-us-east-1-001.json",
    ]
    lines = render_asff(view).splitlines()
    assert len(lines) == len(files) == 5
    for (_, content), line in zip(files, lines, strict=True):
        assert json.loads(content) == json.loads(line)
        assert isinstance(json.loads(line), list)
