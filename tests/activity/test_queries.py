"""Summaries over a real store: per principal use, denied attempts, data-event coverage."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from iamscope.activity.ingest import ingest
from iamscope.activity.queries import TimeWindow, principal_filter, summarise
from iamscope.activity.render import summary_json, summary_text
from iamscope.activity.store import ActivityStore, StoreError
from tests.activity.builders import ACCOUNT, record, user_identity, write_delivery

ROLE = f"arn:aws:iam::{ACCOUNT}:role/teams/app"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    records = [
        record(
            "1",
            "dynamodb.amazonaws.com",
            "DescribeTable",
            request={"tableName": "t"},
            time="2026-03-01T10:00:00Z",
        ),
        record(
            "2",
            "dynamodb.amazonaws.com",
            "DescribeTable",
            request={"tableName": "t"},
            time="2026-03-05T10:00:00Z",
        ),
        record(
            "3",
            "dynamodb.amazonaws.com",
            "DescribeTable",
            request={"tableName": "u"},
            time="2026-03-02T10:00:00Z",
        ),
        record("4", "iam.amazonaws.com", "ListRoles", error="AccessDenied", time="2026-03-03T10:00:00Z"),
        record(
            "5",
            "dynamodb.amazonaws.com",
            "DeleteTable",
            request={"tableName": "t"},
            error="ResourceInUseException",
        ),
        record("6", "s3.amazonaws.com", "ListBuckets", identity=user_identity()),
        record("7", "made-up.amazonaws.com", "Frob", identity=user_identity()),
    ]
    path = tmp_path / "q.duckdb"
    ingest([str(write_delivery(tmp_path / "f.json.gz", records))], path)
    return path


def test_per_principal_summary(store_path: Path) -> None:
    with ActivityStore(store_path, read_only=True) as store:
        summary = summarise(store)
    assert summary.events == 7
    by_arn = {p.arn: p for p in summary.principals}
    role = by_arn[ROLE]
    assert role.events == 5
    assert role.services == ("dynamodb",)
    (describe,) = role.actions
    assert describe.action == "dynamodb:DescribeTable"
    assert describe.calls == 3
    assert describe.resource_count == 2
    assert describe.resources[0] == f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/t"
    assert describe.first_seen == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert describe.last_seen == datetime(2026, 3, 5, 10, tzinfo=UTC)
    assert [d.action for d in role.denied] == ["iam:ListRoles"]
    assert role.failed_calls == 1  # the failed DeleteTable is not use
    assert [u.event_name for u in summary.unmapped] == ["Frob"]
    assert by_arn[USER].services == ("s3",)


def test_one_principal_with_and_without_role_path_and_window(store_path: Path) -> None:
    with ActivityStore(store_path, read_only=True) as store:
        for arn in (
            ROLE,
            f"arn:aws:iam::{ACCOUNT}:role/app",
            f"arn:aws:sts::{ACCOUNT}:assumed-role/app/x",
        ):
            summary = summarise(store, arn)
            assert [p.arn for p in summary.principals] == [ROLE]
        window = TimeWindow(since=datetime(2026, 3, 2, tzinfo=UTC), until=datetime(2026, 3, 4, tzinfo=UTC))
        summary = summarise(store, ROLE, window)
        assert summary.events == 2
        assert summary.principals[0].actions[0].calls == 1
    assert principal_filter(USER).params == (USER,)


def test_absent_data_event_sources_are_named_with_why(store_path: Path) -> None:
    with ActivityStore(store_path, read_only=True) as store:
        summary = summarise(store)
    sources = {d.name: d for d in summary.data_sources}
    assert set(sources) == {"S3 object", "Lambda invoke", "DynamoDB item"}
    assert not any(d.present for d in sources.values())
    assert "lambda:InvokeFunction" in sources["Lambda invoke"].why
    text = summary_text(summary)
    assert "Lambda invoke  ABSENT" in text
    document = summary_json(summary)
    assert document["format"] == "iamscope-activity-summary/1"


def test_present_data_events_are_seen(tmp_path: Path) -> None:
    arn = f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:f"
    path = write_delivery(
        tmp_path / "d.json.gz",
        [
            record(
                "i",
                "lambda.amazonaws.com",
                "Invoke",
                request={"functionName": arn},
                resources=[{"type": "AWS::Lambda::Function", "ARN": arn}],
                category="Data",
            )
        ],
    )
    db = tmp_path / "d.duckdb"
    ingest([str(path)], db)
    with ActivityStore(db, read_only=True) as store:
        sources = {d.name: d for d in summarise(store).data_sources}
    assert sources["Lambda invoke"].present
    assert sources["Lambda invoke"].events == 1
    assert not sources["S3 object"].present


def test_store_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no activity database"):
        ActivityStore(tmp_path / "none.duckdb", read_only=True)
    junk = tmp_path / "junk.duckdb"
    junk.write_text("not a database")
    with pytest.raises(StoreError, match="cannot open"):
        ActivityStore(junk, read_only=True)
