"""``iamscope collect`` end to end against moto, then ``iamscope inventory`` on its bundle."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from iamscope.cli.main import main
from tests.moto_server import MotoServer


def test_collect_then_inventory(aws: MotoServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_user(UserName="frank")
    key = iam.create_access_key(UserName="frank")["AccessKey"]
    iam.create_login_profile(UserName="frank", Password="Correct-Horse-Battery-9")
    out = tmp_path / "bundle"
    code = main(["collect", "--out", str(out), "--regions", "us-east-1", "--max-attempts", "1", "--quiet"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "collected 1 account(s), 1 region(s)" in printed
    assert "access-analyzer:ListAnalyzers" in printed  # moto has no Access Analyzer: reported plainly
    assert key["SecretAccessKey"] not in printed
    for file in out.rglob("*"):
        if file.is_file():
            assert key["SecretAccessKey"] not in file.read_text(errors="replace")
    assert main(["inventory", str(out), "--console-without-mfa", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [u["name"] for u in document["users"]] == ["frank"]
    assert [k["access_key_id"] for k in document["keys"]] == [key["AccessKeyId"]]


def test_collect_without_credentials_is_one_message(
    aws: MotoServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    code = main(["collect", "--out", str(tmp_path / "b"), "--regions", "us-east-1", "--max-attempts", "1"])
    assert code == 2
    error = capsys.readouterr().err
    assert error.startswith("iamscope: error: cannot identify the caller (NoCredentialsError)")
    assert "Traceback" not in error
