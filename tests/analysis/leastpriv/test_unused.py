"""unused: granted versus used per action, invisible data-event actions, idle entities."""

from __future__ import annotations

from iamscope.analysis.leastpriv.grants import NamedDocument, granted_actions, identity_documents
from iamscope.analysis.leastpriv.unused import (
    compare_actions,
    data_event_actions,
    idle_entities,
    invisible_actions,
)
from iamscope.engine.catalog import load_catalog
from iamscope.model.activity import DataEventSource
from tests.analysis.leastpriv.builders import demo_snapshot, developer_arn


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


def test_identity_documents_and_idle_entities() -> None:
    snapshot = demo_snapshot()
    docs = identity_documents(snapshot, developer_arn(3))
    assert [d.name for d in docs] == ["arn:aws:iam::aws:policy/AdministratorAccess"]
    assert identity_documents(snapshot, "arn:aws:iam::999999999999:role/x") == ()
    active = {developer_arn(i): 10 for i in range(1, 15)}
    idle = idle_entities(snapshot, active, {})
    assert {(e.kind, e.arn.rsplit("/", 1)[-1]) for e in idle} == {
        ("role", "developer-15"),
        ("user", "old-ci"),
        ("access-key", "old-ci"),
    }
    assert not [
        e for e in idle_entities(snapshot, active, {"AKIAOLDCIEXAMPLE0001": 1}) if e.kind == "access-key"
    ]


def test_accounts_without_logs_are_not_called_idle() -> None:
    snapshot = demo_snapshot()
    assert idle_entities(snapshot, {}, {}, logged_accounts={"222222222222"}) == ()
    assert len(idle_entities(snapshot, {}, {}, logged_accounts={"111111111111"})) == 17
