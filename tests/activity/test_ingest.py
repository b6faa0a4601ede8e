"""Ingest into a real DuckDB file: dedup, bad files, outcomes, unmapped events, workers."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb

from iamscope.activity.ingest import IngestOptions, ingest
from tests.activity.builders import ACCOUNT, record, user_identity, write_delivery

ROLE = f"arn:aws:iam::{ACCOUNT}:role/teams/app"


def _org_path(root: Path, name: str, region: str = "eu-west-1") -> Path:
    return root / "AWSLogs" / "o-abc" / ACCOUNT / "CloudTrail" / region / "2026" / "03" / "01" / name


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_org_tree_dedup_and_digest_folders_skipped(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    r1 = record("e1", "s3.amazonaws.com", "ListBuckets")
    r2 = record("e2", "dynamodb.amazonaws.com", "DescribeTable", request={"tableName": "t"})
    r3 = record("e3", "dynamodb.amazonaws.com", "ListTables")
    write_delivery(_org_path(logs, "a.json.gz"), [r1, r2])
    write_delivery(_org_path(logs, "b.json.gz"), [r2, r3])  # e2 repeated across files
    write_delivery(_org_path(logs, "c.json", "us-east-1"), [r3], compress=False)
    digest = logs / "AWSLogs" / "o-abc" / ACCOUNT / "CloudTrail-Digest" / "x.json.gz"
    digest.parent.mkdir(parents=True)
    digest.write_bytes(gzip.compress(b'{"digestPublicKeyFingerprint": "x"}'))
    db = tmp_path / "a.duckdb"
    report = ingest([str(logs)], db)
    assert report.files == 3
    assert report.records == 5
    assert report.stored == 3
    assert report.duplicates == 2
    assert report.problems == ()
    assert _rows(db, "SELECT event_id, count(*) FROM events GROUP BY 1 ORDER BY 1") == [
        ("e1", 1),
        ("e2", 1),
        ("e3", 1),
    ]
    assert _rows(db, "SELECT count(*) FROM calls WHERE event_id = 'e2'") == [(1,)]
    # Ingesting the same tree again stores nothing new.
    again = ingest([str(logs)], db)
    assert (again.stored, again.duplicates) == (0, 5)
    assert _rows(db, "SELECT count(*) FROM events") == [(3,)]
    assert _rows(db, "SELECT count(*) FROM calls") == [(3,)]


def test_corrupt_and_truncated_files_are_reported_and_the_rest_kept(tmp_path: Path) -> None:
    good = write_delivery(tmp_path / "good.json.gz", [record("g1", "s3.amazonaws.com", "ListBuckets")])
    whole = gzip.compress(json.dumps({"Records": [record("t1", "s3.amazonaws.com", "ListBuckets")]}).encode())
    truncated = tmp_path / "truncated.json.gz"
    truncated.write_bytes(whole[:40])
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{ this is not json")
    db = tmp_path / "b.duckdb"
    report = ingest([str(truncated), str(good), str(garbage), str(tmp_path / "missing.json")], db)
    assert report.stored == 1
    names = sorted(Path(p.name).name for p in report.problems)
    assert names == ["garbage.json", "missing.json", "truncated.json.gz"]
    assert all(p.message for p in report.problems)
    assert _rows(db, "SELECT event_id FROM events") == [("g1",)]
    assert len(_rows(db, "SELECT name, message FROM problems")) == 3
    assert good.exists()


def test_outcomes_failed_denied_and_unmapped(tmp_path: Path) -> None:
    records = [
        record("ok", "dynamodb.amazonaws.com", "DescribeTable", request={"tableName": "t"}),
        record(
            "nf",
            "dynamodb.amazonaws.com",
            "DescribeTable",
            request={"tableName": "x"},
            error="ResourceNotFoundException",
        ),
        record("no", "iam.amazonaws.com", "CreateUser", request={"userName": "z"}, error="AccessDenied"),
        record("ec2", "ec2.amazonaws.com", "RunInstances", error="Client.UnauthorizedOperation"),
        record("um", "example.amazonaws.com", "FrobnicateWidget"),
        record("um2", "example.amazonaws.com", "FrobnicateWidget", identity=user_identity()),
    ]
    db = tmp_path / "c.duckdb"
    report = ingest([str(write_delivery(tmp_path / "f.json.gz", records))], db)
    assert report.unmapped == (("example.amazonaws.com", "FrobnicateWidget", 2),)
    assert report.statuses == {"mapped": 4, "unmapped": 2}
    outcomes = {str(k): v for k, v in _rows(db, "SELECT event_id, outcome FROM events")}
    assert outcomes == {
        "ok": "success",
        "nf": "failed",
        "no": "denied",
        "ec2": "denied",
        "um": "success",
        "um2": "success",
    }
    assert _rows(db, "SELECT count(*) FROM events WHERE status = 'unmapped'") == [(2,)]


def test_events_without_event_id_get_a_stable_synthetic_one(tmp_path: Path) -> None:
    rec = record("x", "s3.amazonaws.com", "ListBuckets")
    del rec["eventID"]
    path = write_delivery(tmp_path / "n.json.gz", [rec])
    db = tmp_path / "d.duckdb"
    ingest([str(path)], db)
    ingest([str(path)], db)
    ids = _rows(db, "SELECT event_id FROM events")
    assert len(ids) == 1
    assert str(ids[0][0]).startswith("synthetic-")


def test_worker_processes_give_the_same_store(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    for n in range(4):
        write_delivery(
            _org_path(logs, f"{n}.json.gz"),
            [
                record(
                    f"w{n}-{i}",
                    "dynamodb.amazonaws.com",
                    "DescribeTable",
                    request={"tableName": f"t{i}"},
                )
                for i in range(50)
            ],
        )
    inline = ingest([str(logs)], tmp_path / "inline.duckdb")
    pooled = ingest(
        [str(logs)], tmp_path / "pooled.duckdb", options=IngestOptions(workers=2, batch_events=60)
    )
    assert inline.stored == pooled.stored == 200
    query = "SELECT event_id, action, resource FROM calls ORDER BY 1, 2, 3"
    assert _rows(tmp_path / "inline.duckdb", query) == _rows(tmp_path / "pooled.duckdb", query)


def test_times_are_stored_as_utc_timestamps(tmp_path: Path) -> None:
    path = write_delivery(
        tmp_path / "t.json.gz",
        [
            record("a", "s3.amazonaws.com", "ListBuckets", time="2026-03-01T10:00:00Z"),
            record("b", "s3.amazonaws.com", "ListBuckets", time="not a time"),
        ],
    )
    db = tmp_path / "t.duckdb"
    ingest([str(path)], db)
    rows = {
        str(k): v for k, v in _rows(db, "SELECT event_id, strftime(event_time, '%Y-%m-%d %H:%M') FROM events")
    }
    assert rows == {"a": "2026-03-01 10:00", "b": None}


def test_role_path_is_kept_from_the_session_issuer(tmp_path: Path) -> None:
    path = write_delivery(tmp_path / "r.json.gz", [record("a", "s3.amazonaws.com", "ListBuckets")])
    db = tmp_path / "r.duckdb"
    ingest([str(path)], db)
    assert _rows(db, "SELECT principal_arn, session_name FROM events") == [(ROLE, "s1")]
