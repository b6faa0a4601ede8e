"""The fast ingest against a plain one: record by record, no caches, no shared contexts.

The store keeps what events share once (contexts) and finds each record's shape through caches;
these tests check that what the ``events`` and ``calls`` views return equals what a direct
per-record attribution and mapping gives, deduplicated by eventID, and that ingesting the same
files again stores nothing new.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random

import duckdb
import pytest

from iamscope.activity import normalise
from iamscope.activity.cloudtrail import decode_trail_file
from iamscope.activity.ingest import IngestOptions, ingest
from iamscope.activity.mapping import EventMapper, load_event_action_table
from iamscope.activity.normalise import outcome_of, synthetic_event_id
from iamscope.activity.principals import attribute
from iamscope.activity.queries import recorded_calls, summarise, used_calls
from iamscope.activity.store import ActivityStore, StoreError
from iamscope.engine.catalog import load_catalog
from iamscope.model.document import JsonObject, JsonValue
from iamscope.samples.trail_records import Caller, TrailRecordFactory
from tests.activity.builders import ACCOUNT, record, role_identity, user_identity, write_delivery

EventTuple = tuple[object, ...]
CallTuple = tuple[str, str, str, str, str, str | None]

ROLE = f"arn:aws:iam::{ACCOUNT}:role/teams/app"
_EVENT_SQL = """
SELECT event_id, strftime(event_time, '%Y-%m-%dT%H:%M:%SZ'), event_source, event_name, event_type,
       category, read_only, region, account_id, principal_arn, principal_kind, principal_account,
       session_name, source_ip, via_service, mfa, vpce, error_code, outcome, status, access_key
