"""unused: granted versus used per action, invisible data-event actions, idle entities."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from iamscope.analysis.leastpriv.grants import NamedDocument, granted_actions, identity_documents
from iamscope.analysis.leastpriv.idle import LastUse, LogEvidence, idle_entities, judge
from iamscope.analysis.leastpriv.unused import (
    compare_actions,
    data_event_actions,
    invisible_actions,
    principal_usage,
)
from iamscope.engine.catalog import load_catalog
from iamscope.model.activity import AccountCoverage, DataEventSource
from iamscope.model.document import JsonValue
from iamscope.model.snapshot import ServiceLastAccessed
from iamscope.samples.demo_activity import DEMO_ACCOUNT
from tests.analysis.leastpriv.builders import BREAK_GLASS, audit_snapshot, demo_snapshot, developer_arn


def test_granted_expands_wildcards_notaction_and_unconditional_denies() -> None:
    catalog = load_catalog()
    docs = [
        NamedDocument(
            "p",
            {
                "Statement": [
                    {"Effect": "Allow", "Action": ["dynamodb:Get*", "s3:ListAllMyBuckets"], "Resource": "*"},
                    {"Effect": "Deny", "Action": "dynamodb:GetRecords", "Resource": "*"},
                    {
                        "Effect": "Deny",
                        "Action": "dynamodb:GetItem",
                        "Resource": "*",
                        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}},
                    },
                ]
            },
        )
    ]
    granted = granted_actions(docs, catalog)
    assert "dynamodb:GetItem" in granted  # a conditional deny does not remove it
    assert "dynamodb:GetRecords" not in granted
    assert "s3:ListAllMyBuckets" in granted
    assert "dynamodb:PutItem" not in granted
    everything_but_iam = granted_actions(
        [NamedDocument("n", {"Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}})],
        catalog,
    )
    assert "s3:GetObject" in everything_but_iam
    assert not any(a.startswith("iam:") for a in everything_but_iam)


def test_classification() -> None:
    usage = compare_actions(
        "p",
        granted={"s3:GetObject", "s3:ListAllMyBuckets", "dynamodb:DeleteTable", "lambda:InvokeFunction"},
        used={"s3:ListAllMyBuckets", "iam:CreateUser"},
        invisible={"s3:GetObject", "lambda:InvokeFunction"},
    )
    assert usage.of("used") == ("s3:ListAllMyBuckets",)
    assert usage.of("unused") == ("dynamodb:DeleteTable",)
    assert usage.of("not-visible") == ("lambda:InvokeFunction", "s3:GetObject")
    assert usage.of("no-longer-granted") == ("iam:CreateUser",)


def test_invisible_actions_follow_absent_data_sources() -> None:
    catalog = load_catalog()
    assert "s3:GetObject" in data_event_actions(catalog, "S3 object")
    assert "s3:ListBucket" in data_event_actions(catalog, "S3 object")
    assert "s3:CreateBucket" not in data_event_actions(catalog, "S3 object")
    sources = (
        DataEventSource("S3 object", "s3.amazonaws.com", 0, ("s3:GetObject",)),
        DataEventSource(
            "Lambda invoke", "lambda.amazonaws.com", 5, ("lambda:InvokeFunction",), ("222222222222",)
        ),
        DataEventSource("DynamoDB item", "dynamodb.amazonaws.com", 5, ("dynamodb:GetItem",)),
    )
    here = invisible_actions(catalog, sources, "111111111111")
    assert "s3:GetObject" in here
    assert "lambda:InvokeFunction" not in here
    assert "lambda:InvokeFunction" in invisible_actions(catalog, sources, "222222222222")
    assert "dynamodb:GetItem" not in here


def _coverage(account: str = DEMO_ACCOUNT) -> dict[str, AccountCoverage]:
    return {
        account: AccountCoverage(
            account,
            1000,
            datetime(2025, 12, 1, tzinfo=UTC),
            datetime(2026, 1, 14, 18, tzinfo=UTC),
            ("eu-west-1",),
        )
    }


def test_identity_documents_and_idle_entities() -> None:
    snapshot = demo_snapshot()
    docs = identity_documents(snapshot, developer_arn(3))
    assert [d.name for d in docs] == ["arn:aws:iam::aws:policy/AdministratorAccess"]
    assert identity_documents(snapshot, "arn:aws:iam::999999999999:role/x") == ()
    active = {developer_arn(i): 10 for i in range(1, 15)}
    report = idle_entities(snapshot, LogEvidence(_coverage(), active, {}))
    assert {(e.kind, e.arn.rsplit("/", 1)[-1]) for e in report.entities} == {
        ("role", "developer-15"),
        ("user", "old-ci"),
        ("access-key", "old-ci"),
    }
    assert all(e.idle for e in report.entities)
    used_key = LogEvidence(
        _coverage(), active, {"AKIAOLDCIEXAMPLE0001": f"arn:aws:iam::{DEMO_ACCOUNT}:user/old-ci"}
    )
    assert not [e for e in idle_entities(snapshot, used_key).entities if e.kind == "access-key"]


def test_accounts_without_logs_are_not_visible_never_idle() -> None:
    snapshot = demo_snapshot()
    report = idle_entities(snapshot, LogEvidence(_coverage("222222222222"), {}, {}))
    assert report.entities == ()
    assert [(u.account, u.roles, u.users) for u in report.unjudged] == [(DEMO_ACCOUNT, 15, 1)]
    assert len(idle_entities(snapshot, LogEvidence(_coverage(), {}, {})).entities) == 17


def test_role_last_used_inside_the_logged_period_means_the_logs_are_incomplete() -> None:
    coverage = _coverage()[DEMO_ACCOUNT]
    used = judge(
        "role",
        "r",
        coverage,
        [LastUse("role", "RoleLastUsed", datetime(2026, 1, 10, tzinfo=UTC), "us-east-2")],
    )
    assert used.verdict == "logs-incomplete"
    assert used.iam == (
        "but IAM says role used 2026-01-10 in us-east-2 (RoleLastUsed): logs may be incomplete "
        "(the logs have no events from us-east-2)"
    )
    assert used.logs == "no calls in the logs (2025-12-01 to 2026-01-14 in eu-west-1)"
    before = judge("role", "r", coverage, [LastUse("role", "RoleLastUsed", datetime(2025, 3, 1, tzinfo=UTC))])
    assert before.idle
    assert before.iam == "IAM agrees: role used 2025-03-01 (RoleLastUsed), before the logs start"
    after = judge("role", "r", coverage, [LastUse("role", "RoleLastUsed", datetime(2026, 1, 20, tzinfo=UTC))])
    assert after.verdict == "used-after-logs"
    assert judge("role", "r", coverage, [LastUse("role", "RoleLastUsed", None)]).idle


def test_access_advisor_is_one_more_witness() -> None:
    base = demo_snapshot()
    account = base.accounts[DEMO_ACCOUNT]
    advisor = (
        ServiceLastAccessed(developer_arn(15), "s3", datetime(2026, 1, 9, tzinfo=UTC)),
        ServiceLastAccessed(developer_arn(1), "ec2", datetime(2026, 1, 9, tzinfo=UTC)),
        ServiceLastAccessed(developer_arn(1), "sqs", datetime(2025, 1, 9, tzinfo=UTC)),
    )
    snapshot = replace(base, accounts={DEMO_ACCOUNT: replace(account, service_last_accessed=advisor)})
    active = {developer_arn(i): 10 for i in range(1, 15)}
    (role,) = [
        e for e in idle_entities(snapshot, LogEvidence(_coverage(), active, {})).entities if e.kind == "role"
    ]
    assert role.verdict == "logs-incomplete"
    assert "s3 used 2026-01-09 (Access Advisor)" in role.iam
    catalog = load_catalog()
    usage = principal_usage(snapshot, developer_arn(1), catalog, {"s3:GetObject"}, (), _coverage())
    assert usage.disagreements == (
        "ec2: no call in the logs (2025-12-01 to 2026-01-14 in eu-west-1), but Access Advisor says "
        "used 2026-01-09: logs may be incomplete",
    )


def test_granted_is_after_scps_and_the_boundary() -> None:
    catalog = load_catalog()
    snapshot = audit_snapshot()
    usage = principal_usage(snapshot, BREAK_GLASS, catalog, set(), (), _coverage())
    assert usage.not_visible_reason == "no logs for this account"
    assert usage.of("unused") == ()
    assert usage.identity_granted == usage.granted + 2
    assert "cloudtrail:StopLogging" not in usage.statuses
    # the management account is not subject to SCPs
    assert principal_usage(snapshot, developer_arn(1), catalog, set(), (), _coverage()).granted == len(
        catalog.expand("*")
    )
    boundary: JsonValue = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }
    bounded = principal_usage(
        demo_snapshot(boundary=boundary), developer_arn(1), catalog, set(), (), _coverage()
    )
    assert bounded.granted == len(catalog.expand("s3:*"))
