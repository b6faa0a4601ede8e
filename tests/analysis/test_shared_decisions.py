"""Shared engine answers (checks/access.py, decision_keys.py) change no finding.

A generated account mixes what sharing must get right: policies with the same content under
different names, explicit denies, boundaries, groups, conditions the probe context fails, and
statements whose answer differs per principal (aws:PrincipalArn and aws:username conditions, policy
variables, SCPs exempting one role, a role named like a service-linked role). The optimised
assessment must produce exactly the findings of one where every principal and action is evaluated
by the engine on its own.
"""

from __future__ import annotations

import random
from dataclasses import replace

from iamscope.analysis.assess import AssessConfig, assess
from iamscope.analysis.checks.registry import AssessOptions
from iamscope.model.document import JsonValue
from iamscope.model.findings import Assessment
from iamscope.model.snapshot import (
    AccountSnapshot,
    Group,
    ManagedPolicy,
    OrgAccount,
    Organization,
    OrgPolicy,
    OrgUnit,
    Role,
    User,
)
from tests.builders import ACCOUNT, AS_OF, attached, compliant_account, customer_policy, snapshot

ENGINE_CHECKS = (
    "admin-equivalent-principal",
    "privilege-escalation-actions",
    "data-exfiltration-actions",
    "resource-exposure-actions",
    "credentials-exposure-actions",
    "infrastructure-modification-actions",
    "passrole-unscoped",
    "assume-role-unscoped",
    "lambda-invoke-unscoped",
)


def _doc(*statements: JsonValue, version: str = "2012-10-17") -> JsonValue:
    return {"Version": version, "Statement": list(statements)}


