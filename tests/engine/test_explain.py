"""Explanations blame the right thing: for an implicit deny, the statement of the deciding layer that
names the action and resource but whose condition fails, with the key and both sides' values.

Layers and their order: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

from __future__ import annotations

import importlib

import pytest

from iamscope.engine import CompiledPolicy, Decision, PolicySet, Request, compile_policy, evaluate
from iamscope.engine.explain import NearMiss
from iamscope.model.document import JsonValue

A = "111122223333"
B = "444455556666"
USER = f"arn:aws:iam::{A}:user/alice"
SESSION = f"arn:aws:sts::{A}:assumed-role/app/s1"
OBJECT = "arn:aws:s3:::reports/q3.csv"
REGION: JsonValue = {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}


def doc(*statements: dict[str, JsonValue]) -> JsonValue:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(sid: str, name: str, kind: str = "identity", **extra: JsonValue) -> CompiledPolicy:
    statement: dict[str, JsonValue] = {"Sid": sid, "Effect": "Allow", "Action": "s3:GetObject", **extra}
    if kind == "identity":
        statement.setdefault("Resource", "*")
    return compile_policy(doc(statement), name, kind)  # type: ignore[arg-type]


EVERYTHING = compile_policy(doc({"Effect": "Allow", "Action": "*", "Resource": "*"}), "all")

# The module, not the function the package exports under the same name.
EVALUATE_MODULE = importlib.import_module("iamscope.engine.evaluate")


def only_miss(decision: Decision) -> NearMiss:
    explanation = decision.explanation
    assert decision.decision == "implicitDeny"
    assert explanation.near_misses, explanation.text()
    return explanation.near_misses[0]


@pytest.mark.parametrize(
    ("layer", "request_", "policies"),
    [
        (
            "identity",
            Request(USER, "s3:GetObject", OBJECT, A, {"aws:RequestedRegion": "eu-west-1"}),
            PolicySet(identity=[allow("Regional", "dev", Condition=REGION)]),
        ),
        (
            "permissions-boundary",
            Request(USER, "s3:GetObject", OBJECT, A, {"aws:RequestedRegion": "eu-west-1"}),
            PolicySet(
                identity=[EVERYTHING], permissions_boundary=[allow("Regional", "dev", Condition=REGION)]
            ),
        ),
        (
            "session-policy",
            Request(SESSION, "s3:GetObject", OBJECT, A, {"aws:RequestedRegion": "eu-west-1"}),
            PolicySet(identity=[EVERYTHING], session=allow("Regional", "dev", Condition=REGION)),
        ),
        (
            "scp",
            Request(USER, "s3:GetObject", OBJECT, A, {"aws:RequestedRegion": "eu-west-1"}),
            PolicySet(
                identity=[EVERYTHING],
                scps=[[EVERYTHING], [allow("Regional", "dev", "scp", Resource="*", Condition=REGION)]],
            ),
        ),
        (
            "resource-policy",
            Request(
                f"arn:aws:iam::{B}:user/eve", "s3:GetObject", OBJECT, A, {"aws:RequestedRegion": "eu-west-1"}
            ),
            PolicySet(
                identity=[EVERYTHING],
                resource=allow("Regional", "dev", "resource", Principal={"AWS": B}, Condition=REGION),
            ),
        ),
        (
            "vpc-endpoint",
            Request(USER, "s3:GetObject", OBJECT, A, {"aws:RequestedRegion": "eu-west-1"}),
            PolicySet(
                identity=[EVERYTHING],
                vpc_endpoint=[allow("Regional", "dev", "vpc-endpoint", Principal="*", Condition=REGION)],
            ),
        ),
    ],
)
def test_a_failed_condition_is_named_with_its_key_and_values_in_every_layer(
    layer: str, request_: Request, policies: PolicySet
) -> None:
    decision = evaluate(request_, policies)
    miss = only_miss(decision)
    explanation = decision.explanation
    assert explanation.layer == layer
    assert (miss.layer, miss.policy, miss.statement, miss.why) == (layer, "dev", "Regional", "condition")
    (failed,) = miss.conditions
    assert (failed.operator, failed.key, failed.values, failed.request) == (
        "StringEquals",
        "aws:RequestedRegion",
        ("us-east-1",),
        "eu-west-1",
    )
    text = explanation.text()
    assert "dev:Regional" in explanation.reason
    assert "aws:RequestedRegion" in explanation.reason
    assert "'us-east-1'" in text
    assert "'eu-west-1'" in text
    assert explanation.remedy is not None
    assert "aws:RequestedRegion" in explanation.remedy
    assert not explanation.remedy.startswith("allow s3:GetObject")
    as_json = explanation.to_json()
    assert as_json["near_misses"] == [
        {
            "layer": layer,
            "policy": "dev",
            "statement": "Regional",
            "why": "condition",
            **({"level": 1} if layer == "scp" else {}),
            "conditions": [
                {
                    "operator": "StringEquals",
                    "key": "aws:RequestedRegion",
                    "values": ["us-east-1"],
                    "request": "eu-west-1",
                }
            ],
        }
    ]


def test_an_absent_key_and_a_multivalued_key_are_shown_as_such() -> None:
    policy = allow(
        "Tagged",
        "dev",
        Condition={
            "Bool": {"aws:MultiFactorAuthPresent": "true"},
            "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]},
        },
    )
    decision = evaluate(
        Request(USER, "s3:GetObject", OBJECT, A, {"aws:TagKeys": ["team", "env"]}),
        PolicySet(identity=[policy]),
    )
    miss = only_miss(decision)
    requests = {c.key: c.request for c in miss.conditions}
    assert requests == {"aws:MultiFactorAuthPresent": None, "aws:TagKeys": ("team", "env")}
    text = decision.explanation.text()
    assert "absent from the request" in text
    assert "['team', 'env']" in text


def test_statements_for_another_resource_or_principal_are_named_too() -> None:
    logs = allow("Logs", "dev", Resource="arn:aws:s3:::logs/*")
    decision = evaluate(Request(USER, "s3:GetObject", OBJECT, A), PolicySet(identity=[logs]))
    miss = only_miss(decision)
    assert (miss.why, miss.resources) == ("resource", ("arn:aws:s3:::logs/*",))
    assert "arn:aws:s3:::logs/*" in decision.explanation.reason
    bucket = allow("Partner", "bucket", "resource", Principal={"AWS": f"arn:aws:iam::{B}:user/other"})
    outsider = evaluate(
        Request(f"arn:aws:iam::{B}:user/eve", "s3:GetObject", OBJECT, A),
        PolicySet(identity=[EVERYTHING], resource=bucket),
    )
    assert only_miss(outsider).why == "principal"


def test_conditions_come_before_resource_and_principal_misses() -> None:
    policies = PolicySet(
        identity=[
            allow("Logs", "a", Resource="arn:aws:s3:::logs/*"),
            allow("Regional", "b", Condition=REGION),
        ]
    )
    decision = evaluate(
        Request(USER, "s3:GetObject", OBJECT, A, {"aws:RequestedRegion": "eu-west-1"}), policies
    )
    assert [m.statement for m in decision.explanation.near_misses] == ["Regional", "Logs"]


def test_no_near_miss_when_nothing_names_the_action() -> None:
    ec2 = compile_policy(doc({"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}), "ec2")
    decision = evaluate(Request(USER, "s3:GetObject", OBJECT, A), PolicySet(identity=[ec2]))
    assert decision.explanation.near_misses == ()
    assert decision.explanation.reason == "no identity-based policy allows the request"
    assert "near_misses" not in decision.explanation.to_json()


def test_allowed_and_explicitly_denied_decisions_list_no_near_misses() -> None:
    deny = compile_policy(doc({"Effect": "Deny", "Action": "s3:*", "Resource": "*"}), "guard")
    regional = allow("Regional", "dev", Condition=REGION)
    denied = evaluate(Request(USER, "s3:GetObject", OBJECT, A), PolicySet(identity=[regional, deny]))
    assert denied.decision == "explicitDeny"
    assert denied.explanation.near_misses == ()
    allowed = evaluate(Request(USER, "s3:GetObject", OBJECT, A), PolicySet(identity=[regional, EVERYTHING]))
    assert allowed.allowed
    assert allowed.explanation.near_misses == ()


def test_near_misses_are_looked_for_only_when_the_explanation_is_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []

    def spy(*args: object, **kwargs: object) -> tuple[NearMiss, ...]:
        calls.append("near_misses")
        return ()

    monkeypatch.setattr(EVALUATE_MODULE, "near_misses", spy)
    decision = evaluate(
        Request(USER, "s3:GetObject", OBJECT, A, {"aws:RequestedRegion": "eu-west-1"}),
        PolicySet(identity=[allow("Regional", "dev", Condition=REGION)]),
    )
    assert decision.decision == "implicitDeny"
    assert calls == []
    assert decision.explanation.layer == "identity"
    assert calls == ["near_misses"]


def test_anonymous_callers_get_the_resource_policy_statement_that_nearly_applied() -> None:
    bucket = allow(
        "FromOffice",
        "bucket",
        "resource",
        Principal="*",
        Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
    )
    decision = evaluate(
        Request("anonymous", "s3:GetObject", OBJECT, A, {"aws:SourceIp": "198.51.100.7"}),
        PolicySet(resource=bucket),
    )
    miss = only_miss(decision)
    assert miss.layer == "resource-policy"
    assert miss.conditions[0].request == "198.51.100.7"
