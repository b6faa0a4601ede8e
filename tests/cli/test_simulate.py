"""``iamscope simulate`` as a user runs it: one request, a cases file, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamscope.cli.main import main

SAMPLES = Path(__file__).resolve().parents[2] / "src" / "iamscope" / "samples" / "cases.jsonl"


def write(path: Path, value: object) -> str:
    path.write_text(json.dumps(value), encoding="utf-8")
    return str(path)


def test_single_request_with_explain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    identity = write(
        tmp_path / "id.json",
        {
            "Version": "2012-10-17",
            "Statement": [{"Sid": "S3", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
        },
    )
    boundary = write(
        tmp_path / "pb.json",
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]},
    )
    code = main(
        [
            "simulate",
            "--principal", "arn:aws:iam::111122223333:user/alice",
            "--action", "s3:GetObject",
            "--resource", "arn:aws:s3:::b/k",
            "--identity-policy", identity,
            "--boundary", boundary,
            "--explain",
        ]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[0] == "implicitDeny"
    assert "permissions boundary" in out
    assert "id.json:S3" in out


def test_context_values_repeat_into_lists(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = write(
        tmp_path / "p.json",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "ec2:CreateTags",
                    "Resource": "*",
                    "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}},
                }
            ],
        },
    )
    args = [
        "simulate",
        "--principal",
        "arn:aws:iam::111122223333:user/a",
        "--action",
        "ec2:CreateTags",
        "--identity-policy",
        policy,
        "--format",
        "json",
    ]
    assert main([*args, "--context", "aws:TagKeys=team", "--context", "aws:TagKeys=env"]) == 0
    assert json.loads(capsys.readouterr().out)["decision"] == "allowed"
    assert main([*args, "--context", "aws:TagKeys=team", "--context", "aws:TagKeys=owner"]) == 0
    assert json.loads(capsys.readouterr().out)["decision"] == "implicitDeny"


def test_cases_file_prints_one_line_per_case(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--cases", str(SAMPLES)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    expected = [json.loads(line) for line in SAMPLES.read_text(encoding="utf-8").splitlines()]
    assert [(r["id"], r["decision"]) for r in lines] == [(c["id"], c["expect"]) for c in expected]


def test_bad_cases_report_errors_and_continue(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = SAMPLES.read_text(encoding="utf-8").splitlines()[0]
    bad_policy = json.dumps(
        {
            "id": "bad",
            "request": {
                "principal": "arn:aws:iam::111122223333:user/a",
                "action": "s3:GetObject",
                "resource": "*",
            },
            "policies": {
                "identity": [
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": "s3:*",
                                "Resource": "*",
                                "Condition": {"StringLikes": {"a": "b"}},
                            }
                        ],
                    }
                ]
            },
        }
    )
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join([good, bad_policy, "{truncated", good]) + "\n", encoding="utf-8")
    assert main(["simulate", "--cases", str(cases)]) == 1
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines()]
    assert len(lines) == 4
    assert lines[1] == {
        "id": "bad",
        "error": "policies.identity[0].Statement[0].Condition.StringLikes: unknown condition operator 'StringLikes'",
    }
    assert lines[2]["error"].startswith("line 3: not valid JSON")
    assert lines[3]["decision"] == "allowed"
    assert "2 case(s) could not be evaluated" in captured.err
    assert "Traceback" not in captured.err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        ("{not json", "not valid JSON"),
        ('{"Statement": [{"Effect": "Allow"}]}', "Statement[0].Action: is missing"),
    ],
)
def test_bad_policy_files_get_one_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    path = tmp_path / "policy.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code = main(
        [
            "simulate",
            "--principal",
            "arn:aws:iam::1:user/a",
            "--action",
            "s3:GetObject",
            "--identity-policy",
            str(path),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert str(path) in err
    assert message in err
    assert "Traceback" not in err


def test_missing_cases_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--cases", str(tmp_path / "nope.jsonl")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_explain_names_the_statement_and_the_condition_that_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = write(
        tmp_path / "dev.json",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ReadInRegion",
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::reports/*",
                    "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}},
                }
            ],
        },
    )
    args = [
        "simulate",
        "--principal", "arn:aws:iam::111122223333:user/alice",
        "--action", "s3:GetObject",
        "--resource", "arn:aws:s3:::reports/q3.csv",
        "--identity-policy", policy,
        "--context", "aws:RequestedRegion=eu-west-1",
        "--explain",
    ]  # fmt: skip
    assert main(args) == 0
    text = capsys.readouterr().out
    reason, remedy = text.splitlines()[1], text.splitlines()[-1]
    assert "dev.json:ReadInRegion" in reason
    assert "aws:RequestedRegion 'us-east-1'" in reason
    assert "'eu-west-1'" in reason
    assert remedy.startswith("  to change:")
    assert "aws:RequestedRegion" in remedy
    assert "allow s3:GetObject on this resource" not in text
    assert main([*args, "--format", "json"]) == 0
    (miss,) = json.loads(capsys.readouterr().out)["explanation"]["near_misses"]
    assert miss["statement"] == "ReadInRegion"
    assert miss["conditions"] == [
        {
            "operator": "StringEquals",
            "key": "aws:RequestedRegion",
            "values": ["us-east-1"],
            "request": "eu-west-1",
        }
    ]


def test_cases_explain_lists_near_misses_and_protections(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    allow_iam = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}],
    }
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        json.dumps(
            {
                "id": "managed",
                "request": {
                    "principal": "arn:aws:iam::111122223333:user/alice",
                    "action": "iam:CreatePolicyVersion",
                    "resource": "arn:aws:iam::aws:policy/AdministratorAccess",
                },
                "policies": {"identity": [allow_iam]},
            }
        )
        + "\n",
        encoding="utf-8",
    )
    assert main(["simulate", "--cases", str(cases), "--explain"]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["decision"] == "implicitDeny"
    assert line["explanation"]["layer"] == "aws-protection"
    assert "AWS managed policies" in line["explanation"]["reason"]


def test_an_s3_request_defaults_to_the_principals_account_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bucket = write(
        tmp_path / "bucket.json",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "444455556666"},
                    "Action": "s3:GetObject",
                    "Resource": "*",
                }
            ],
        },
    )
    identity = write(
        tmp_path / "id.json",
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]},
    )
    base = [
        "simulate",
        "--principal", "arn:aws:iam::444455556666:user/eve",
        "--action", "s3:PutObject",
        "--resource", "arn:aws:s3:::shared/k",
        "--identity-policy", identity,
        "--resource-policy", bucket,
    ]  # fmt: skip
    assert main(base) == 0
    assert (
        capsys.readouterr().out.strip() == "allowed"
    )  # same account by default: the identity policy decides
    assert main([*base, "--resource-account", "111122223333"]) == 0
    assert capsys.readouterr().out.strip() == "implicitDeny"  # the bucket policy grants only GetObject
    assert main(["simulate", "--help"]) == 0
    assert "default: the principal's" in " ".join(capsys.readouterr().out.split())


def test_an_action_that_names_no_action_is_a_warning_not_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = write(
        tmp_path / "odd.json",
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject,PutObject", "Resource": "*"}],
        },
    )
    code = main(
        [
            "simulate",
            "--principal", "arn:aws:iam::111122223333:user/alice",
            "--action", "s3:GetObject",
            "--resource", "arn:aws:s3:::b/k",
            "--identity-policy", policy,
        ]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0
    assert captured.out.strip() == "implicitDeny"
    assert "warning" in captured.err
    assert "odd.json" in captured.err
    assert "Statement[0].Action" in captured.err
    assert "a comma" in captured.err
