"""The assess command: options, exit codes and messages (input reading goes through iamscope.collect)."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest

from iamscope.cli import assess as command
from iamscope.cli.main import build_parser, main
from iamscope.model.findings import Severity
from iamscope.model.snapshot import Snapshot
from iamscope.report.formats import FORMATS
from tests.builders import compliant_account, cred_row, root_row, snapshot


def _source() -> Snapshot:
    account = replace(compliant_account(), credential_report=(root_row(), cred_row("alice", mfa=False)))
    return snapshot(account)


@pytest.fixture
def loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """The collector's loader is another module's job; these tests feed the command a Snapshot."""
    monkeypatch.setattr(command, "_load", lambda path: _source())


@pytest.mark.usefixtures("loaded")
def test_fail_on_sets_exit_status(tmp_path: Path) -> None:
    out = io.StringIO()
    status, result = command.run_assess(command.AssessRequest(tmp_path, fail_on=Severity.HIGH), out)
    assert status == 1
    assert result.worst() == Severity.HIGH
    status, _ = command.run_assess(command.AssessRequest(tmp_path, fail_on=Severity.CRITICAL), io.StringIO())
    assert status == 0
    assert "IAM Security Assessment Report" in out.getvalue()


@pytest.mark.usefixtures("loaded")
def test_output_dir_gets_every_format(tmp_path: Path) -> None:
    target = tmp_path / "report"
    status, _ = command.run_assess(command.AssessRequest(tmp_path, output_dir=target), io.StringIO())
    assert status == 0
    written = {p.name for p in target.iterdir()}
    single = {f.filename for f in FORMATS.values() if f.files is None}
    assert single <= written
    assert {n for n in written - single if not n.startswith("findings.asff-")} == set()
    assert any(n.startswith("findings.asff-") for n in written)
    document = json.loads((target / "findings.json").read_text(encoding="utf-8"))
    assert document["schema"] == "iamscope-findings/1"
    assert document["generator"]["iam_catalog_version"]
    assert {c["id"] for c in document["controls"]} >= {"1.4", "1.22"}


@pytest.mark.usefixtures("loaded")
def test_stable_ids_across_runs(tmp_path: Path) -> None:
    first = command.run_assess(command.AssessRequest(tmp_path, formats=("json",)), io.StringIO())[1]
    second = command.run_assess(command.AssessRequest(tmp_path, formats=("json",)), io.StringIO())[1]
    assert [f.id for f in first.findings] == [f.id for f in second.findings]


def test_several_formats_need_output_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assess", str(tmp_path), "--format", "json", "--format", "csv"]) == 2
    assert "several formats need --output-dir" in capsys.readouterr().err


def test_bad_suppressions_file_is_one_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "s.yaml"
    bad.write_text("suppressions: [", encoding="utf-8")
    assert main(["assess", str(tmp_path), "--suppressions", str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err
    assert "Traceback" not in err


def test_every_option_has_help() -> None:
    parser = build_parser()
    import argparse

    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for action in sub.choices["assess"]._actions:
        assert action.help, action.dest