def _templates() -> list[JsonValue]:
    """Policy documents; each is used under several names so that content repeats."""
    return [
        _doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
        _doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}),
        _doc({"Effect": "Allow", "Action": ["ec2:*", "lambda:*"], "Resource": "*"}),
        _doc({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}),
        _doc(
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": ["iam:*", "kms:*"], "Resource": "*"},
        ),
        _doc({"Effect": "Allow", "Action": ["iam:PassRole", "sts:AssumeRole"], "Resource": "*"}),
        _doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data-bucket/*"}),
        _doc(
            {
                "Effect": "Allow",
                "Action": ["ec2:StopInstances", "s3:GetObject"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:ResourceTag/team": "a"}},
            }
        ),
        # Differs per principal: only roles whose name starts with dev- get iam:*.
        _doc(
            {
                "Effect": "Allow",
                "Action": "iam:*",
                "Resource": "*",
                "Condition": {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/dev-*"}},
            }
        ),
        # Differs per principal: a user may manage its own keys (policy variable).
        _doc(
            {
                "Effect": "Allow",
                "Action": ["iam:CreateAccessKey", "iam:UpdateAccessKey"],
                "Resource": f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}",
            }
        ),
        # Before 2012-10-17 the same text is a literal, the same for everyone.
        _doc(
            {
                "Effect": "Allow",
                "Action": "iam:CreateAccessKey",
                "Resource": f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}",
            },
            version="2008-10-17",
        ),
        # Differs per principal: the user named iamscope-probe... is nobody; a username condition.
        _doc(
            {
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:username": "user-03"}},
            }
        ),
        _doc(
            {
                "Effect": "Allow",
                "Action": ["dynamodb:*", "sqs:*"],
                "Resource": "*",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            },
            {"Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*"},
        ),
    ]


BOUNDARIES = [
    _doc({"Effect": "Allow", "Action": ["s3:*", "ec2:*", "iam:PassRole"], "Resource": "*"}),
    _doc(
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:Create*", "Resource": "*"},
    ),
]


def _account(seed: int) -> tuple[AccountSnapshot, Organization]:
    rng = random.Random(seed)
    templates = _templates()
    policies: list[ManagedPolicy] = [
        customer_policy(f"p{index:02d}", templates[index % len(templates)])
        for index in range(3 * len(templates))
    ]
    boundaries = [customer_policy(f"boundary{i}", doc) for i, doc in enumerate(BOUNDARIES)]
    groups = (
        Group(
            name="ops", arn=f"arn:aws:iam::{ACCOUNT}:group/ops", attached_policies=(attached(policies[1]),)
        ),
        Group(
            name="devs", arn=f"arn:aws:iam::{ACCOUNT}:group/devs", attached_policies=(attached(policies[8]),)
        ),
    )

    def pick() -> tuple[ManagedPolicy, ...]:
        return tuple(rng.sample(policies, rng.randint(1, 3)))

    def boundary() -> str | None:
        return rng.choice([None, None, boundaries[0].arn, boundaries[1].arn])

    users = tuple(
        User(
            name=f"user-{i:02d}",
            arn=f"arn:aws:iam::{ACCOUNT}:user/user-{i:02d}",
            groups=tuple(rng.sample(["ops", "devs"], rng.randint(0, 2))),
            attached_policies=tuple(attached(p) for p in pick()),
            permissions_boundary=boundary(),
        )
        for i in range(24)
    )
    names = [f"dev-{i:02d}" for i in range(12)] + [f"app-{i:02d}" for i in range(12)]
    names += ["AWSServiceRoleForLookalike", "exempt-admin"]
    extra = {"exempt-admin": (attached(policies[0]),), "dev-00": (attached(policies[0]),)}
    roles = tuple(
        Role(
            name=name,
            arn=f"arn:aws:iam::{ACCOUNT}:role/{name}",
            trust_policy=_doc(
                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ),
            attached_policies=tuple(attached(p) for p in pick()) + extra.get(name, ()),
            permissions_boundary=boundary(),
        )
        for name in names
    )
    base = compliant_account()
    account = replace(
        base,
        users=(*(base.users or ()), *users),
        groups=(*(base.groups or ()), *groups),
        roles=(*(base.roles or ()), *roles),
        policies={**(base.policies or {}), **{p.arn: p for p in (*policies, *boundaries)}},
    )
    # An SCP that denies the IAM writes that grant permissions except to exempt-* roles (differs
    # per principal) and keeps regions.
    guard = _doc(
        {
            "Effect": "Deny",
            "Action": ["iam:Put*", "iam:Attach*", "iam:Create*"],
            "Resource": "*",
            "Condition": {"ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/exempt-*"}},
        },
        {
            "Effect": "Deny",
            "NotAction": ["iam:*", "sts:*"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": ["ap-south-2", "me-central-1"]}},
        },
    )
    full = _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
    organization = Organization(
        id="o-abc123defg",
        management_account_id="999999999999",
        units=(OrgUnit("r-root", "Root", None),),
        accounts=(OrgAccount(ACCOUNT, "workload", "r-root"), OrgAccount("999999999999", "mgmt", "r-root")),
        policies=(
            OrgPolicy("p-full", "FullAWSAccess", "SERVICE_CONTROL_POLICY", full, ("r-root", ACCOUNT), True),
            OrgPolicy("p-guard", "guard", "SERVICE_CONTROL_POLICY", guard, (ACCOUNT,)),
        ),
    )
    return account, organization


def _run(account: AccountSnapshot, organization: Organization, share: bool) -> Assessment:
    options = AssessOptions(share_decisions=share)
    return assess(snapshot(account, organization=organization), AssessConfig(as_of=AS_OF, options=options))


def _engine_findings(result: Assessment) -> list[tuple[object, ...]]:
    return [
        (f.id, f.check, f.resources, f.message, tuple(sorted(f.evidence.items())))
        for f in result.findings
        if f.check in ENGINE_CHECKS
    ]


def test_shared_answers_equal_plain_evaluation() -> None:
    flagged: dict[str, set[str]] = {}
    for seed in (1, 2):
        account, organization = _account(seed)
        shared = _run(account, organization, share=True)
        plain = _run(account, organization, share=False)
        assert _engine_findings(shared) == _engine_findings(plain), seed
        assert shared.findings == plain.findings
        assert shared.check_runs == plain.check_runs
        for f in plain.findings:
            if f.check in ENGINE_CHECKS:
                flagged.setdefault(f.check, set()).add(f.resource.rsplit("/", 1)[-1])
    # The generated accounts exercise every engine check, and answers that differ per principal:
    # the SCP spares only exempt-* roles, so dev-00 (same admin policy) is not an administrator.
    assert set(flagged) == set(ENGINE_CHECKS)
    assert "exempt-admin" in flagged["admin-equivalent-principal"]
    assert "dev-00" not in flagged["admin-equivalent-principal"]
    assert "dev-00" in flagged["privilege-escalation-actions"]
