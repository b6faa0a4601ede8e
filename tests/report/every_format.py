"""Assess a bundle into every report format and check each file says the same thing (test helper)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from iamscope.cli.assess import AssessRequest, run_assess
from iamscope.model.findings import Assessment
from iamscope.report.formats import FORMATS

CIS_CONTROLS = [f"1.{n}" for n in range(1, 23)]
STATUSES = {"pass", "fail", "manual", "not_applicable", "not_collected"}


@dataclass(frozen=True)
class Reports:
    """The assessment, the text printed, and the findings JSON document that was written."""

    assessment: Assessment
    printed: str
    document: dict[str, Any]
    directory: Path

    def flagged(self, check: str) -> set[str]:
        """Primary resource ARNs of the findings of one check."""
        return {f["resources"][0] for f in self.document["findings"] if f["check"] == check}

    def control(self, control_id: str) -> dict[str, Any]:
        """One CIS v3.0 control entry of the findings JSON."""
        found: dict[str, Any] = next(
            c for c in self.document["controls"] if c["framework"] == "cis-aws-3.0" and c["id"] == control_id
        )
        return found


def assess_every_format(bundle: Path, out: Path) -> Reports:
    """``iamscope assess BUNDLE --output-dir OUT`` through its library call, then check every file."""
    printed = io.StringIO()
    status, assessment = run_assess(AssessRequest(path=bundle, output_dir=out), printed)
    assert status == 0
    written = {p.name for p in out.iterdir() if p.is_file()}
    assert {p.name for p in out.iterdir() if p.is_dir()} <= {"remediation"}
    batches = sorted(name for name in written if name.startswith("findings.asff-"))
    single = {f.filename for f in FORMATS.values() if f.files is None}
    assert written - set(batches) == single
    document: dict[str, Any] = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    total = len(assessment.findings) + len(assessment.suppressed)
    assert len(document["findings"]) == len(assessment.findings) > 0
    # Every CIS v3.0 section-1 control is present with a status, overall and per account.
    controls = [c for c in document["controls"] if c["framework"] == "cis-aws-3.0"]
    assert [c["id"] for c in controls] == CIS_CONTROLS
    for control in controls:
        assert control["status"] in STATUSES
        assert set(control["accounts"]) == set(document["accounts"])
        assert set(control["accounts"].values()) <= STATUSES
    ids = {f["id"] for f in document["findings"]}
    sarif = json.loads((out / "findings.sarif").read_text(encoding="utf-8"))
    results = sarif["runs"][0]["results"]
    assert len(results) == total
    assert {r["partialFingerprints"]["iamscopeFindingId/v1"] for r in results} >= ids
    rows = list(csv.DictReader(io.StringIO((out / "findings.csv").read_text(encoding="utf-8"))))
    assert {r["id"] for r in rows} >= ids
    ocsf = json.loads((out / "findings.ocsf.json").read_text(encoding="utf-8"))
    assert len(ocsf) == total
    assert {e["class_uid"] for e in ocsf} == {2004}
    asff: list[dict[str, Any]] = []
    for name in batches:  # findings.asff-ACCOUNT-REGION-NNN.json
        batch = json.loads((out / name).read_text(encoding="utf-8"))
        account, region = name.split("-", 1)[1].rsplit("-", 1)[0].split("-", 1)
        assert 0 < len(batch) <= 100
        assert {f["AwsAccountId"] for f in batch} == {account}
        assert {f["ProductArn"].split(":")[3] for f in batch} == {region}
        asff.extend(batch)
    assert len(asff) == total
    assert {f["AwsAccountId"] for f in asff} <= set(document["accounts"])
    html = (out / "report.html").read_text(encoding="utf-8")
    markdown = (out / "report.md").read_text(encoding="utf-8")
    text = (out / "report.txt").read_text(encoding="utf-8")
    assert text == printed.getvalue()
    for content in (html, markdown, text):
        assert "IAM Security Assessment Report" in content
    for finding in document["findings"][:50]:
        assert finding["id"] in html
        assert finding["id"] in markdown
    return Reports(assessment, printed.getvalue(), document, out)
