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
from tests.analysis.leastpriv.builders import (
    BREAK_GLASS,
    PRODUCTION,
    audit_snapshot,
    demo_snapshot,
    developer_arn,
)

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
    assert "AKIAOLDCIEXAMPLE0001: never used in the logs" in text


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


def test_generate_policy_asks_before_granting_an_escalation_action_on_everything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.activity.builders import ACCOUNT, record, user_identity, write_delivery

    write_delivery(
        tmp_path / "logs" / "a.json.gz",
        # CloudTrail redacted the role name: the call names no resource the policy could scope to
        [record("1", "iam.amazonaws.com", "AttachRolePolicy", identity=user_identity("ops"), request={})],
    )
    db = tmp_path / "a.duckdb"
    ingest([str(tmp_path / "logs")], db)
    args = ["generate-policy", "--db", str(db), "--principal", f"arn:aws:iam::{ACCOUNT}:user/ops"]
    assert main(args) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["Statement"] == []
    assert "warning: iam:AttachRolePolicy can escalate privileges" in out.err
    assert f"arn:aws:iam::{ACCOUNT}:role/*" in out.err
    assert "--allow-wildcard iam:AttachRolePolicy" in out.err
    assert main([*args, "--allow-wildcard", "iam:attachrolepolicy"]) == 0
    (statement,) = json.loads(capsys.readouterr().out)["Statement"]
    assert statement["Action"] == "iam:AttachRolePolicy"
    assert statement["Resource"] == f"arn:aws:iam::{ACCOUNT}:role/*"
    assert main([*args, "--allow-wildcard", "ssm:NoSuchThing"]) == 2
    assert "not an IAM action in the catalogue" in capsys.readouterr().err


@pytest.fixture
def audit_seam(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo account with credential-report users, and a production account without logs."""
    monkeypatch.setattr(iamscope.cli.unused, "load_snapshot", lambda path: audit_snapshot())


def test_unused_without_logs_for_the_account_is_not_visible(
    db: Path, tmp_path: Path, audit_seam: None, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["unused", "--db", str(db), "--bundle", str(tmp_path / "bundle"), "--principal", BREAK_GLASS]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert f"{BREAK_GLASS}: not visible: no logs for this account" in text
    assert "unused" not in text.split("\n")[0]
    assert main([*args, "--format", "json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)["principals"]
    assert entry["unused"] == []
    assert entry["not_visible_reason"] == "no logs for this account"
    # the SCP above production denies two of AdministratorAccess's actions
    assert entry["granted"] == entry["granted_by_identity_policies"] - 2
    assert "organizations:LeaveOrganization" not in entry["not-visible"]


def test_unused_checks_idleness_against_the_credential_report(
    db: Path, tmp_path: Path, audit_seam: None, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["unused", "--db", str(db), "--bundle", str(tmp_path / "bundle"), "--all", "--format", "json"]
    assert main(args) == 0
    document = json.loads(capsys.readouterr().out)
    verdicts = {(e["kind"], e["arn"].rsplit("/", 1)[-1], e["key"]): e for e in document["idle"]}
    alice = verdicts[("user", "alice", None)]
    assert alice["verdict"] == "logs-incomplete"
    assert "IAM says password used 2026-01-13 (credential report): logs may be incomplete" in alice["iam"]
    assert alice["logs"].startswith("no calls in the logs (2025-12-01 to 2026-01-")
    assert verdicts[("user", "old-contractor", None)]["verdict"] == "idle"
    assert verdicts[("user", "late", None)]["verdict"] == "used-after-logs"
    # keys come from the credential report's columns (no access key list collected)
    alice_key = verdicts[("access-key", "alice", "access key 1")]
    assert alice_key["verdict"] == "logs-incomplete"
    assert "(the logs have no events from ap-south-1)" in alice_key["iam"]
    assert verdicts[("access-key", "old-contractor", "access key 1")]["verdict"] == "idle"
    assert [a["account"] for a in document["not_visible_accounts"]] == [PRODUCTION]
    # the per-action verdicts of a principal IAM saw active carry the dispute
    (alice_usage,) = [p for p in document["principals"] if p["principal"].endswith(":user/alice")]
    assert any("may be wrong" in d for d in alice_usage["iam_disagrees"])
    assert not any(e["account"] == PRODUCTION for e in document["idle"])
    assert main(args[:-2]) == 0
    text = capsys.readouterr().out
    assert "NOT idle: no calls in the logs, but IAM's last-used data disagrees:" in text
    assert (
        f"{PRODUCTION}: not visible: no logs for this account in the store (0 roles, 1 users not judged)"
        in text
    )