FROM events
"""
_CALL_SQL = "SELECT event_id, principal_arn, outcome, action, resource, passed_to FROM calls"


def _org(root: Path, name: str, region: str = "eu-west-1") -> Path:
    return root / "AWSLogs" / "o-abc" / ACCOUNT / "CloudTrail" / region / "2026" / "03" / "01" / name


def _handmade() -> list[JsonObject]:
    """Every kind of record the normaliser treats differently."""
    role = f"arn:aws:iam::{ACCOUNT}:role/api-exec"
    obj: list[JsonValue] = [
        {"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::b1/a.txt"},
        {"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::b1/b.txt"},
        {"type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::b1"},
    ]
    out = [
        record("h-list", "dynamodb.amazonaws.com", "ListTables"),
        record("h-desc", "dynamodb.amazonaws.com", "DescribeTable", request={"tableName": "t"}),
        record("h-desc2", "dynamodb.amazonaws.com", "DescribeTable", request={"tableName": "u"}),
        record("h-multi", "s3.amazonaws.com", "DeleteObjects", request={"bucketName": "b1"}, resources=obj),
        record("h-pass", "lambda.amazonaws.com", "CreateFunction20150331", request={"role": role}),
        record(
            "h-profile",
            "ec2.amazonaws.com",
            "RunInstances",
            request={"iamInstanceProfile": {"name": "p"}},
        ),
        record(
            "h-denied", "iam.amazonaws.com", "CreateUser", request={"userName": "z"}, error="AccessDenied"
        ),
        record(
            "h-failed",
            "dynamodb.amazonaws.com",
            "DescribeTable",
            request={"tableName": "x"},
            error="ResourceNotFoundException",
        ),
        record("h-unmapped", "made-up.amazonaws.com", "Frobnicate"),
        record("h-free", "sts.amazonaws.com", "GetCallerIdentity"),
        record(
            "h-svc",
            "kms.amazonaws.com",
            "RotateKey",
            event_type="AwsServiceEvent",
            identity={"type": "AWSService", "invokedBy": "kms.amazonaws.com"},
        ),
        record("h-user", "s3.amazonaws.com", "ListBuckets", identity=user_identity()),
        record("h-mfa", "s3.amazonaws.com", "ListBuckets", identity=role_identity(mfa=True)),
        record("h-other-session", "s3.amazonaws.com", "ListBuckets", identity=role_identity(session="s2")),
        record("h-badtime", "s3.amazonaws.com", "ListBuckets", time="not a time"),
        record("h-region", "dynamodb.amazonaws.com", "ListTables", region="us-east-1"),
        record("h-ip", "dynamodb.amazonaws.com", "ListTables", source_ip="198.51.100.7"),
    ]
    key = user_identity("bob")
    key["accessKeyId"] = "AKIAEXAMPLEKEY000001"
    out.append(record("h-akia", "s3.amazonaws.com", "ListBuckets", identity=key))
    via = user_identity()
    via["invokedBy"] = "cloudformation.amazonaws.com"
    out.append(record("h-via", "dynamodb.amazonaws.com", "ListTables", identity=via))
    no_identity = record("h-noid", "s3.amazonaws.com", "ListBuckets")
    del no_identity["userIdentity"]
    out.append(no_identity)
    no_event_id = record("unused", "dynamodb.amazonaws.com", "DescribeTable", request={"tableName": "n"})
    del no_event_id["eventID"]
    no_event_id["requestID"] = "REQ1"
    out.append(no_event_id)
    text_flag = record("h-ro", "dynamodb.amazonaws.com", "ListTables")
    text_flag["readOnly"] = "true"
    out.append(text_flag)
    endpoint = record("h-vpce", "dynamodb.amazonaws.com", "ListTables")
    endpoint["vpcEndpointId"] = "vpce-0123"
    out.append(endpoint)
    return out


def _generated(seed: int, count: int) -> list[JsonObject]:
    """Realistic data and management events from a few roles and a user."""
    rng = Random(seed)
    factory = TrailRecordFactory(rng)
    callers = [
        Caller(account=ACCOUNT, name=f"svc-{i}", session=f"svc-{i}-s", source_ip=f"203.0.113.{i}")
        for i in range(3)
    ] + [Caller(account=ACCOUNT, name="carol", kind="user", principal_id="AIDAEXAMPLE")]
    start = datetime(2026, 3, 1, tzinfo=UTC)
    out: list[JsonObject] = []
    for n in range(count):
        caller = callers[rng.randrange(len(callers))]
        when = start + timedelta(seconds=7 * n)
        region = rng.choice(("eu-west-1", "us-east-1"))
        kind = rng.randrange(5)
        if kind == 0:
            out.append(factory.s3_object(caller, when, region, "GetObject", "data", f"k/{rng.randrange(9)}"))
        elif kind == 1:
            out.append(factory.dynamodb_item(caller, when, region, "PutItem", f"t{rng.randrange(3)}"))
        elif kind == 2:
            out.append(factory.lambda_invoke(caller, when, region, f"fn{rng.randrange(3)}"))
        elif kind == 3:
            out.append(
                factory.record(
                    caller,
                    when,
                    region,
                    "sts.amazonaws.com",
                    "AssumeRole",
                    request={"roleArn": f"arn:aws:iam::{ACCOUNT}:role/r{rng.randrange(2)}"},
                )
            )
        else:
            out.append(
                factory.record(
                    caller, when, region, "s3.amazonaws.com", "ListBuckets", error_code="AccessDenied"
                )
            )
    return out


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Delivery files with duplicates inside a file, across files, and across shapes of file."""
    handmade = _handmade()
    generated = _generated(1, 300)
    root = tmp_path / "logs"
    write_delivery(_org(root, "a.json.gz"), handmade[:12] + generated[:150])
    # Repeats: part of a.json.gz (the multi-call DeleteObjects included), one record twice.
    write_delivery(_org(root, "b.json.gz"), handmade[3:20] + generated[100:220] + generated[200:201])
    write_delivery(_org(root, "c.json", "us-east-1"), handmade[15:] + generated[220:], compress=False)
    array = root / "d.json"
    array.write_text(json.dumps(generated[250:] + handmade[:2]))
    return root


def _reference(root: Path) -> tuple[set[EventTuple], Counter[CallTuple]]:
    """Attribute and map every record directly; keep each eventID's first copy."""
    mapper = EventMapper(load_catalog(), load_event_action_table())
    seen: set[str] = set()
    events: set[EventTuple] = set()
    calls: Counter[CallTuple] = Counter()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        for rec in decode_trail_file(path.read_bytes()).records:
            event_id = rec.eventID or synthetic_event_id(rec)
            if event_id in seen:
                continue
            seen.add(event_id)
            source = rec.eventSource or ""
            who = attribute(rec.userIdentity, source)
            status, actions = mapper.map(rec)
            outcome = outcome_of(rec.errorCode)
            flag = rec.readOnly
            key = rec.userIdentity.accessKeyId if rec.userIdentity else None
            time = rec.eventTime if rec.eventTime and rec.eventTime[:1].isdigit() else None
            events.add(
                (
                    event_id,
                    time,
                    source,
                    rec.eventName,
                    rec.eventType,
                    rec.eventCategory,
                    flag.lower() == "true" if isinstance(flag, str) else flag,
                    rec.awsRegion,
                    rec.recipientAccountId,
                    who.arn,
                    who.kind,
                    who.account,
                    who.session,
                    rec.sourceIPAddress,
                    who.via_service,
                    who.mfa,
                    rec.vpcEndpointId,
                    rec.errorCode,
                    outcome,
                    status,
                    key if key and key.startswith("AKIA") else None,
                )
            )
            for a in actions:
                calls[(event_id, who.arn, outcome, a.action, a.resource, a.passed_to)] += 1
    return events, calls


