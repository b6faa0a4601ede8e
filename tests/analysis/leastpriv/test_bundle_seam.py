"""--bundle goes through iamscope.collect.load: the real demo bundle end to end, and a clear error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamscope.activity.ingest import ingest
from iamscope.cli.main import main
from iamscope.cli.snapshot_input import SnapshotInputError, load_snapshot
from iamscope.samples.demo_activity import ACTIVE_DEVELOPERS, write_demo_activity
from iamscope.samples.demo_org import write_demo_bundle


def test_demo_bundle_and_trail_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SnapshotInputError, match="missing: no such file or directory"):
        load_snapshot(tmp_path / "missing")
    bundle = write_demo_bundle(tmp_path / "bundle")
    write_demo_activity(tmp_path / "logs")
    db = tmp_path / "demo.duckdb"
    ingest([str(tmp_path / "logs")], db)
    assert main(["rightsize", "--bundle", str(bundle), "--db", str(db), "--format", "json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    developers = [p for p in plan["principals"] if ":role/developer-" in p["principal"]]
    assert len(developers) == 15
    assert all(p["ready"] for p in developers)
    assert sum(1 for p in developers if p["proposal"]["documents"]) == ACTIVE_DEVELOPERS
