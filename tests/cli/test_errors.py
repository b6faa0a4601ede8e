"""Every command, run as a user runs it: a mistake is one ``iamscope: error:`` line and status 2,
and a closed standard output (``| head``) ends it quietly. Each runs in its own process through
the command's entry point, so a traceback, or Python's complaint about a broken pipe at exit,
would show on standard error.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from iamscope.cli.main import COMMANDS, main
from iamscope.model.document import JsonObject
from tests.activity.builders import record, user_identity, write_delivery
from tests.collect.samples import ACCOUNT, write_bundle
from tests.moto_server import MotoServer

DANA = f"arn:aws:iam::{ACCOUNT}:user/dana"


@dataclass(frozen=True)
class Inputs:
    """Good inputs for every command, made once: a bundle, an activity store, a policy, a plan."""

    root: Path
    bundle: Path
    db: Path
    policy: Path
    plan: Path
    cases: Path


def _dana_event(event_id: str, name: str, request: JsonObject) -> JsonObject:
    event = record(event_id, "s3.amazonaws.com", name, request=request, identity=user_identity("dana"))
    event["userIdentity"] = {**user_identity("dana"), "arn": DANA, "accountId": ACCOUNT}
    event["recipientAccountId"] = ACCOUNT
    return event


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Inputs:
    root = tmp_path_factory.mktemp("inputs")
    bundle = write_bundle(root / "bundle")
    trail = write_delivery(
        root / "trail" / "a.json",
        [
            _dana_event("1", "GetObject", {"bucketName": "reports", "key": "q3.csv"}),
            _dana_event("2", "GetBucketPolicy", {"bucketName": "reports"}),
        ],
    )
    db = root / "activity.duckdb"
    assert main(["activity", "ingest", str(trail.parent), "--db", str(db), "--workers", "0"]) == 0
    policy = root / "policy.json"
    policy.write_text(
        json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
        )
    )
    plan = root / "plan.json"
    assert (
        main(["rightsize", "--bundle", str(bundle), "--db", str(db), "--out", str(plan), "--format", "json"])
        == 0
    )
    # Enough cases that the output outgrows any pipe buffer: writes fail inside the loop.
    case = {
        "id": "c",
        "request": {"principal": DANA, "action": "s3:GetObject", "resource": "arn:aws:s3:::reports/q3.csv"},
        "policies": {"identity": [json.loads(policy.read_text())]},
    }
    cases = root / "cases.jsonl"
    cases.write_text("".join(json.dumps({**case, "id": f"c{n}"}) + "\n" for n in range(3000)))
    return Inputs(root, bundle, db, policy, plan, cases)


def _run(
    arguments: list[str], *, stdout: int | None = subprocess.PIPE, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "iamscope.cli.main", *arguments],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )


def _mistakes(i: Inputs) -> dict[str, tuple[list[str], str]]:
    """Per command: a user's mistake and the words its message must carry."""
    missing = str(i.root / "missing.json")
    return {
        "simulate": (["simulate", "--principal", DANA], "simulate needs --cases FILE"),
        "simulate policy": (
            ["simulate", "--principal", DANA, "--action", "s3:GetObject", "--identity-policy", missing],
            f"{missing}: cannot read",
        ),
        "simulate cases": (["simulate", "--cases", missing], f"{missing}: cannot read"),
        "assess": (["assess", str(i.root / "nowhere")], "no such file or directory"),
        "assess option": (
            ["assess", str(i.bundle), "--format", "json", "--format", "csv"],
            "several formats need --output-dir",
        ),
        "collect": (
            ["collect", "--out", str(i.root / "b"), "--accounts", "123"],
            "not 12-digit account ids: 123",
        ),
        "collect out": (  # a folder under a file: refused before any AWS call
            ["collect", "--out", str(i.policy / "b"), "--regions", "us-east-1"],
            "cannot create the bundle directory: Not a directory",
        ),
        "inventory": (
            ["inventory", str(i.bundle), "--keys-older-than", "-1"],
            "--keys-older-than must be zero or more days",
        ),
        "activity ingest": (
            ["activity", "ingest", str(i.root / "trail"), "--db", str(i.policy)],
            "is not a DuckDB database",
        ),
        "activity summary": (
            ["activity", "summary", "--db", str(i.root / "none.duckdb")],
            "no activity database here",
        ),
        "generate-policy": (
            ["generate-policy", "--principal", f"arn:aws:iam::{ACCOUNT}:user/nobody", "--db", str(i.db)],
            "no successful calls recorded",
        ),
        "unused": (["unused", "--bundle", missing, "--all", "--db", str(i.db)], "no such file or directory"),
        "replay": (
            ["replay", "--policy", missing, "--principal", DANA, "--db", str(i.db)],
            "cannot read the policy",
        ),
        "rightsize": (["rightsize", "--db", str(i.db)], "rightsize needs --bundle"),
        "rightsize verify": (
            ["rightsize", "verify", "--plan", str(i.policy), "--db", str(i.db)],
            "not an iamscope rightsize plan",
        ),
        "usage: unknown option": (
            ["inventory", str(i.bundle), "--no-such-option"],
            "unrecognized arguments: --no-such-option",
        ),
        "usage: bad choice": (["simulate", "--format", "xml"], "argument --format: invalid choice: 'xml'"),
        "usage: unknown command": (["no-such-command"], "invalid choice: 'no-such-command'"),
    }


