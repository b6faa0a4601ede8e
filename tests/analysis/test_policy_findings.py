"""Findings on customer managed policies, and severities that follow real impact.

Policy-level findings ask the engine about the policy alone (the seed report's "[H-001] 3 IAM
policies use wildcard Resource "*" with sensitive actions"). Severity: sts:GetSessionToken and
sts:GetFederationToken return only the caller's own permissions, or fewer
(id_credentials_temp_control-access_getsessiontoken.html, ..._getfederationtoken.html), and
ecr:GetAuthorizationToken's token "represents your IAM authentication credentials" (ECR API
reference): none creates or reveals another identity's credentials. A read-only operator holding
AWS's read-only managed policies collects no High finding.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from iamscope.analysis.assess import AssessConfig, assess
from iamscope.model.document import JsonValue
from iamscope.model.findings import Assessment, Severity
from iamscope.model.snapshot import (
    AccountSnapshot,
    ManagedPolicy,
    OrgAccount,
    Organization,
    OrgPolicy,
    OrgUnit,
)
from tests.builders import ACCOUNT, ADMIN_DOC, AS_OF, compliant_account, customer_policy, role, snapshot

MANAGED_POLICIES = (
    Path(__file__).resolve().parents[3] / "shared" / "eval-data" / "aws-managed-policies"
) / "iam-dataset-managed-policies.json"
READ_ONLY = ("ReadOnlyAccess", "ViewOnlyAccess", "SecurityAudit")
ALLOW_ALL: JsonValue = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


def _doc(*statements: JsonValue) -> JsonValue:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _with(*policies: ManagedPolicy, roles: tuple[object, ...] = ()) -> AccountSnapshot:
    base = compliant_account()
    return replace(
        base,
        roles=(*(base.roles or ()), *roles),  # type: ignore[arg-type]
        policies={**(base.policies or {}), **{p.arn: p for p in policies}},
    )


def _assess(account: AccountSnapshot, organization: Organization | None = None) -> Assessment:
    return assess(snapshot(account, organization=organization), AssessConfig(as_of=AS_OF))


def test_a_policy_granting_sensitive_actions_on_any_resource_is_a_finding_on_the_policy() -> None:
    passrole = customer_policy(
        "CIPolicy", _doc({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"})
    )
    keys = customer_policy(
        "DevPolicy", _doc({"Effect": "Allow", "Action": ["iam:CreateAccessKey", "s3:Get*"], "Resource": "*"})
    )
    scoped = customer_policy(
        "ScopedPolicy",
        _doc(
            {
                "Effect": "Allow",
                "Action": ["iam:PassRole", "s3:GetObject"],
                "Resource": [f"arn:aws:iam::{ACCOUNT}:role/app-*", "arn:aws:s3:::bucket/*"],
            }
        ),
    )
    cancelled = customer_policy(
        "CancelledPolicy",
        _doc(
            {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:*", "Resource": "*"},
        ),
    )
    conditioned = customer_policy(
        "TaggedPolicy",
        _doc(
            {
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:ResourceTag/team": "payments"}},
            }
        ),
    )
    admin_unattached = customer_policy("LegacyAdminPolicy", ADMIN_DOC)
    admin_attached = customer_policy("AttachedAdminPolicy", ADMIN_DOC)
    account = _with(
        passrole,
        keys,
        scoped,
        cancelled,
        conditioned,
        admin_unattached,
        admin_attached,
        roles=(
            role("ci", policies=(passrole,)),
            role("dev-a", policies=(keys, scoped)),
            role("dev-b", policies=(keys,)),
            role("ops", policies=(admin_attached,)),
        ),
    )
    result = _assess(account)
    found = {
        f.resource.rsplit("/", 1)[-1]: f for f in result.findings if f.check == "policy-sensitive-wildcard"
    }
    # The attached *:* policy is full-admin-policy-attached's finding already.
    assert set(found) == {"CIPolicy", "DevPolicy", "LegacyAdminPolicy"}
    dev = found["DevPolicy"]
    assert dev.severity == Severity.HIGH
    assert dev.resources == (
        keys.arn,
        f"arn:aws:iam::{ACCOUNT}:role/dev-a",
        f"arn:aws:iam::{ACCOUNT}:role/dev-b",
    )
    assert dev.evidence["actions"] == {
        "privilege-escalation": ["iam:CreateAccessKey"],
        "credentials-exposure": ["iam:CreateAccessKey"],
        "data-exfiltration": ["s3:GetObject", "s3:GetObjectVersion"],
    }
    assert dev.evidence["decided_by"] == ["Allow by identity DevPolicy:Statement[0]"]
    assert found["CIPolicy"].evidence["counts"] == {"passrole": 1}
    assert "attached to 0 principal(s)" in found["LegacyAdminPolicy"].message
    # Beside the findings on the principals that hold it.
    assert any(f.check == "passrole-unscoped" and f.resource.endswith("role/ci") for f in result.findings)


def test_own_permission_tokens_are_not_credentials_exposure() -> None:
    tokens = _doc(
        {
            "Effect": "Allow",
            "Action": [
                "sts:GetSessionToken",
                "sts:GetFederationToken",
                "ecr:GetAuthorizationToken",
                "sso:GetRoleCredentials",
                "cognito-identity:GetCredentialsForIdentity",
            ],
            "Resource": "*",
        }
    )
    others = _doc(
        {
            "Effect": "Allow",
            "Action": ["iam:CreateAccessKey", "redshift:GetClusterCredentials"],
            "Resource": "*",
        }
    )
    account = _with(roles=(role("tokens", inline={"p": tokens}), role("minter", inline={"p": others})))
    result = _assess(account)
    exposure = {
        f.resource.rsplit("/", 1)[-1]: f for f in result.findings if f.check == "credentials-exposure-actions"
    }
    assert set(exposure) == {"minter"}
    assert exposure["minter"].evidence["actions"] == ["iam:CreateAccessKey", "redshift:GetClusterCredentials"]


def test_reads_filed_as_permissions_management_are_not_resource_exposure() -> None:
    reads = _doc(
        {
            "Effect": "Allow",
            "Action": [
                "quicksight:DescribeTopicPermissions",
                "billing:GetResourcePolicy",
                "s3:PutBucketPolicy",
            ],
            "Resource": "*",
        }
    )
    result = _assess(_with(roles=(role("auditor", inline={"p": reads}),)))
    exposure = next(f for f in result.findings if f.check == "resource-exposure-actions")
    assert exposure.evidence["actions"] == ["s3:PutBucketPolicy"]


def test_probes_travel_over_tls_so_an_enforce_tls_rcp_denies_none() -> None:
    rcp = _doc(
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": ["s3:*", "sqs:*", "kms:*"],
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}},
        }
    )
    full = _doc({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"})
    organization = Organization(
        id="o-abc123defg",
        management_account_id="999999999999",
        units=(OrgUnit("r-root", "Root", None),),
        accounts=(OrgAccount(ACCOUNT, "prod", "r-root"), OrgAccount("999999999999", "mgmt", "r-root")),
        policies=(
            OrgPolicy(
                "p-FullAWSAccess",
                "FullAWSAccess",
                "SERVICE_CONTROL_POLICY",
                ALLOW_ALL,
                ("r-root", ACCOUNT),
                True,
            ),
            OrgPolicy(
                "p-RCPFull", "RCPFullAWSAccess", "RESOURCE_CONTROL_POLICY", full, ("r-root", ACCOUNT), True
            ),
            OrgPolicy("p-rcptls", "enforce-tls", "RESOURCE_CONTROL_POLICY", rcp, (ACCOUNT,)),
        ),
    )
    reader = role(
        "reader", inline={"p": _doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})}
    )
    result = _assess(_with(roles=(reader,)), organization)
    exfiltration = next(f for f in result.findings if f.check == "data-exfiltration-actions")
    assert exfiltration.evidence["actions"] == ["s3:GetObject"]


def _aws_managed(names: tuple[str, ...]) -> list[ManagedPolicy]:
    if not MANAGED_POLICIES.is_file():
        pytest.skip(f"optional data {MANAGED_POLICIES} is absent")
    bundle = json.loads(MANAGED_POLICIES.read_text(encoding="utf-8"))
    by_name = {p["name"]: p for p in bundle["policies"]}
    return [ManagedPolicy(arn=by_name[n]["arn"], name=n, document=by_name[n]["document"]) for n in names]


@pytest.mark.parametrize("name", READ_ONLY)
def test_a_read_only_operator_collects_no_high_finding(name: str) -> None:
    (policy,) = _aws_managed((name,))
    result = _assess(_with(policy, roles=(role("operator", policies=(policy,)),)))
    about = [f for f in result.findings if f.resource.endswith("role/operator")]
    assert [f.check for f in about if f.severity.at_least(Severity.HIGH)] == []
    if name == "ReadOnlyAccess":
        # It does read every object, parameter and table: a Medium data finding, as it should.
        assert {f.check: f.severity for f in about} == {"data-exfiltration-actions": Severity.MEDIUM}
