"""Bad input as users meet it: each fault gets one message naming the file, and the rest still loads."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from iamscope.cli.main import main
from iamscope.collect import InputError, load
from iamscope.collect.credential_report import COLUMNS
from tests.collect.samples import ACCOUNT, write_bundle
from tests.collect.unreadable import refuse_reads

OTHER = "444455556666"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("header.csv", "user,arn\n"),  # a short header: no longer "not valid JSON"
        ("names.csv", "name\n"),  # one column, but named .csv
        ("other.txt", "UserName,Arn,Created\n"),  # some other CSV export
    ],
)
def test_a_header_only_csv_is_reported_as_a_csv(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(InputError) as raised:
        load(path)
    message = str(raised.value)
    assert "not valid JSON" not in message
    assert message.startswith(f"{path}: not a credential report: missing column(s) ")


def test_a_credential_report_with_only_its_header_says_so(tmp_path: Path) -> None:
    path = tmp_path / "credential-report.csv"
    path.write_text(",".join(COLUMNS) + "\n")
    with pytest.raises(InputError, match="only its header line"):
        load(path)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            '{"UserDetailList": [{"UserName": "a',
            "Unterminated string starting at column 34 (truncated file?)",
        ),
        (
            '{"UserDetailList": [\n  {"UserName": "a',
            "Unterminated string starting at line 2 column 16 (truncated file?)",
        ),
        ('{"UserDetailList": [', "Expecting value at column 21 (truncated file?)"),
    ],
)
def test_truncated_json_is_located_once(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "gaad.json"
    path.write_text(content)
    with pytest.raises(InputError) as raised:
        load(path)
    assert expected in str(raised.value)
    assert "at at" not in str(raised.value)


def _two_account_bundle(root: Path) -> Path:
    write_bundle(root)
    shutil.copytree(root / ACCOUNT, root / OTHER)
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["accounts"] = [ACCOUNT, OTHER]
    (root / "manifest.json").write_text(json.dumps(manifest))
    return root


@pytest.fixture
def unlistable(monkeypatch: pytest.MonkeyPatch) -> set[Path]:
    """Directories that behave as chmod 000 does (see tests.collect.unreadable)."""
    return refuse_reads(monkeypatch)


def test_an_unreadable_account_folder_is_reported_and_the_rest_loads(
    tmp_path: Path, unlistable: set[Path]
) -> None:
    root = _two_account_bundle(tmp_path / "bundle")
    unlistable.add(root / OTHER)
    snapshot = load(root)
    assert snapshot.accounts[ACCOUNT].users  # the readable account is all there
    assert snapshot.accounts[OTHER].users is None
    (problem,) = [p for p in snapshot.problems if p.file == str(root / OTHER)]
    assert (
        problem.message == "cannot read the account's folder: Permission denied; this account is not loaded"
    )


def test_assess_on_a_bundle_with_an_unreadable_account_reports_it(
    tmp_path: Path, unlistable: set[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = _two_account_bundle(tmp_path / "bundle")
    unlistable.add(root / OTHER)
    assert main(["assess", str(root), "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert f"iamscope: warning: {root / OTHER}: cannot read the account's folder" in captured.err
    document = json.loads(captured.out)
    assert {f["account_id"] for f in document["findings"]} == {ACCOUNT}


def test_a_deeper_read_fault_loses_only_that_account(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The folder lists, but a file in it cannot be looked at (a subfolder without the x bit).
    root = _two_account_bundle(tmp_path / "bundle")
    real = Path.is_file

    def is_file(self: Path) -> bool:
        if self.is_relative_to(root / OTHER / "iam"):
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "is_file", is_file)
    snapshot = load(root)
    assert snapshot.accounts[ACCOUNT].users
    (problem,) = [p for p in snapshot.problems if p.file == str(root / OTHER)]
    assert problem.message.startswith("cannot read the account's folder: Permission denied (")


@pytest.mark.skipif(
    os.geteuid() == 0, reason="root reads a chmod 000 folder: the simulated variants above cover it"
)
def test_a_chmod_000_account_folder_is_reported(tmp_path: Path) -> None:
    root = _two_account_bundle(tmp_path / "bundle")
    (root / OTHER).chmod(0)
    try:
        snapshot = load(root)
    finally:
        (root / OTHER).chmod(0o755)
    assert snapshot.accounts[ACCOUNT].users
    assert any(p.file == str(root / OTHER) and "Permission denied" in p.message for p in snapshot.problems)


def test_an_unlistable_bundle_is_one_message(tmp_path: Path, unlistable: set[Path]) -> None:
    root = write_bundle(tmp_path / "bundle")
    unlistable.add(root)
    with pytest.raises(InputError, match="cannot list the directory: Permission denied"):
        load(root)


def test_inventory_output_to_a_missing_folder_is_one_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = write_bundle(tmp_path / "bundle")
    target = tmp_path / "missing-dir" / "x.txt"
    assert main(["inventory", str(bundle), "--output", str(target)]) == 2
    err = capsys.readouterr().err
    assert err == f"iamscope: error: {target}: cannot write the inventory: No such file or directory\n"
