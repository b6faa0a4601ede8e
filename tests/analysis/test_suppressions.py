"""Suppressions: matching, expiry reporting, and clear errors for bad files."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from iamscope.analysis.assess import AssessConfig, assess
from iamscope.analysis.suppressions import SuppressionError, load_suppressions, parse_suppressions
from tests.builders import AS_OF, compliant_account, cred_row, root_row, snapshot


def _source() -> object:
    account = replace(compliant_account(), credential_report=(root_row(), cred_row("alice", mfa=False)))
    return snapshot(account)


def test_live_suppression_hides_and_expired_one_is_reported() -> None:
    text = """
suppressions:
  - check: console-user-without-mfa
    resource: "arn:aws:iam::111111111111:user/ali*"
    reason: migrating to SSO
    expires: 2026-02-01
  - check: root-*
    resource: "*"
    reason: old exception
    expires: 2025-12-31
"""
    rules = parse_suppressions(text, "s.yaml")
    source = _source()
    result = assess(source, AssessConfig(as_of=AS_OF, suppressions=rules))  # type: ignore[arg-type]
    assert [f.check for f in result.suppressed] == ["console-user-without-mfa"]
    assert result.suppressed[0].suppressed_reason is not None
    assert "console-user-without-mfa" not in {f.check for f in result.findings}
    assert [e.check for e in result.expired_suppressions] == ["root-*"]
    statuses = {c.control_id: c.status for c in result.controls}
    assert statuses["1.10"] == "pass"  # an accepted risk does not fail the control
    later = assess(source, AssessConfig(as_of=AS_OF.replace(month=3), suppressions=rules))  # type: ignore[arg-type]
    assert "console-user-without-mfa" in {f.check for f in later.findings}


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("suppressions: [", "not valid YAML"),
        ("- just a list", "top-level 'suppressions:'"),
        ("suppressions:\n  - check: x\n    resource: y\n    reason: z\n", "lacks expires"),
        ("suppressions:\n  - {check: x, resource: y, reason: z, expires: soon}", "not a date"),
    ],
)
def test_bad_files_name_file_and_fault(text: str, fault: str) -> None:
    with pytest.raises(SuppressionError) as error:
        parse_suppressions(text, "bad.yaml")
    assert "bad.yaml" in str(error.value)
    assert fault in str(error.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SuppressionError, match="cannot read"):
        load_suppressions(tmp_path / "absent.yaml")
