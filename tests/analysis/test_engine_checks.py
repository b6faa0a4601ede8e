"""Checks decided through the engine: each has a failing case and a near miss that must pass."""

from __future__ import annotations

from dataclasses import replace

from iamscope.analysis.assess import AssessConfig, assess
from iamscope.model.document import JsonValue
from iamscope.model.findings import Assessment
from iamscope.model.snapshot import AccountSnapshot, OrgAccount, Organization, OrgPolicy, OrgUnit, Role
from tests.builders import ACCOUNT, ADMIN_DOC, AS_OF, compliant_account, customer_policy, role, snapshot


def _doc(*statements: JsonValue) -> JsonValue:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _with_roles(*roles: Role, extra_policies: tuple[object, ...] = ()) -> AccountSnapshot:
    account = compliant_account()
    policies = dict(account.policies or {})
    for r in roles:
        for attachment in r.attached_policies:
            assert attachment.arn in policies, attachment.arn
    return replace(account, roles=(*(account.roles or ()), *roles), policies=policies)


def _assess(account: AccountSnapshot, organization: Organization | None = None) -> Assessment:
    return assess(snapshot(account, organization=organization), AssessConfig(as_of=AS_OF))


def _flagged(result: Assessment, check: str) -> set[str]:
    return {f.resource.rsplit("/", 1)[-1] for f in result.findings if f.check == check}


def _account_with(**named: JsonValue) -> AccountSnapshot:
    """Roles named after their single inline policy document."""
    roles = tuple(role(name, inline={"p": doc}) for name, doc in named.items())
    return _with_roles(*roles)


ALLOW_ALL = _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})


def test_admin_equivalent_counts_denies_and_boundaries() -> None:
    deny_iam = _doc(
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:*", "Resource": "*"},
    )
    not_action = _doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    account = _account_with(admin=ALLOW_ALL, denied=deny_iam, notaction=not_action)
    boundary = customer_policy("boundary", _doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))
    bounded = role("bounded", inline={"p": ALLOW_ALL}, boundary=boundary.arn)
    account = replace(
        account,
        roles=(*(account.roles or ()), bounded),
        policies={**(account.policies or {}), boundary.arn: boundary},
    )
    result = _assess(account)
    assert _flagged(result, "admin-equivalent-principal") == {"admin"}
    # The narrower checks skip the administrator but see the others.
    assert "admin" not in _flagged(result, "privilege-escalation-actions")
    denied = next(
        f
        for f in result.findings
        if f.check == "privilege-escalation-actions" and f.resource.endswith("/denied")
    )
    actions = denied.evidence["actions"]
    assert isinstance(actions, list)
    assert actions
    assert not [a for a in actions if isinstance(a, str) and a.startswith("iam:")]
    assert "bounded" in _flagged(result, "data-exfiltration-actions")
    assert "bounded" not in _flagged(result, "passrole-unscoped")


def test_conditions_and_scoped_resources_are_not_on_any_resource() -> None:
    scoped = _doc(
        {
            "Effect": "Allow",
            "Action": ["iam:PassRole", "s3:GetObject"],
            "Resource": ["arn:aws:iam::111111111111:role/app-*", "arn:aws:s3:::data-bucket/*"],
        }
    )
    conditioned = _doc(
        {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:ResourceTag/team": "a"}},
        }
    )
    wild = _doc(
        {
            "Effect": "Allow",
            "Action": ["iam:PassRole", "sts:AssumeRole", "lambda:InvokeFunction"],
            "Resource": "*",
        }
    )
    result = _assess(_account_with(scoped=scoped, conditioned=conditioned, wild=wild))
    assert _flagged(result, "passrole-unscoped") == {"wild"}
    assert _flagged(result, "assume-role-unscoped") == {"wild"}
    assert _flagged(result, "lambda-invoke-unscoped") == {"wild"}
    assert _flagged(result, "data-exfiltration-actions") == set()


def test_role_trust_checks() -> None:
    public = _doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})
    org_only = _doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123defg"}},
        }
    )
    partner = _doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
            "Action": "sts:AssumeRole",
        }
    )
    group_principal = _doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::444455556666:group/admins"},
            "Action": "sts:AssumeRole",
        }
    )
    partner_ok = _doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "x1"}},
        }
    )
    config = _doc(
        {"Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"}, "Action": "sts:AssumeRole"}
    )
    config_ok = _doc(
        {
            "Effect": "Allow",
            "Principal": {"Service": "config.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }
    )
    lambda_trust = _doc(
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    )
    linked = role("AWSServiceRoleForSupport", trust=public, path="/aws-service-role/support.amazonaws.com/")
    account = _with_roles(
        role("public", trust=public),
        role("orgonly", trust=org_only),
        role("partner", trust=partner),
        role("partnerok", trust=partner_ok),
        role("grouptrust", trust=group_principal),  # no request comes from a group: not a caller
        role("config", trust=config),
        role("configok", trust=config_ok),
        role("fn", trust=lambda_trust),
        linked,
    )
    result = _assess(account)
    assert _flagged(result, "role-trust-public") == {"public"}
    assert _flagged(result, "role-trust-cross-account-no-external-id") == {"partner"}
    runs = {r.check: r.status for r in result.check_runs}
    assert runs["role-trust-cross-account-no-external-id"] == "evaluated"
    assert _flagged(result, "role-trust-service-no-source") == {"config"}


def _org(scp: JsonValue) -> Organization:
    full = OrgPolicy(
        "p-FullAWSAccess",
        "FullAWSAccess",
        "SERVICE_CONTROL_POLICY",
        _doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
        ("r-root", "ou-workloads", ACCOUNT, "999999999999"),  # AWS attaches it everywhere by default
        True,
    )
    extra = OrgPolicy("p-mfa", "mfa", "SERVICE_CONTROL_POLICY", scp, ("ou-workloads",))
    return Organization(
        id="o-abc123defg",
        management_account_id="999999999999",
        units=(OrgUnit("r-root", "Root", None), OrgUnit("ou-workloads", "Workloads", "r-root")),
        accounts=(OrgAccount(ACCOUNT, "prod", "ou-workloads"), OrgAccount("999999999999", "mgmt", "r-root")),
        policies=(full, extra),
    )


def test_mfa_scp() -> None:
    enforcing = _doc(
        {
            "Effect": "Deny",
            "NotAction": ["iam:*MFA*", "sts:GetSessionToken"],
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        }
    )
    unrelated = _doc({"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"})
    checks = {f.check for f in _assess(compliant_account(), _org(enforcing)).findings}
    assert "mfa-scp-missing" not in checks
    checks = {f.check for f in _assess(compliant_account(), _org(unrelated)).findings}
    assert "mfa-scp-missing" in checks
    runs = {r.check: r.status for r in _assess(compliant_account()).check_runs}
    assert runs["mfa-scp-missing"] == "not_applicable"


def test_scp_deny_removes_admin() -> None:
    deny_iam = _doc({"Effect": "Deny", "Action": "iam:*", "Resource": "*"})
    admin = customer_policy("admin", ADMIN_DOC)
    account = replace(
        compliant_account(),
        roles=(role("ops", policies=(admin,)),),
        policies={admin.arn: admin, **(compliant_account().policies or {})},
    )
    assert _flagged(_assess(account), "admin-equivalent-principal") == {"ops"}
    assert _flagged(_assess(account, _org(deny_iam)), "admin-equivalent-principal") == set()