# The case names, for parametrize (the commands' arguments need the inputs made at run time).
_NOWHERE = Inputs(*(Path("nowhere"),) * 6)
MISTAKES = tuple(_mistakes(_NOWHERE))


def test_every_command_is_covered(inputs: Inputs) -> None:
    covered = {name.split()[0] for name in _mistakes(inputs)}
    assert set(COMMANDS) <= covered


@pytest.mark.parametrize("case", MISTAKES)
def test_a_mistake_is_one_error_line_and_status_2(inputs: Inputs, case: str) -> None:
    arguments, words = _mistakes(inputs)[case]
    result = _run(arguments)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith("iamscope: error: ")
    assert words in errors[0]


def _good_runs(i: Inputs) -> dict[str, tuple[list[str], int]]:
    """Per command: a run that writes to standard output, and its usual exit status."""
    return {
        "simulate": (
            [
                "simulate",
                "--principal",
                DANA,
                "--action",
                "s3:GetObject",
                "--identity-policy",
                str(i.policy),
                "--explain",
            ],
            0,
        ),
        "simulate cases": (["simulate", "--cases", str(i.cases)], 0),
        "assess": (["assess", str(i.bundle)], 0),
        "inventory": (["inventory", str(i.bundle)], 0),
        "activity ingest": (
            [
                "activity",
                "ingest",
                str(i.root / "trail"),
                "--db",
                str(i.root / "again.duckdb"),
                "--workers",
                "0",
            ],
            0,
        ),
        "activity summary": (["activity", "summary", "--db", str(i.db)], 0),
        "generate-policy": (["generate-policy", "--principal", DANA, "--db", str(i.db)], 0),
        "unused": (["unused", "--bundle", str(i.bundle), "--all", "--db", str(i.db)], 0),
        "replay": (["replay", "--policy", str(i.policy), "--principal", DANA, "--db", str(i.db)], 0),
        "rightsize": (["rightsize", "--bundle", str(i.bundle), "--db", str(i.db)], 0),
        "rightsize verify": (
            ["rightsize", "verify", "--plan", str(i.plan), "--db", str(i.db), "--since", "2026-01-01"],
            0,
        ),
        "help": (["--help"], 0),
    }


GOOD_RUNS = tuple(_good_runs(_NOWHERE))


@pytest.fixture
def closed_pipe() -> Iterator[int]:
    """The write end of a pipe whose reader has gone, as ``| head`` leaves it."""
    read, write = os.pipe()
    os.close(read)
    yield write
    os.close(write)


@pytest.mark.parametrize("case", GOOD_RUNS)
def test_a_closed_output_pipe_ends_quietly(inputs: Inputs, closed_pipe: int, case: str) -> None:
    arguments, status = _good_runs(inputs)[case]
    result = _run(arguments, stdout=closed_pipe)
    for noise in ("Traceback", "BrokenPipe", "Broken pipe", "Exception ignored", "error", "cannot read"):
        assert noise not in result.stderr, result.stderr
    assert result.returncode == status


def test_collect_with_a_closed_output_pipe_ends_quietly(tmp_path: Path, closed_pipe: int) -> None:
    with MotoServer() as server:
        environment = {**os.environ, **server.environment()}
        for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION"):
            environment.pop(name, None)
        result = _run(
            ["collect", "--out", str(tmp_path / "b"), "--regions", "us-east-1", "--quiet"],
            stdout=closed_pipe,
            env=environment,
        )
    assert "Traceback" not in result.stderr
    assert "Exception ignored" not in result.stderr
    assert result.returncode == 0
    assert (tmp_path / "b" / "manifest.json").is_file()
