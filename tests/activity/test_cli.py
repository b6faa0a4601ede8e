"""The activity commands end to end, and that every command and option has help."""

from __future__ import annotations

import argparse
import json
import sqlite3
from pathlib import Path

import pytest

from iamscope.cli.main import build_parser, main
from tests.activity.builders import ACCOUNT, record, write_delivery
from tests.collect.unreadable import refuse_reads


def test_ingest_then_summary_json_and_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_delivery(
        tmp_path / "f.json.gz",
        [record("1", "dynamodb.amazonaws.com", "DescribeTable", request={"tableName": "t"})],
    )
    db = tmp_path / "cli.duckdb"
    assert main(["activity", "ingest", str(path), "--db", str(db), "--workers", "0"]) == 0
    assert "1 stored" in capsys.readouterr().out
    assert main(["activity", "summary", "--db", str(db), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["principals"][0]["arn"] == f"arn:aws:iam::{ACCOUNT}:role/teams/app"
    assert document["principals"][0]["actions"][0]["action"] == "dynamodb:DescribeTable"
    assert (
        main(
            [
                "activity",
                "summary",
                "--db",
                str(db),
                "--principal",
                f"arn:aws:iam::{ACCOUNT}:role/app",
            ]
        )
        == 0
    )
    assert "dynamodb:DescribeTable" in capsys.readouterr().out


def test_bad_inputs_give_one_message_and_an_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2")
    db = tmp_path / "x.duckdb"
    assert main(["activity", "ingest", str(bad), "--db", str(db), "--workers", "0"]) == 1
    err = capsys.readouterr().err
    assert "bad.json" in err
    assert "Traceback" not in err
    assert main(["activity", "summary", "--db", str(tmp_path / "none.duckdb")]) == 2
    assert "no activity database" in capsys.readouterr().err
    assert main(["activity", "summary", "--db", str(db), "--principal", "arn:aws:iam::1:user/nobody"]) == 2
    assert "no recorded activity" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["text", "json", "empty", "sqlite", "directory"])
def test_ingest_refuses_a_db_that_is_not_a_duckdb_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    # DuckDB opened a '*.json' path as an in-memory database: the ingest said "1 stored" and
    # nothing was kept. Any existing file that is not a DuckDB database is refused untouched.
    trail = write_delivery(tmp_path / "trail.json", [record("1", "sts.amazonaws.com", "GetCallerIdentity")])
    db = tmp_path / {"text": "notes.txt", "json": "other.json", "empty": "empty.duckdb"}.get(kind, kind)
    if kind == "sqlite":
        with sqlite3.connect(db) as connection:
            connection.execute("CREATE TABLE t (a)")
    elif kind == "directory":
        db.mkdir()
    else:
        db.write_text({"text": "my notes\n", "json": '{"Records": []}', "empty": ""}[kind])
    before = db.read_bytes() if db.is_file() else None
    assert main(["activity", "ingest", str(trail), "--db", str(db), "--workers", "0"]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"iamscope: error: {db}: ")
    assert "stored" not in captured.out
    assert (db.read_bytes() if db.is_file() else None) == before
    assert main(["activity", "summary", "--db", str(db)]) == 2
    assert f"iamscope: error: {db}: " in capsys.readouterr().err


def test_ingest_of_an_empty_folder_warns_and_exits_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    (empty / "nested").mkdir(parents=True)
    (empty / "README.txt").write_text("not a trail")
    assert main(["activity", "ingest", str(empty), "--db", str(tmp_path / "a.duckdb"), "--workers", "0"]) == 1
    err = capsys.readouterr().err
    assert f"iamscope: warning: skipped {empty}: no CloudTrail files in this folder" in err


def test_ingest_of_an_unreadable_folder_warns_and_keeps_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    good = write_delivery(
        tmp_path / "good" / "a.json", [record("1", "sts.amazonaws.com", "GetCallerIdentity")]
    )
    locked = tmp_path / "locked"
    write_delivery(locked / "b.json", [record("2", "sts.amazonaws.com", "GetCallerIdentity")])
    refuse_reads(monkeypatch).add(locked)  # as chmod 000, also when the tests run as root
    db = tmp_path / "a.duckdb"
    code = main(
        [
            "activity",
            "ingest",
            str(good.parent),
            str(locked),
            str(locked / "b.json"),
            "--db",
            str(db),
            "--workers",
            "0",
        ]
    )
    assert code == 1
    captured = capsys.readouterr()
    assert "1 stored" in captured.out
    assert f"iamscope: warning: skipped {locked}: cannot read the folder: Permission denied" in captured.err
    assert f"iamscope: warning: skipped {locked / 'b.json'}: cannot read: Permission denied" in captured.err


def _walk(parser: argparse.ArgumentParser, path: str) -> list[str]:
    missing = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                if name in {"activity", "generate-policy", "unused", "replay", "rightsize"} or path:
                    if not helps.get(name):
                        missing.append(f"{path} {name}".strip())
                    missing.extend(_walk(sub, f"{path} {name}".strip()))
        elif not action.help and action.dest != "help":
            missing.append(f"{path} {action.dest}")
    return missing


def test_every_command_and_option_has_help() -> None:
    assert _walk(build_parser(), "") == []
