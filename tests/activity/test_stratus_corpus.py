"""The public Stratus Red Team detonation logs as a parsing and mapping corpus (skips when absent)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from iamscope.activity.ingest import ingest


def test_every_stratus_record_is_read_attributed_and_mapped(shared_dir: Path, tmp_path: Path) -> None:
    corpus = shared_dir / "eval-data" / "cloudtrail" / "stratus-red-team-detonation-logs"
    if not corpus.is_dir():
        pytest.skip("../shared/eval-data/cloudtrail is not present")
    files = sorted(corpus.glob("*.json"))
    db = tmp_path / "stratus.duckdb"
    report = ingest([str(corpus)], db)
    assert report.problems == ()
    assert report.files == len(files)
    assert report.records == report.stored + report.duplicates
    assert report.records >= 300
    # Every event is either mapped to an action or needs no permission; none is left unknown.
    assert report.unmapped == ()
    with duckdb.connect(str(db), read_only=True) as con:
        kinds = {k for (k,) in con.execute("SELECT DISTINCT principal_kind FROM events").fetchall()}
        assert {"user", "role", "federated"} <= kinds
        lambda_actions = {
            a
            for (a,) in con.execute(
                "SELECT DISTINCT action FROM calls WHERE action LIKE 'lambda:%'"
            ).fetchall()
        }
        assert {"lambda:UpdateFunctionCode", "lambda:AddPermission"} <= lambda_actions
        denied = con.execute("SELECT count(*) FROM events WHERE outcome = 'denied'").fetchone()
        assert denied is not None
        assert denied[0] > 0
