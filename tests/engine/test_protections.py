"""What AWS enforces whatever the policies say, as a function the checks and the escalation graph call.

Each protection's decision vectors (with the AWS page they quote) are in vectors/protections.jsonl.
"""

from __future__ import annotations

import pytest

from iamscope.engine import PolicySet, Request, compile_policy, evaluate
from iamscope.engine.protections import PROTECTED_ACTIONS, protection

A = "111122223333"
SSO_ROLE = f"arn:aws:iam::{A}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef"
SLR = f"arn:aws:iam::{A}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing"


@pytest.mark.parametrize(
    ("action", "resource", "kind"),
    [
        ("iam:CreatePolicyVersion", "arn:aws:iam::aws:policy/AdministratorAccess", "aws-managed-policy"),
        (
            "IAM:setdefaultpolicyversion",
            "arn:aws:iam::aws:policy/service-role/AWSLambdaRole",
            "aws-managed-policy",
        ),
        ("iam:DeletePolicy", "arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess", "aws-managed-policy"),
        ("kms:CreateAlias", f"arn:aws:kms:eu-west-1:{A}:alias/aws/ebs", "aws-managed-key-alias"),
        ("iam:AttachRolePolicy", SSO_ROLE, "identity-center-role"),
        ("iam:UpdateRoleDescription", SSO_ROLE, "identity-center-role"),
        ("iam:PutRolePolicy", SLR, "service-linked-role"),
        ("iam:UpdateAssumeRolePolicy", SLR, "service-linked-role"),
    ],
)
def test_protected(action: str, resource: str, kind: str) -> None:
    found = protection(action, resource)
    assert found is not None
    assert found.kind == kind
    assert found.reason
    assert found.doc.startswith("https://docs.aws.amazon.com/")


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("iam:GetPolicyVersion", "arn:aws:iam::aws:policy/AdministratorAccess"),
        ("iam:CreatePolicyVersion", f"arn:aws:iam::{A}:policy/AdministratorAccess"),
        ("iam:AttachUserPolicy", f"arn:aws:iam::{A}:user/alice"),
        ("kms:CreateAlias", f"arn:aws:kms:eu-west-1:{A}:alias/awsome"),
        ("iam:PutRolePolicy", f"arn:aws:iam::{A}:role/AWSReservedSSO_lookalike"),
        ("iam:UpdateRoleDescription", SLR),
        ("iam:DeleteServiceLinkedRole", SLR),
        ("iam:PassRole", SSO_ROLE),
        ("iam:PutRolePolicy", "*"),
        ("s3:PutBucketPolicy", "arn:aws:s3:::aws"),
    ],
)
def test_not_protected(action: str, resource: str) -> None:
    assert protection(action, resource) is None


def test_the_owning_service_is_exempt() -> None:
    sso_service_role = f"arn:aws:iam::{A}:role/aws-service-role/sso.amazonaws.com/AWSServiceRoleForSSO"
    assert protection("iam:PutRolePolicy", SSO_ROLE, sso_service_role) is None
    assert (
        protection("iam:PutRolePolicy", SSO_ROLE, f"arn:aws:sts::{A}:assumed-role/AWSServiceRoleForSSO/s")
        is None
    )
    assert (
        protection("iam:PutRolePolicy", SSO_ROLE, f"arn:aws:iam::{A}:role/AWSServiceRoleForSSO") is not None
    )
    assert protection("iam:PutRolePolicy", SLR, "elasticloadbalancing.amazonaws.com") is None
    assert protection("iam:PutRolePolicy", SLR, "ec2.amazonaws.com") is not None
    assert protection("iam:CreatePolicyVersion", "arn:aws:iam::aws:policy/X", "iam.amazonaws.com") is not None


def test_the_fast_test_covers_every_protected_action() -> None:
    for action in PROTECTED_ACTIONS:
        assert action == action.lower()
        assert action.startswith(("iam:", "kms:"))


def test_the_decision_says_aws_protects_the_resource_and_no_policy_can_change_it() -> None:
    everything = compile_policy(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    )
    decision = evaluate(
        Request(
            f"arn:aws:iam::{A}:user/admin",
            "iam:CreatePolicyVersion",
            "arn:aws:iam::aws:policy/AdministratorAccess",
        ),
        PolicySet(identity=[everything]),
    )
    assert decision.decision == "implicitDeny"
    explanation = decision.explanation
    assert explanation.layer == "aws-protection"
    assert explanation.reason.startswith("AWS protects this resource")
    assert explanation.remedy is not None
    assert "docs.aws.amazon.com" in explanation.remedy
    assert explanation.to_json()["layer"] == "aws-protection"