def _stored(db: Path) -> tuple[list[EventTuple], Counter[CallTuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        con.execute("SET TimeZone='UTC'")
        events = con.execute(_EVENT_SQL).fetchall()
        calls: Counter[CallTuple] = Counter(con.execute(_CALL_SQL).fetchall())
    return events, calls


@pytest.mark.parametrize(
    ("options", "shape_cache"),
    [
        (IngestOptions(), None),
        (IngestOptions(batch_events=50), 2),  # many batches; the shape cache refilled often
        (IngestOptions(workers=2, batch_events=100), None),
    ],
    ids=["inline", "small-batches-tiny-cache", "workers"],
)
def test_store_equals_a_plain_reference_ingest(
    corpus: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    options: IngestOptions,
    shape_cache: int | None,
) -> None:
    if shape_cache is not None:
        monkeypatch.setattr(normalise, "_SHAPES", shape_cache)
    expected_events, expected_calls = _reference(corpus)
    db = tmp_path / "s.duckdb"
    report = ingest([str(corpus)], db, options=options)
    events, calls = _stored(db)
    assert report.problems == ()
    assert len(events) == len(set(events)) == report.stored
    assert set(events) == expected_events
    assert calls == expected_calls
    # The corpus covers what it claims: several calls for one event, denied, failed, unmapped.
    assert calls[("h-multi", ROLE, "success", "s3:DeleteObject", "arn:aws:s3:::b1/b.txt", None)] == 1
    assert {e[18] for e in events} == {"success", "denied", "failed"}
    assert {e[19] for e in events} == {"mapped", "unmapped", "permissionless", "service-event"}
    assert report.duplicates > 0


def test_reingest_stores_nothing_new_and_queries_agree_with_the_reference(
    corpus: Path, tmp_path: Path
) -> None:
    db = tmp_path / "r.duckdb"
    first = ingest([str(corpus)], db, options=IngestOptions(workers=2))
    events, calls = _stored(db)
    with ActivityStore(db, read_only=True) as store:
        summary = summarise(store)
        used = used_calls(store, ROLE)
        recorded = recorded_calls(store)
    again = ingest([str(corpus)], db, options=IngestOptions(workers=2))
    assert (again.stored, again.duplicates) == (0, again.records)
    assert again.records == first.records
    after_events, after_calls = _stored(db)
    assert len(after_events) == len(events)
    assert set(after_events) == set(events)
    assert after_calls == calls
    with ActivityStore(db, read_only=True) as store:
        assert summarise(store).principals == summary.principals
        assert used_calls(store, ROLE) == used
        assert Counter(recorded_calls(store)) == Counter(recorded)
    # Query results agree with the reference: successful calls of the role, with counts.
    _, expected_calls = _reference(corpus)
    expected_used: Counter[tuple[str, str, str | None]] = Counter()
    for (_, principal, outcome, action, resource, passed_to), n in expected_calls.items():
        if principal == ROLE and outcome == "success":
            expected_used[(action, resource, passed_to)] += n
    assert {(u.action, u.resource, u.passed_to): u.calls for u in used} == dict(expected_used)
    recorded_total = sum(r.calls for r in recorded)
    assert recorded_total == sum(n for key, n in expected_calls.items() if key[2] == "success")
    # One new file: only its new events are stored.
    extra = write_delivery(
        _org(corpus, "e.json.gz"),
        [
            record("new-1", "s3.amazonaws.com", "ListBuckets"),
            record("h-list", "dynamodb.amazonaws.com", "ListTables"),
        ],
    )
    third = ingest([str(corpus)], db)
    assert (third.stored, third.duplicates) == (1, third.records - 1)
    assert extra.exists()


def test_a_store_written_with_another_layout_is_refused_with_one_message(tmp_path: Path) -> None:
    old = tmp_path / "old.duckdb"
    with duckdb.connect(str(old)) as con:
        con.execute("CREATE TABLE events (event_id VARCHAR)")
        con.execute("CREATE TABLE meta (key VARCHAR, value VARCHAR)")
        con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    for read_only in (True, False):
        with pytest.raises(StoreError, match=r"schema 1.*ingest the trail again into a new --db"):
            ActivityStore(old, read_only=read_only)
    path = write_delivery(tmp_path / "f.json.gz", [record("x", "s3.amazonaws.com", "ListBuckets")])
    with pytest.raises(StoreError, match="schema 1"):
        ingest([str(path)], old)
    foreign = tmp_path / "foreign.duckdb"
    with duckdb.connect(str(foreign)) as con:
        con.execute("CREATE TABLE events (x INTEGER)")
    with pytest.raises(StoreError, match="not an iamscope activity database"):
        ActivityStore(foreign, read_only=True)
