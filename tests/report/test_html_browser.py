"""The HTML report opened in headless Chromium (Debian's package, driven by Playwright)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from iamscope.analysis.assess import AssessConfig, assess
from iamscope.analysis.leastpriv.plan_file import PlanEntry, PlanFile
from iamscope.model.document import JsonValue
from iamscope.model.snapshot import AttachedPolicy, InlinePolicy, OrgAccount, Organization, OrgPolicy, OrgUnit
from iamscope.report.html import render_html
from iamscope.report.view import build_view
from tests.builders import (
    AS_OF,
    attached,
    aws_policy,
    compliant_account,
    cred_row,
    customer_policy,
    key,
    role,
    root_row,
    snapshot,
)

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
XSS = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
BOUNDARY_DOC: JsonValue = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "BoundaryS3Only", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}
TEAM_DOC: JsonValue = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "TeamLogs", "Effect": "Allow", "Action": "logs:Get*", "Resource": "*"}],
}
FULL_DOC: JsonValue = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
GUARDRAIL_DOC: JsonValue = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyLeaveOrg",
            "Effect": "Deny",
            "Action": "organizations:LeaveOrganization",
            "Resource": "*",
        }
    ],
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    public: JsonValue = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
    }
    evil = role(
        f"evil{XSS}",
        trust=public,
        tags={"owner": XSS},
        inline={
            XSS: {
                "Version": "2012-10-17",
                "Statement": [{"Sid": "x", "Effect": "Allow", "Action": "*", "Resource": "*"}],
            }
        },
    )
    account = compliant_account()
    # alice: in group engineers (its own customer policy, plus an AWS managed policy whose document
    # is in the input and one whose document is not), with a permissions boundary.
    boundary = customer_policy("dev-boundary", BOUNDARY_DOC)
    support = aws_policy("AWSSupportAccess")
    engineers = replace(
        (account.groups or ())[0],
        attached_policies=(
            *(account.groups or ())[0].attached_policies,
            attached(support),
            AttachedPolicy("arn:aws:iam::aws:policy/ViewOnlyAccess", "ViewOnlyAccess"),
        ),
        inline_policies=(InlinePolicy("team-inline", TEAM_DOC),),
    )
    alice = replace((account.users or ())[0], permissions_boundary=boundary.arn)
    account = replace(
        account,
        users=(alice,),
        groups=(engineers,),
        roles=(*(account.roles or ()), evil),
        policies={**(account.policies or {}), boundary.arn: boundary},
        credential_report=(root_row(mfa=False), cred_row("alice", mfa=False, keys=(key(1, rotated=200),))),
    )
    organization = Organization(
        id="o-example",
        management_account_id="999999999999",
        units=(OrgUnit("r-root", "Root", None), OrgUnit("ou-prod", "production", "r-root")),
        accounts=(OrgAccount(account.account_id, "main", "ou-prod"),),
        policies=(
            OrgPolicy("p-FullAWSAccess", "FullAWSAccess", "SERVICE_CONTROL_POLICY", FULL_DOC, ("r-root",)),
            OrgPolicy("p-guardrails", "guardrails", "SERVICE_CONTROL_POLICY", GUARDRAIL_DOC, ("ou-prod",)),
        ),
    )
    source = snapshot(account, organization=organization)
    result = assess(source, AssessConfig(as_of=AS_OF))
    path = tmp_path_factory.mktemp("html") / "report.html"
    plan = PlanFile(
        path="plan.json",
        created_at="2024-06-01T00:00:00Z",
        entries=(
            PlanEntry(
                principal=f"arn:aws:iam::111122223333:role/evil{XSS}",
                ready=True,
                granted_actions=22000,
                used_actions=("s3:GetObject",),
                removed_actions=21999,
                removed_by_service=(("ec2", 700),),
                grants_nothing_new=True,
                replay_calls=40,
                replay_denied=0,
                documents=(
                    {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": XSS}],
                    },
                ),
                blockers=(),
            ),
            PlanEntry("arn:aws:iam::111122223333:role/idle", True, 22000, (), 22000, (), True, 0, 0, (), ()),
        ),
        skipped=(f"account {XSS}: no activity",),
    )
    path.write_text(render_html(build_view(result, source, plan)), encoding="utf-8")
    return path


def test_loads_without_console_errors_or_script_injection(browser: Browser, report: Path) -> None:
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: problems.append("dialog: " + d.message))
    page.goto(report.as_uri())
    assert page.title() == "IAM Security Assessment Report"
    assert problems == []
    assert page.evaluate("window.__pwned") is None
    # The markup is shown as text, not run: the tag value appears literally in the principal page.
    text = page.locator("#principals").inner_text()
    assert "evil<script>" in text
    assert page.locator("#principals script").count() == 0
    assert page.locator("#score").inner_text().endswith("%")
    # Never a bare headline: what the score was computed from sits next to it.
    assert "controls that could be evaluated" in page.locator("#score-basis").inner_text()
    page.close()


def test_filtering_and_sorting(browser: Browser, report: Path) -> None:
    page = browser.new_page()
    page.goto(report.as_uri())
    rows = page.locator("#findings tbody tr")
    total = rows.count()
    assert total > 3
    critical = page.locator('#findings tbody tr[data-severity="critical"]').count()
    assert 0 < critical < total
    page.select_option("#filter-severity", "critical")
    assert page.locator("#findings tbody tr:visible").count() == critical
    assert page.locator("#shown-count").inner_text() == str(critical)
    page.select_option("#filter-severity", "")
    page.fill("#filter-resource", "user/alice")
    visible = page.locator("#findings tbody tr:visible")
    assert 0 < visible.count() < total
    for index in range(visible.count()):
        assert "user/alice" in (visible.nth(index).get_attribute("data-resource") or "")
    page.fill("#filter-resource", "")
    page.select_option("#filter-check", "role-trust-public")
    assert page.locator("#findings tbody tr:visible").count() == 1
    page.select_option("#filter-check", "")
    assert page.locator("#findings tbody tr:visible").count() == total
    page.click("#findings thead th:nth-child(3)")
    checks = [rows.nth(i).get_attribute("data-check") or "" for i in range(total)]
    assert checks == sorted(checks)
    page.close()


def test_principal_page_opens_by_anchor(browser: Browser, report: Path) -> None:
    page = browser.new_page()
    page.goto(report.as_uri())
    link = page.locator("#principal-index a", has_text="evil")
    link.click()
    section = page.locator(".principal:target")
    assert section.count() == 1
    assert "role-trust-public" in section.inner_text() or "Role assumable by anyone" in section.inner_text()
    assert "administrator-equivalent" in section.inner_text()
    page.close()


def test_least_privilege_section_lists_the_plan_escaped(browser: Browser, report: Path) -> None:
    page = browser.new_page()
    page.goto(report.as_uri())
    rows = page.locator("#rightsize tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).get_attribute("data-state") == "READY"
    assert rows.nth(1).get_attribute("data-state") == "IDLE"
    assert page.locator("nav a[href='#least-privilege']").count() == 1
    rows.nth(0).locator("summary").click()
    assert '"Resource": "<script>' in rows.nth(0).locator("pre").inner_text()
    assert page.locator("#least-privilege script").count() == 0
    assert page.evaluate("window.__pwned") is None
    page.close()


def test_principal_page_shows_group_boundary_and_scp_policies(browser: Browser, report: Path) -> None:
    page = browser.new_page()
    page.goto(report.as_uri())
    page.locator("#principal-index a", has_text="alice").click()
    section = page.locator(".principal:target")
    assert section.count() == 1
    assert "user alice" in section.locator("h3").inner_text()
    # Group policies: the group's inline policy and its managed ones, documents one click away.
    group = section.locator('.group-policies[data-group="engineers"]')
    assert group.locator("summary").count() == 4
    group.locator("summary", has_text="team-inline").click()
    assert '"Sid": "TeamLogs"' in group.locator("details[open] pre").inner_text()
    # An AWS managed policy: its document from the input, or a note that the input has none.
    support = group.locator("details", has_text="AWSSupportAccess")
    support.locator("summary").click()
    assert '"support:*"' in support.locator("pre").inner_text()
    view_only = group.locator("details", has_text="ViewOnlyAccess")
    view_only.locator("summary").click()
    assert "Document not available" in view_only.inner_text()
    # The permissions boundary with its document.
    bound = section.locator('details[data-policy-kind="boundary"]')
    bound.locator("summary").click()
    assert '"Sid": "BoundaryS3Only"' in bound.locator("pre").inner_text()
    # The SCPs at every level above the account, root first.
    levels = section.locator(".scp-level")
    assert [levels.nth(i).get_attribute("data-target") for i in range(levels.count())] == [
        "r-root",
        "ou-prod",
        "111111111111",
    ]
    assert "FullAWSAccess" in levels.nth(0).inner_text()
    levels.nth(1).locator("summary", has_text="guardrails").click()
    assert "DenyLeaveOrg" in levels.nth(1).locator("pre").inner_text()
    assert "No SCP attached at this level" in levels.nth(2).inner_text()
    page.close()
