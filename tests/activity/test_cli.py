"""The activity commands end to end, and that every command and option has help."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from iamscope.cli.main import build_parser, main
from tests.activity.builders import ACCOUNT, record, write_delivery


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
