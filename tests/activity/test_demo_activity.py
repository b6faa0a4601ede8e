"""The demo organisation's CloudTrail: deterministic, org-trail layout, the 15-roles case."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from iamscope.activity.ingest import ingest
from iamscope.samples.demo_activity import ACTIVE_DEVELOPERS, DEMO_ACCOUNT, write_demo_activity
from iamscope.samples.demo_org import DEMO_COLLECTED_AT


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def test_demo_activity_is_deterministic_and_in_org_layout(tmp_path: Path) -> None:
    write_demo_activity(tmp_path / "a", days=3)
    write_demo_activity(tmp_path / "b", days=3)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    files = sorted((tmp_path / "a").rglob("*.json.gz"))
    assert files
    rel = files[0].relative_to(tmp_path / "a").parts
    assert rel[0] == "AWSLogs"
    assert rel[2] == DEMO_ACCOUNT
    assert rel[3] == "CloudTrail"
    assert len(rel[5]) == 4  # YYYY
    assert rel[5].isdigit()


def test_developers_use_only_s3_lambda_dynamodb_with_data_events(tmp_path: Path) -> None:
    write_demo_activity(tmp_path / "logs")
    db = tmp_path / "demo.duckdb"
    report = ingest([str(tmp_path / "logs")], db)
    assert report.problems == ()
    assert report.unmapped == ()
    with duckdb.connect(str(db), read_only=True) as con:
        principals = [
            p for (p,) in con.execute("SELECT DISTINCT principal_arn FROM events ORDER BY 1").fetchall()
        ]
        # As the demo bundle's RoleLastUsed says: developer-NN last acted NN days before the
        # collection; developer-12..15 never did.
        assert principals == [
            f"arn:aws:iam::{DEMO_ACCOUNT}:role/developer-{i:02d}" for i in range(1, ACTIVE_DEVELOPERS + 1)
        ]
        last = dict(con.execute("SELECT principal_arn, max(event_time) FROM events GROUP BY 1").fetchall())
        for i in range(1, ACTIVE_DEVELOPERS + 1):
            seen = last[f"arn:aws:iam::{DEMO_ACCOUNT}:role/developer-{i:02d}"]
            assert (DEMO_COLLECTED_AT - seen).days in {i - 1, i}
        services = {
            s
            for (s,) in con.execute(
                "SELECT DISTINCT split_part(action, ':', 1) FROM calls WHERE outcome = 'success'"
            ).fetchall()
        }
        assert services == {"s3", "lambda", "dynamodb", "iam"}  # iam: PassRole of deployers
        data = dict(
            con.execute(
                "SELECT event_name, count(*) FROM events WHERE category = 'Data' GROUP BY 1"
            ).fetchall()
        )
        assert {"GetObject", "Invoke", "GetItem"} <= set(data)
