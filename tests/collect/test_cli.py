"""The ``collect`` and ``inventory`` commands: help everywhere, one message per bad input."""

from __future__ import annotations

import argparse
import csv
import io
import json
from pathlib import Path

import pytest

from iamscope.cli.main import build_parser, main
from tests.collect.samples import ACCOUNT, write_bundle


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


@pytest.mark.parametrize("command", ["collect", "inventory"])
def test_every_option_has_help(command: str) -> None:
    parser = _subparsers(build_parser())[command]
    assert parser.description
    for action in parser._actions:
        assert action.help, f"{command} {action.option_strings or action.dest} has no help"


def test_inventory_json_and_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = write_bundle(tmp_path / "bundle")
    assert main(["inventory", str(bundle), "--format", "json", "--as-of", "2024-06-01"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["as_of"] == "2024-06-01T00:00:00+00:00"
    assert {u["name"] for u in document["users"]} == {"dana", "eve"}
    assert main(["inventory", str(bundle), "--format", "csv", "--view", "keys"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    # The sample bundle has no list-access-keys.json: keys come from the credential report slots.
    assert [(r["user"], r["slot"], r["age_days"]) for r in rows] == [("dana", "1", "1612")]


def test_inventory_filters_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = write_bundle(tmp_path / "bundle")
    assert main(["inventory", str(bundle), "--console-without-mfa", "--format", "json"]) == 0
    assert [u["name"] for u in json.loads(capsys.readouterr().out)["users"]] == ["dana"]
    assert main(["inventory", str(bundle), "--keys-older-than", "2000", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["users"] == []


def test_inventory_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "inventory.txt"
    assert main(["inventory", str(write_bundle(tmp_path / "bundle")), "--output", str(out)]) == 0
    text = out.read_text()
    assert "users (2)" in text
    assert "dana" in text
    assert f"{ACCOUNT}" in text
    assert "ages as of 2024-06-01" in text


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--format", "csv", "--view", "all"], "CSV holds one table"),
        (["--as-of", "yesterday"], "not an ISO 8601 date"),
        (["--unused-for", "-3"], "zero or more days"),
    ],
)
def test_inventory_option_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    assert main(["inventory", str(write_bundle(tmp_path / "bundle")), *arguments]) == 2
    assert message in capsys.readouterr().err


def test_inventory_bad_input_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"UserDetailList": [')
    assert main(["inventory", str(path)]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"iamscope: error: {path}: not valid JSON")
    assert "Traceback" not in error


def test_collect_rejects_bad_account_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["collect", "--out", str(tmp_path / "b"), "--accounts", "123,abc"]) == 2
    assert "not 12-digit account ids: 123, abc" in capsys.readouterr().err


def test_collect_with_an_unknown_profile_is_one_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    assert main(["collect", "--out", str(tmp_path / "b"), "--profile", "no-such-profile"]) == 2
    error = capsys.readouterr().err
    assert error.startswith(
        "iamscope: error: cannot start an AWS session: The config profile (no-such-profile)"
    )
    assert not (tmp_path / "b").exists()
