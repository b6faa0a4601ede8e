"""Readers: each file shape, gzip by magic bytes, and the bad-input paths."""

from __future__ import annotations

import gzip
import json

import pytest

from iamscope.activity.cloudtrail import TrailFileError, decode_trail_file
from tests.activity.builders import record, user_identity

R1 = record("e1", "s3.amazonaws.com", "ListBuckets")
R2 = record("e2", "iam.amazonaws.com", "ListUsers", identity=user_identity())


def test_delivery_file_plain_and_gzip() -> None:
    data = json.dumps({"Records": [R1, R2]}).encode()
    for raw in (data, gzip.compress(data)):
        decoded = decode_trail_file(raw)
        assert decoded.shape == "delivery"
        assert [r.eventID for r in decoded.records] == ["e1", "e2"]
        assert decoded.records[1].userIdentity is not None
        assert decoded.records[1].userIdentity.userName == "alice"


def test_bare_array() -> None:
    decoded = decode_trail_file(json.dumps([R2, R1]).encode())
    assert decoded.shape == "array"
    assert [r.eventName for r in decoded.records] == ["ListUsers", "ListBuckets"]


def test_lookup_events_output() -> None:
    data = {
        "Events": [
            {
                "EventId": "e1",
                "EventName": "ListBuckets",
                "EventTime": 1772359200.0,
                "CloudTrailEvent": json.dumps(R1),
            },
            {"EventId": "x", "EventName": "Broken", "CloudTrailEvent": "{not json"},
        ],
        "NextToken": "abc",
    }
    decoded = decode_trail_file(json.dumps(data).encode())
    assert decoded.shape == "lookup-events"
    assert [r.eventID for r in decoded.records] == ["e1"]
    assert decoded.skipped[0][0] == 1


def test_lake_query_results_dotted_and_json_columns() -> None:
    data = {
        "QueryStatus": "FINISHED",
        "QueryResultRows": [
            [
                {"eventID": "lake-1"},
                {"eventTime": "2026-03-01 10:00:00.000"},
                {"eventSource": "dynamodb.amazonaws.com"},
                {"eventName": "DescribeTable"},
                {"userIdentity.type": "IAMUser"},
                {"userIdentity.arn": "arn:aws:iam::123456789012:user/bob"},
                {"requestParameters": json.dumps({"tableName": "orders"})},
                {"readOnly": "true"},
            ],
            [{"eventJson": json.dumps(R2)}],
        ],
    }
    decoded = decode_trail_file(json.dumps(data).encode())
    assert decoded.shape == "lake"
    first, second = decoded.records
    assert first.eventID == "lake-1"
    assert first.userIdentity is not None
    assert first.userIdentity.arn == "arn:aws:iam::123456789012:user/bob"
    assert json.loads(bytes(first.requestParameters)) == {"tableName": "orders"}
    assert second.eventID == "e2"


def test_truncated_gzip_is_a_clear_error() -> None:
    data = gzip.compress(json.dumps({"Records": [R1]}).encode())
    with pytest.raises(TrailFileError, match="gzip"):
        decode_trail_file(data[: len(data) // 2])


def test_truncated_json_is_a_clear_error() -> None:
    data = json.dumps({"Records": [R1, R2]}).encode()
    with pytest.raises(TrailFileError, match="malformed or truncated"):
        decode_trail_file(data[:-30])


def test_other_json_object_is_rejected() -> None:
    with pytest.raises(TrailFileError, match="not a CloudTrail file"):
        decode_trail_file(b'{"Policy": {}}')
    with pytest.raises(TrailFileError, match="expected an object or an array"):
        decode_trail_file(b"eventID,eventName\n1,x\n")


def test_bad_record_is_skipped_with_its_index_and_the_rest_kept() -> None:
    bad = dict(R2)
    bad["eventName"] = 42
    decoded = decode_trail_file(json.dumps({"Records": [R1, bad, R2]}).encode())
    assert [r.eventID for r in decoded.records] == ["e1", "e2"]
    assert len(decoded.skipped) == 1
    assert decoded.skipped[0][0] == 1
    assert "eventName" in decoded.skipped[0][1]


def test_mfa_flag_as_boolean_or_string_is_accepted() -> None:
    rec = record("e9", "s3.amazonaws.com", "ListBuckets")
    rec["readOnly"] = "true"
    decoded = decode_trail_file(json.dumps([rec]).encode())
    assert decoded.records[0].readOnly == "true"
