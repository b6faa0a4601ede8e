"""Reading a right-size plan back: every field, and one clear error for anything else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamscope.analysis.leastpriv.plan_file import PlanFileError, read_plan_file
from iamscope.analysis.leastpriv.rightsize import PLAN_FORMAT


def test_reads_every_field(tmp_path: Path) -> None:
    document = {
        "format": PLAN_FORMAT,
        "created_at": "2026-01-15T00:00:00Z",
        "principals": [
            {
                "principal": "arn:aws:iam::111111111111:role/developer-01",
                "ready": True,
                "granted_actions": 22321,
                "used_actions": ["s3:GetObject", "dynamodb:Query"],
                "removes": {"actions": 22319, "by_service": {"s3": 180, "ec2": 700}},
                "grants_nothing_new": True,
                "replay": {"calls": 1038, "denied_calls": 0},
                "proposal": {"documents": [{"Version": "2012-10-17", "Statement": []}]},
                "blockers": [],
            },
            {
                "principal": "arn:aws:iam::111111111111:role/developer-12",
                "ready": True,
                "proposal": {"documents": []},
            },
        ],
        "skipped": ["account 222222222222: no CloudTrail activity in the store, not planned"],
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    plan = read_plan_file(path)
    first, idle = plan.entries
    assert (first.granted_actions, first.removed_actions, first.replay_calls) == (22321, 22319, 1038)
    assert first.removed_by_service == (("ec2", 700), ("s3", 180))
    assert not first.idle
    assert idle.idle
    assert plan.proposals()["arn:aws:iam::111111111111:role/developer-12"] == []
    assert plan.skipped == ("account 222222222222: no CloudTrail activity in the store, not planned",)


@pytest.mark.parametrize(
    ("content", "fault"),
    [
        (None, "cannot read the plan"),
        ("{", "cannot read the plan"),
        ('{"format": "something-else"}', "not an iamscope rightsize plan"),
        (json.dumps({"format": PLAN_FORMAT, "principals": [{"ready": True}]}), "no principal ARN"),
        (
            json.dumps({"format": PLAN_FORMAT, "principals": [{"principal": "arn:x", "proposal": 3}]}),
            "no proposal",
        ),
    ],
)
def test_anything_else_gets_one_error_naming_the_file(
    tmp_path: Path, content: str | None, fault: str
) -> None:
    path = tmp_path / "plan.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(PlanFileError, match=fault) as caught:
        read_plan_file(path)
    assert str(path) in str(caught.value)
