"""replay: recorded calls through the engine against a proposal (and the snapshot around it)."""

from __future__ import annotations

from datetime import UTC, datetime

from iamscope.analysis.leastpriv.replay import replay, request_context
from iamscope.analysis.leastpriv.rightsize import snapshot_base
from iamscope.engine import compile_policy
from iamscope.model.activity import RecordedCall
from iamscope.model.document import JsonValue
from tests.analysis.leastpriv.builders import demo_snapshot, developer_arn

P = developer_arn(1)
T1 = datetime(2026, 9, 1, 10, tzinfo=UTC)
T2 = datetime(2026, 9, 30, 10, tzinfo=UTC)
TABLE = "arn:aws:dynamodb:eu-west-1:111111111111:table/payments"
ROLE = "arn:aws:iam::111111111111:role/payments-api-exec"


def _call(action: str, resource: str, **kw: object) -> RecordedCall:
    base: dict[str, object] = {
        "principal": P,
        "action": action,
        "resource": resource,
        "passed_to": None,
        "source_ip": "203.0.113.10",
        "mfa": False,
        "via_service": None,
        "region": "eu-west-1",
        "account": "111111111111",
        "calls": 3,
        "first_seen": T1,
        "last_seen": T2,
        "example_event": "e-1",
    }
    base.update(kw)
    return RecordedCall(**base)  # type: ignore[arg-type]


def _policy(*statements: JsonValue) -> list[object]:
    return [compile_policy({"Version": "2012-10-17", "Statement": list(statements)}, "proposed")]


ALLOW_TABLE = {"Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": TABLE}


def test_clean_replay_and_a_missing_action_with_its_reason() -> None:
    calls = [_call("dynamodb:GetItem", TABLE), _call("dynamodb:PutItem", TABLE, calls=2)]
    result = replay(calls, P, _policy(ALLOW_TABLE))  # type: ignore[arg-type]
    assert result.calls == 5
    assert result.groups == 2
    assert not result.clean
    (denial,) = result.denials
    assert denial.call.action == "dynamodb:PutItem"
    assert denial.decision == "implicitDeny"
    assert result.denied_calls == 2
    assert denial.explanation
    both = {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"], "Resource": TABLE}
    assert replay(calls, P, _policy(both)).clean  # type: ignore[arg-type]


def test_pass_role_needs_the_passed_to_service_condition_to_match() -> None:
    call = _call("iam:PassRole", ROLE, passed_to="lambda.amazonaws.com")
    good = {
        "Effect": "Allow",
        "Action": "iam:PassRole",
        "Resource": ROLE,
        "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
    }
    wrong = {**good, "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}}
    assert replay([call], P, _policy(good)).clean  # type: ignore[arg-type]
    assert not replay([call], P, _policy(wrong)).clean  # type: ignore[arg-type]


def test_time_and_ip_conditions_are_checked_at_both_ends() -> None:
    late = {
        **ALLOW_TABLE,
        "Condition": {"DateLessThan": {"aws:CurrentTime": "2026-09-15T00:00:00Z"}},
    }
    result = replay([_call("dynamodb:GetItem", TABLE)], P, _policy(late))  # type: ignore[arg-type]
    assert [d.at for d in result.denials] == [T2]
    ctx = request_context(_call("dynamodb:GetItem", TABLE, source_ip="AWS Internal", mfa=None), T1)
    assert "aws:SourceIp" not in ctx
    assert "aws:MultiFactorAuthPresent" not in ctx
    assert ctx["aws:ViaAWSService"] == "false"


def test_boundary_from_the_snapshot_still_applies() -> None:
    boundary: JsonValue = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }
    base = snapshot_base(demo_snapshot(boundary=boundary))
    calls = [_call("dynamodb:GetItem", TABLE)]
    assert replay(calls, P, _policy(ALLOW_TABLE)).clean  # type: ignore[arg-type]
    bounded = replay(calls, P, _policy(ALLOW_TABLE), base)  # type: ignore[arg-type]
    assert not bounded.clean
    assert "boundary" in bounded.denials[0].explanation.lower()


def test_denials_are_grouped_by_action_and_resource_with_what_differs() -> None:
    office = {
        **ALLOW_TABLE,
        "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    }
    calls = [
        _call("dynamodb:GetItem", TABLE, source_ip="10.1.2.3", calls=5, example_event="e-ok"),
        _call("dynamodb:GetItem", TABLE, source_ip="198.51.100.7", calls=2, example_event="e-a"),
        _call("dynamodb:GetItem", TABLE, source_ip="203.0.113.9", calls=1, mfa=True, example_event="e-b"),
        _call("dynamodb:PutItem", TABLE, calls=4),
    ]
    result = replay(calls, P, _policy(office))  # type: ignore[arg-type]
    assert result.denied_calls == 7
    get, put = result.denied_groups
    assert (get.action, get.resource) == ("dynamodb:GetItem", TABLE)
    assert get.calls == 3
    assert len(get.denials) == 2
    assert get.allowed_calls == 5
    differs = {d.key: d for d in get.differences}
    assert differs["aws:SourceIp"].denied == ("198.51.100.7", "203.0.113.9")
    assert differs["aws:SourceIp"].allowed == ("10.1.2.3",)
    assert differs["aws:MultiFactorAuthPresent"].denied == ("false", "true")
    assert get.same["aws:RequestedRegion"] == "eu-west-1"
    assert "aws:CurrentTime" not in differs  # times are a range, not a difference
    assert (put.action, put.calls, put.allowed_calls, put.differences) == ("dynamodb:PutItem", 4, 0, ())


def test_replay_text_and_json_show_one_entry_per_action_and_resource() -> None:
    from iamscope.analysis.leastpriv.views import replay_json, replay_text

    office = {**ALLOW_TABLE, "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}
    calls = [
        _call("dynamodb:GetItem", TABLE, source_ip="10.1.2.3", calls=5),
        _call("dynamodb:GetItem", TABLE, source_ip="198.51.100.7", calls=2),
        _call("dynamodb:GetItem", TABLE, source_ip="203.0.113.9", calls=1),
    ]
    result = replay(calls, P, _policy(office))  # type: ignore[arg-type]
    text = replay_text(result)
    assert "on 1 (action, resource) pair(s), 3 would be denied." in text
    assert text.count(f"- dynamodb:GetItem on {TABLE}") == 1
    assert "3 call(s) denied in 2 request context(s)" in text
    assert "what differs: aws:SourceIp denied 198.51.100.7, 203.0.113.9; allowed 10.1.2.3" in text
    denials = replay_json(result)["denials"]
    assert isinstance(denials, list)
    (entry,) = denials
    assert isinstance(entry, dict)
    assert entry["differs"] == {
        "aws:SourceIp": {"denied": ["198.51.100.7", "203.0.113.9"], "allowed": ["10.1.2.3"]}
    }
    assert entry["allowed_calls"] == 5
    requests = entry["requests"]
    assert isinstance(requests, list)
    assert len(requests) == 2
