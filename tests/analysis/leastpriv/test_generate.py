"""generate-policy: grouping, scoping, PassRole, generalisation, size split, conditions, formats."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from iamscope.analysis.leastpriv.conditions import PolicyConditions, check_conditions
from iamscope.analysis.leastpriv.formats import render_policies
from iamscope.analysis.leastpriv.generate import GenerateOptions, generate_policy
from iamscope.analysis.leastpriv.replay import replay
from iamscope.analysis.leastpriv.size import policy_size
from iamscope.engine import compile_policy
from iamscope.engine.catalog import load_catalog
from iamscope.model.activity import CallContext, RecordedCall, UsedCall
from iamscope.model.document import JsonObject

ACCT = "123456789012"
FN = f"arn:aws:lambda:eu-west-1:{ACCT}:function:api"
ROLE = f"arn:aws:iam::{ACCT}:role/api-exec"


def _calls() -> list[UsedCall]:
    return [
        UsedCall("dynamodb:GetItem", f"arn:aws:dynamodb:eu-west-1:{ACCT}:table/orders", 5),
        UsedCall("dynamodb:PutItem", f"arn:aws:dynamodb:eu-west-1:{ACCT}:table/orders", 2),
        UsedCall("dynamodb:ListTables", "*", 1),
        UsedCall("lambda:InvokeFunction", FN, 9),
        UsedCall("s3:ListAllMyBuckets", "arn:aws:s3:::ignored-because-wildcard-only", 1),
        UsedCall("s3:GetObject", "arn:aws:s3:::b1/in/a/1.json", 1),
        UsedCall("s3:GetObject", "arn:aws:s3:::b1/in/b/2.json", 1),
        UsedCall("s3:GetObject", "arn:aws:s3:::b2/only.json", 1),
        UsedCall("iam:PassRole", ROLE, 1, passed_to="lambda.amazonaws.com"),
    ]


def _statements(doc: JsonObject) -> list[JsonObject]:
    statements = doc["Statement"]
    assert isinstance(statements, list)
    return [s for s in statements if isinstance(s, dict)]


def _by_action(doc: JsonObject) -> dict[str, JsonObject]:
    out: dict[str, JsonObject] = {}
    for statement in _statements(doc):
        actions = statement["Action"]
        for action in actions if isinstance(actions, list) else [actions]:
            out[str(action)] = statement
    return out


def test_grouped_by_service_and_scoped_to_arns_seen() -> None:
    policy = generate_policy(_calls(), load_catalog())
    (doc,) = policy.documents
    stmts = _by_action(doc)
    assert stmts["dynamodb:GetItem"] is stmts["dynamodb:PutItem"]
    assert stmts["dynamodb:GetItem"]["Resource"] == f"arn:aws:dynamodb:eu-west-1:{ACCT}:table/orders"
    assert stmts["dynamodb:ListTables"]["Resource"] == "*"
    assert stmts["s3:ListAllMyBuckets"]["Resource"] == "*"  # wildcard-only in the catalogue
    assert stmts["lambda:InvokeFunction"]["Resource"] == FN  # never '*'
    assert stmts["s3:GetObject"]["Resource"] == [
        "arn:aws:s3:::b1/in/a/1.json",
        "arn:aws:s3:::b1/in/b/2.json",
        "arn:aws:s3:::b2/only.json",
    ]
    pass_role = stmts["iam:PassRole"]
    assert pass_role["Resource"] == ROLE
    assert pass_role["Condition"] == {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}
    assert all(s["Effect"] == "Allow" for s in _statements(doc))
    assert "iam:PassRole" in policy.actions


def test_generalize_prefix_keeps_single_keys_and_folds_common_folders() -> None:
    policy = generate_policy(_calls(), load_catalog(), GenerateOptions(generalize="prefix"))
    resources = _by_action(policy.documents[0])["s3:GetObject"]["Resource"]
    assert resources == ["arn:aws:s3:::b1/in/*", "arn:aws:s3:::b2/only.json"]


def test_split_over_the_size_limit_with_every_statement_kept() -> None:
    calls = [UsedCall("s3:GetObject", f"arn:aws:s3:::bucket/k/{i:05d}.json", 1) for i in range(600)]
    policy = generate_policy(calls, load_catalog())
    assert len(policy.documents) > 1
    assert all(policy_size(d) <= 6144 for d in policy.documents)
    kept = [
        str(r)
        for d in policy.documents
        for s in _statements(d)
        for r in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])
    ]
    assert sorted(kept) == sorted(c.resource for c in calls)
    assert any("split into" in n for n in policy.notes)


def test_conditions_on_allows_and_source_ip_as_deny() -> None:
    conditions = PolicyConditions(
        require_mfa=True,
        source_ips=("203.0.113.0/24",),
        not_before=datetime(2026, 1, 1, tzinfo=UTC),
        not_after=datetime(2027, 1, 1, tzinfo=UTC),
    )
    policy = generate_policy(_calls(), load_catalog(), GenerateOptions(conditions=conditions))
    statements = _statements(policy.documents[0])
    deny = statements[0]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {
        "NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"},
        "Bool": {"aws:ViaAWSService": "false"},
    }
    for statement in statements[1:]:
        condition = statement["Condition"]
        assert isinstance(condition, dict)
        assert condition["Bool"] == {"aws:MultiFactorAuthPresent": "true"}
        assert condition["DateGreaterThan"] == {"aws:CurrentTime": "2026-01-01T00:00:00Z"}
        assert condition["DateLessThan"] == {"aws:CurrentTime": "2027-01-01T00:00:00Z"}
    pass_role = _by_action(policy.documents[0])["iam:PassRole"]["Condition"]
    assert isinstance(pass_role, dict)
    assert "StringEquals" in pass_role  # its own condition is kept next to the asked ones


def test_condition_warnings_name_the_calls_that_would_break() -> None:
    t = datetime(2026, 6, 1, tzinfo=UTC)
    contexts = [
        CallContext("s3.amazonaws.com", "GetObject", "203.0.113.9", True, None, 10, t, t),
        CallContext("s3.amazonaws.com", "PutObject", "198.51.100.7", False, None, 3, t, t),
        CallContext("kms.amazonaws.com", "Decrypt", "s3.amazonaws.com", None, "s3.amazonaws.com", 4, t, t),
        CallContext("s3.amazonaws.com", "ListBuckets", "AWS Internal", True, None, 1, t, t),
    ]
    warnings = check_conditions(
        contexts,
        PolicyConditions(
            require_mfa=True,
            source_ips=("203.0.113.0/24",),
            not_after=datetime(2026, 3, 1, tzinfo=UTC),
        ),
    )
    by_name = {w.condition.split()[0]: w for w in warnings}
    assert by_name["--require-mfa"].calls == 7  # PutObject (no MFA) + Decrypt via S3 (unknown)
    assert by_name["--source-ip"].calls == 4  # home IP and "AWS Internal"; not the S3-made call
    assert "198.51.100.7" in by_name["--source-ip"].text()
    assert by_name["--not-after"].calls == 18
    assert check_conditions(contexts, PolicyConditions()) == ()


def test_dollar_in_a_key_is_escaped_and_replays_clean() -> None:
    arn = "arn:aws:s3:::b1/price$list.csv"
    policy = generate_policy([UsedCall("s3:GetObject", arn, 1)], load_catalog())
    statement = _by_action(policy.documents[0])["s3:GetObject"]
    assert statement["Resource"] == "arn:aws:s3:::b1/price${$}list.csv"
    call = RecordedCall("arn:aws:iam::1:role/r", "s3:GetObject", arn, None, None, None, None, None, None, 1)
    compiled = [compile_policy(d) for d in policy.documents]
    assert replay([call], call.principal, compiled).clean


def test_bad_cidr_is_rejected() -> None:
    with pytest.raises(ValueError, match="does not appear to be"):
        PolicyConditions(source_ips=("not-a-cidr",))


def test_formats() -> None:
    policy = generate_policy(_calls(), load_catalog())
    doc = json.loads(render_policies(policy.documents, "json", "dev"))
    assert doc == policy.documents[0]
    terraform = render_policies(policy.documents, "terraform", "developer-01 policy", "d")
    assert 'resource "aws_iam_policy" "developer_01_policy"' in terraform
    assert "<<-POLICY" in terraform
    template = json.loads(render_policies(list(policy.documents) * 2, "cloudformation", "dev", "d"))
    resources = template["Resources"]
    assert len(resources) == 2
    assert all(r["Type"] == "AWS::IAM::ManagedPolicy" for r in resources.values())
    split = json.loads(render_policies(list(policy.documents) * 2, "json", "dev"))
    assert isinstance(split, list)


def test_per_call_session_ids_become_the_narrowest_stable_pattern() -> None:
    # Stratus ssm-start-session: TerminateSession on three one-off session ids of "christophe".
    sessions = [
        f"arn:aws:ssm:eu-west-1:{ACCT}:session/christophe-{suffix}"
        for suffix in (
            "bkqs75qpcrtlxk5paaytrydm2e",
            "s7uathgenk3m4qa2s33wio5gpu",
            "wzleysigzmbd6fmkefjqvt5w4u",
        )
    ]
    calls = [UsedCall("ssm:TerminateSession", arn, 1) for arn in sessions]
    calls.append(
        UsedCall("ssm:ResumeSession", f"arn:aws:ssm:eu-west-1:{ACCT}:session/4c1f0e52-aa11-4b7e-9f00-1", 1)
    )
    policy = generate_policy(calls, load_catalog())
    stmts = _by_action(policy.documents[0])
    assert stmts["ssm:TerminateSession"]["Resource"] == f"arn:aws:ssm:eu-west-1:{ACCT}:session/christophe-*"
    # a random id shares nothing stable: every session of the account and region
    assert stmts["ssm:ResumeSession"]["Resource"] == f"arn:aws:ssm:eu-west-1:{ACCT}:session/*"
    assert any("generalised to" in n and "christophe-*" in n for n in policy.notes)
    # the pattern still covers every recorded call
    user = f"arn:aws:iam::{ACCT}:user/christophe"
    recorded = [
        RecordedCall(user, "ssm:TerminateSession", a, None, None, None, None, "eu-west-1", ACCT, 1)
        for a in sessions
    ]
    assert replay(recorded, user, [compile_policy(policy.documents[0], "p", "identity")]).clean


def test_a_privilege_escalation_action_never_gets_a_wildcard_by_default() -> None:
    instance = f"arn:aws:ec2:eu-west-1:{ACCT}:instance/i-0aaa1111bbbb2222c"
    calls = [
        UsedCall("ssm:StartSession", "*", 2),
        UsedCall("iam:AttachRolePolicy", f"arn:aws:iam::{ACCT}:role/*", 1),
        UsedCall("ssm:SendCommand", instance, 1),
        UsedCall("ssm:SendCommand", "*", 1),
        UsedCall("ssm:DescribeInstanceInformation", "*", 3),  # not an escalation: "*" is fine
    ]
    policy = generate_policy(calls, load_catalog())
    stmts = _by_action(policy.documents[0])
    assert "ssm:StartSession" not in stmts
    assert "iam:AttachRolePolicy" not in stmts
    assert stmts["ssm:SendCommand"]["Resource"] == instance
    assert stmts["ssm:DescribeInstanceInformation"]["Resource"] == "*"
    assert "ssm:StartSession" not in policy.actions
    assert len(policy.warnings) == 3
    assert any("--allow-wildcard ssm:StartSession" in w for w in policy.warnings)
    allowed = generate_policy(
        calls, load_catalog(), GenerateOptions(allow_wildcard=frozenset({"SSM:startsession"}))
    )
    assert _by_action(allowed.documents[0])["ssm:StartSession"]["Resource"] == "*"
    assert len(allowed.warnings) == 2
