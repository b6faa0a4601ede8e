"""The CIS table and the score as a reviewer reads them: who fails, why, and what a score covers."""

from __future__ import annotations

import json
import re
from dataclasses import replace

from iamscope.analysis.assess import AssessConfig, assess
from iamscope.model.findings import Assessment
from iamscope.model.snapshot import AccountSnapshot
from iamscope.report.html import render_html
from iamscope.report.json_doc import render_json
from iamscope.report.markdown import render_markdown
from iamscope.report.text import render_text
from iamscope.report.view import build_view
from tests.builders import AS_OF, compliant_account, cred_row, root_row, snapshot, user

FAILING, PASSING, NO_USERS = "111111111111", "222222222222", "333333333333"


def _three_accounts() -> Assessment:
    failing = compliant_account(FAILING)
    failing = replace(
        failing,
        users=(user("alice", FAILING), user("bob", FAILING)),
        credential_report=(
            root_row(FAILING),
            cred_row("alice", FAILING, mfa=False),
            cred_row("bob", FAILING, mfa=False),
        ),
    )
    no_users = replace(compliant_account(NO_USERS), users=(), credential_report=(root_row(NO_USERS),))
    source = snapshot(failing, compliant_account(PASSING), no_users)
    return assess(source, AssessConfig(as_of=AS_OF))


def _control(result: Assessment, control_id: str) -> tuple[str, str]:
    found = next(c for c in result.controls if c.control_id == control_id)
    return found.status, found.reason


def test_failing_note_names_failing_accounts_and_resources_not_other_accounts_reasons() -> None:
    result = _three_accounts()
    status, note = _control(result, "1.10")
    assert status == "fail"
    assert note == f"fails in {FAILING}: user/alice, user/bob"
    # 1.12 has two checks that are both not applicable in the account without users: no repeat,
    # and not shown at all since the control fails elsewhere.
    status, note = _control(result, "1.12")
    assert "no IAM users" not in note
    for control in result.controls:
        parts = control.reason.split("; ")
        assert len(parts) == len(set(parts)), control


def test_not_applicable_reason_is_given_once_when_every_account_is_not_applicable() -> None:
    no_users = replace(compliant_account(NO_USERS), users=(), credential_report=(root_row(NO_USERS),))
    result = assess(snapshot(no_users), AssessConfig(as_of=AS_OF))
    status, note = _control(result, "1.12")
    assert status == "not_applicable"
    assert note == f"not applicable in {NO_USERS}: the account has no IAM users"


def test_text_markdown_and_html_show_status_per_account() -> None:
    view = build_view(_three_accounts())
    text = render_text(view)
    statuses = f"fail: {FAILING} · pass: {PASSING} · not_applicable: {NO_USERS}"
    block = text[text.index("  1.10 ") :].splitlines()
    assert block[1].strip() == statuses
    assert block[2].strip() == f"fails in {FAILING}: user/alice, user/bob"
    markdown = render_markdown(view)
    row = next(line for line in markdown.splitlines() if line.startswith("| 1.10 |"))
    assert statuses in row
    assert "user/alice" in row
    html = render_html(view)
    match = re.search(r'<tr data-control="1\.10">(.*?)</tr>', html)
    assert match is not None
    cells = re.findall(r'data-account="(\d+)">(\w+)<', match.group(1))
    assert cells == [(FAILING, "fail"), (PASSING, "pass"), (NO_USERS, "not_applicable")]


def _gaad_only() -> Assessment:
    """What a bare GAAD file gives: principals and policies, nothing the CIS credential checks need."""
    full = compliant_account()
    bare = AccountSnapshot(
        account_id=full.account_id,
        users=full.users,
        groups=full.groups,
        roles=full.roles,
        policies=full.policies,
    )
    return assess(snapshot(bare), AssessConfig(as_of=AS_OF))


def test_score_from_few_controls_says_so_next_to_the_number_in_every_format() -> None:
    result = _gaad_only()
    score = result.scores[0].overall
    assert 0 < score.evaluated < 8
    assert score.not_collected > score.evaluated
    basis = f"of {score.evaluated} controls that could be evaluated ({score.not_collected} not collected)"
    view = build_view(result)
    number = f"{round((score.score or 0) * 100)}%"
    text = render_text(view)
    assert f"{number} {basis}" in text
    assert not re.search(r"Compliance Score[^\n]*: \d+%\s*(\(|$)", text, re.MULTILINE)
    assert f"{number} {basis}" in render_markdown(view)
    html = render_html(view)
    assert re.search(
        rf'id="score">{number}</div><div class="basis" id="score-basis">{re.escape(basis)}<', html
    )
    document = json.loads(render_json(view))
    overall = document["summary"]["compliance"]["cis-aws-3.0"]
    assert (overall["passed"] + overall["failed"], overall["not_collected"]) == (
        score.evaluated,
        score.not_collected,
    )


def test_score_over_several_accounts_names_its_base() -> None:
    view = build_view(_three_accounts())
    score = view.assessment.scores[0].overall
    assert f"of {score.evaluated} control results that could be evaluated in 3 accounts" in render_text(view)
