"""generate-policy, replay, unused and rightsize (+ verify) through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import iamscope.cli.replay
import iamscope.cli.rightsize
import iamscope.cli.unused
from iamscope.activity.ingest import ingest
from iamscope.cli.main import main
from iamscope.model.snapshot import Snapshot
from iamscope.samples.demo_activity import write_demo_activity, write_demo_shadow_activity
from tests.analysis.leastpriv.builders import demo_snapshot, developer_arn

DEV1 = developer_arn(1)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    write_demo_activity(root / "logs")
    path = root / "demo.duckdb"
    ingest([str(root / "logs")], path)
    return path


@pytest.fixture
def snapshot_seam(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundle loader belongs to iamscope.collect: stand in with the demo snapshot."""

    def load(path: Path) -> Snapshot:
        assert path.name == "bundle"
        return demo_snapshot()

    for module in (iamscope.cli.replay, iamscope.cli.unused, iamscope.cli.rightsize):
        monkeypatch.setattr(module, "load_snapshot", load)


def test_generate_policy_then_replay_is_clean(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["generate-policy", "--db", str(db), "--principal", DEV1, "--generalize", "prefix"]) == 0
    out = capsys.readouterr()
    document = json.loads(out.out)
    assert document["Version"] == "2012-10-17"
    policy = tmp_path / "p.json"
    policy.write_text(out.out)
    assert main(["replay", "--db", str(db), "--policy", str(policy), "--principal", DEV1]) == 0
    assert "none would be denied" in capsys.readouterr().out


def test_generate_policy_warns_about_conditions(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["generate-policy", "--db", str(db), "--principal", developer_arn(4)]
    assert main([*args, "--require-mfa", "--source-ip", "203.0.113.0/24", "--format", "cloudformation"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["AWSTemplateFormatVersion"] == "2010-09-09"
    assert "--require-mfa would have denied" in out.err
    assert "--source-ip 203.0.113.0/24 would have denied" in out.err
    assert "198.51.100.23" in out.err


def test_replay_reports_denials_with_exit_status(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "narrow.json"
    policy.write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}],
            }
        )
    )
    code = main(["replay", "--db", str(db), "--policy", str(policy), "--principal", DEV1, "--format", "json"])
    assert code == 3
    result = json.loads(capsys.readouterr().out)
    assert not result["clean"]
    assert {d["action"] for d in result["denials"]} >= {"dynamodb:GetItem", "lambda:InvokeFunction"}


def test_replay_bad_policy_file(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Maybe"}]}')
    assert main(["replay", "--db", str(db), "--policy", str(bad), "--principal", DEV1]) == 2
    err = capsys.readouterr().err
    assert "bad.json" in err
    assert "Traceback" not in err


def test_unused_for_one_and_all(
    db: Path, tmp_path: Path, snapshot_seam: None, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "bundle"
    assert (
        main(["unused", "--db", str(db), "--bundle", str(bundle), "--principal", DEV1, "--format", "json"])
        == 0
    )
    (entry,) = json.loads(capsys.readouterr().out)["principals"]
    assert "dynamodb:GetItem" in entry["used"]
    assert "iam:CreateUser" in entry["unused"]
    assert entry["no-longer-granted"] == []
    assert main(["unused", "--db", str(db), "--bundle", str(bundle), "--all"]) == 0
    text = capsys.readouterr().out
    assert "old-ci" in text
    assert "AKIAOLDCIEXAMPLE0001 never used" in text


def test_rightsize_plan_and_verify(
    db: Path, tmp_path: Path, snapshot_seam: None, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "bundle"
    plan = tmp_path / "plan.json"
    assert (
        main(
            [
                "rightsize",
                "--db",
                str(db),
                "--bundle",
                str(bundle),
                "--generalize",
                "prefix",
                "--out",
                str(plan),
            ]
        )
        == 0
    )
    assert "READY for a shadow period" in capsys.readouterr().out
    document = json.loads(plan.read_text())
    assert len(document["principals"]) == 15
    assert all(p["ready"] for p in document["principals"])
    # Nothing new yet: a clean verify.
    assert main(["rightsize", "verify", "--db", str(db), "--plan", str(plan)]) == 0
    capsys.readouterr()
    write_demo_shadow_activity(tmp_path / "shadow", days=2)
    ingest([str(tmp_path / "shadow")], db)
    code = main(
        [
            "rightsize",
            "verify",
            "--db",
            str(db),
            "--plan",
            str(plan),
            "--bundle",
            str(bundle),
            "--format",
            "json",
        ]
    )
    assert code == 3
    result = json.loads(capsys.readouterr().out)
    dirty = [p for p in result["principals"] if not p["clean"]]
    assert [p["principal"] for p in dirty] == [developer_arn(5)]
    assert dirty[0]["denials"][0]["resource"].endswith("acme-shared-exports/2026/q3/summary.csv")


def test_rightsize_without_bundle_or_collect(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rightsize", "--db", str(db)]) == 2
    assert "needs --bundle" in capsys.readouterr().err
    not_a_plan = tmp_path / "x.json"
    not_a_plan.write_text("{}")
    assert main(["rightsize", "verify", "--db", str(db), "--plan", str(not_a_plan)]) == 2
    assert "not an iamscope rightsize plan" in capsys.readouterr().err
