"""Administrator-equivalence (checks/admin.py): a way to grant itself anything, and the reach it gives.

Every case runs both engine paths (shared answers and one evaluation per principal) and compares
them. The evaluation rules themselves are cited in tests/engine/vectors; here: SCPs filter what
identity policies allow (reference_policies_evaluation-logic.html, "Service control policies"),
an inline or attached policy on oneself is a grant to oneself (id_credentials_delegate-permissions,
IAM actions that change permissions), and a permissions boundary caps what any policy added later
can grant (access_policies_boundaries.html).
"""

from __future__ import annotations

from dataclasses import replace

from iamscope.analysis.assess import AssessConfig, assess
from iamscope.analysis.checks.registry import AssessOptions
from iamscope.model.document import JsonValue
from iamscope.model.findings import Assessment, Finding
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
from tests.builders import (
    ACCOUNT,
    ADMIN_DOC,
    AS_OF,
    attached,
    aws_policy,
    compliant_account,
    cred_row,
    customer_policy,
    key,
    role,
    snapshot,
    user,
)

ENGINE_CHECKS = {
    "admin-equivalent-principal",
    "admin-user-without-mfa",
    "privilege-escalation-actions",
    "credentials-exposure-actions",
    "data-exfiltration-actions",
    "passrole-unscoped",
    "console-user-without-mfa",
}
ADMINISTRATOR = aws_policy("AdministratorAccess", ADMIN_DOC)
MANAGEMENT = "999999999999"


def _doc(*statements: JsonValue) -> JsonValue:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(actions: JsonValue, resource: JsonValue = "*", **extra: JsonValue) -> JsonValue:
    return {"Effect": "Allow", "Action": actions, "Resource": resource, **extra}


def _org(*scps: tuple[str, JsonValue], full_access: bool = True) -> Organization:
    """The account under one OU; FullAWSAccess everywhere (unless replaced) plus ``scps`` on the account."""
    # AWS attaches FullAWSAccess at every level by default; an allow-list SCP replaces it on the account.
    levels = (
        ("r-root", "ou-workloads", ACCOUNT, MANAGEMENT)
        if full_access
        else ("r-root", "ou-workloads", MANAGEMENT)
    )
    policies = [
        OrgPolicy(
            "p-FullAWSAccess", "FullAWSAccess", "SERVICE_CONTROL_POLICY", _doc(_allow("*")), levels, True
        )
    ]
    for index, (name, document) in enumerate(scps):
        policies.append(OrgPolicy(f"p-scp{index:04d}", name, "SERVICE_CONTROL_POLICY", document, (ACCOUNT,)))
    return Organization(
        id="o-abc123defg",
        management_account_id=MANAGEMENT,
        units=(OrgUnit("r-root", "Root", None), OrgUnit("ou-workloads", "Workloads", "r-root")),
        accounts=(OrgAccount(ACCOUNT, "prod", "ou-workloads"), OrgAccount(MANAGEMENT, "mgmt", "r-root")),
        policies=tuple(policies),
    )


def _account(
    *roles: Role,
    users: tuple[User, ...] = (),
    groups: tuple[Group, ...] = (),
    policies: tuple[ManagedPolicy, ...] = (),
) -> AccountSnapshot:
    base = compliant_account()
    return replace(
        base,
        users=(*(base.users or ()), *users),
        groups=(*(base.groups or ()), *groups),
        roles=(*(base.roles or ()), *roles),
        policies={**(base.policies or {}), ADMINISTRATOR.arn: ADMINISTRATOR, **{p.arn: p for p in policies}},
    )


def _assess(account: AccountSnapshot, organization: Organization | None = None) -> Assessment:
    """The assessment, after checking that both engine paths find exactly the same."""
    results = [
        assess(
            snapshot(account, organization=organization),
            AssessConfig(as_of=AS_OF, options=AssessOptions(share_decisions=share)),
        )
        for share in (True, False)
    ]
    shared, plain = results
    assert shared.findings == plain.findings
    assert shared.check_runs == plain.check_runs
    return shared


def _admins(result: Assessment) -> dict[str, Finding]:
    return {
        f.resource.rsplit("/", 1)[-1]: f
        for f in result.findings
        if f.check in ("admin-equivalent-principal", "admin-user-without-mfa")
    }


def _deniers(finding: Finding) -> list[str]:
    """The ``by`` of each entry of an administrator finding's ``denied`` evidence."""
    denied = finding.evidence["denied"]
    assert isinstance(denied, list)
    return [str(d["by"]) for d in denied if isinstance(d, dict)]


def test_guardrail_scp_names_what_it_denies_and_does_not_hide_the_admin() -> None:
    guardrail = _doc(
        {
            "Effect": "Deny",
            "Action": ["organizations:LeaveOrganization", "cloudtrail:StopLogging"],
            "Resource": "*",
        }
    )
    admins = Group(
        "admins", f"arn:aws:iam::{ACCOUNT}:group/admins", attached_policies=(attached(ADMINISTRATOR),)
    )
    account = _account(
        role("legacy-admin", inline={"everything": ADMIN_DOC}),
        users=(user("break-glass", groups=("admins",)),),
        groups=(admins,),
    )
    found = _admins(_assess(account, _org(("deny-leaving-organization", guardrail))))
    assert set(found) == {"legacy-admin", "break-glass"}
    for name, finding in found.items():
        denied = finding.evidence["denied"]
        assert denied == [
            {
                "by": "Deny by scp level 2 deny-leaving-organization:Statement[0]",
                "actions": ["cloudtrail:StopLogging", "organizations:LeaveOrganization"],
            }
        ]
        assert "deny-leaving-organization" in finding.message
        # decided_by names the principal's own statements (and the SCPs that let them through).
        decided = finding.evidence["decided_by"]
        assert isinstance(decided, list)
        own = "legacy-admin/everything" if name == "legacy-admin" else "AdministratorAccess"
        assert any(isinstance(d, str) and d.startswith(f"Allow by identity {own}") for d in decided)


def test_a_guardrail_that_really_cuts_the_principal_down_is_not_hidden_either_way() -> None:
    account = _account(role("ops", inline={"everything": ADMIN_DOC}))
    iam_writes = _doc(
        {
            "Effect": "Deny",
            "Action": ["iam:Create*", "iam:Put*", "iam:Attach*", "iam:Update*", "iam:Delete*", "iam:Add*"],
            "Resource": "*",
        }
    )
    few_services = _doc(_allow(["s3:*", "ec2:*", "iam:*", "lambda:*"]))
    region_lock = _doc(
        {
            "Effect": "Deny",
            "NotAction": ["iam:*", "sts:*", "organizations:*", "support:*", "cloudfront:*", "route53:*"],
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}},
        }
    )
    assert "ops" in _admins(_assess(account))
    assert "ops" not in _admins(_assess(account, _org(("no-iam-writes", iam_writes))))
    # An allow-list SCP in place of FullAWSAccess: the role can grant itself IAM, not the rest.
    assert "ops" not in _admins(_assess(account, _org(("few-services", few_services), full_access=False)))
    # A region guardrail says where, not what: the role is an administrator in eu-central-1.
    locked = _admins(_assess(account, _org(("region-lock", region_lock))))["ops"]
    breadth = locked.evidence["breadth"]
    assert isinstance(breadth, dict)
    assert breadth["region"] == "eu-central-1"
    assert breadth["allowed"] == breadth["probes"]


def test_boundaries_cap_what_a_self_grant_reaches() -> None:
    narrow = customer_policy("narrow-boundary", _doc(_allow(["s3:*", "iam:*"])))
    capped = role("capped", inline={"p": _doc(_allow("iam:PutRolePolicy"))}, boundary=narrow.arn)
    # A boundary that allows everything but IAM writes on principals: still no route.
    no_iam = customer_policy(
        "no-iam-boundary", _doc(_allow("*"), {"Effect": "Deny", "Action": "iam:*", "Resource": "*"})
    )
    fenced = role("fenced", inline={"p": ADMIN_DOC}, boundary=no_iam.arn)
    # May drop its own boundary: the boundary caps nothing.
    escaping = role(
        "escaping",
        inline={"p": _doc(_allow(["iam:PutRolePolicy", "iam:DeleteRolePermissionsBoundary"]))},
        boundary=narrow.arn,
    )
    # Bounded itself, but may make a new user with any policy: the new user has no boundary.
    maker = role(
        "maker",
        inline={"p": _doc(_allow(["iam:CreateUser", "iam:AttachUserPolicy", "iam:CreateAccessKey"]))},
        boundary=narrow.arn,
    )
    found = _admins(_assess(_account(capped, fenced, escaping, maker, policies=(narrow, no_iam))))
    assert set(found) == {"escaping", "maker"}
    assert found["maker"].evidence["route"] == (
        "create a user with any policy and credentials for it "
        "(iam:CreateUser, iam:AttachUserPolicy, iam:CreateAccessKey)"
    )


def test_every_way_to_grant_itself_anything_and_the_near_misses() -> None:
    own_policy = customer_policy(
        "own-policy", _doc(_allow("iam:CreatePolicyVersion", f"arn:aws:iam::{ACCOUNT}:policy/own-policy"))
    )
    other_policy = customer_policy(
        "other-policy",
        _doc(_allow("iam:CreatePolicyVersion", f"arn:aws:iam::{ACCOUNT}:policy/somebody-elses")),
    )
    team = Group("team", f"arn:aws:iam::{ACCOUNT}:group/team")
    roles = (
        role(
            "puts-own",
            inline={"p": _doc(_allow("iam:PutRolePolicy", f"arn:aws:iam::{ACCOUNT}:role/puts-own"))},
        ),
        role("attaches", inline={"p": _doc(_allow("iam:AttachRolePolicy"))}),
        role(
            "attaches-readonly",
            inline={
                "p": _doc(
                    _allow(
                        "iam:AttachRolePolicy",
                        Condition={"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}},
                    )
                )
            },
        ),
        role("versions-own", policies=(own_policy,)),
        role("versions-other", policies=(other_policy,)),
        role(
            "makes-role",
            inline={
                "p": _doc(_allow(["iam:CreateRole", "iam:PutRolePolicy"], f"arn:aws:iam::{ACCOUNT}:role/*"))
            },
        ),
        role(
            "makes-bounded-user",
            inline={
                "p": _doc(
                    _allow(
                        ["iam:CreateUser", "iam:PutUserPolicy", "iam:CreateAccessKey"],
                        Condition={
                            "StringEquals": {"iam:PermissionsBoundary": f"arn:aws:iam::{ACCOUNT}:policy/b"}
                        },
                    )
                )
            },
        ),
        role(
            "passes-roles",
            inline={"p": _doc(_allow(["iam:PassRole", "ec2:RunInstances", "iam:CreateAccessKey"]))},
        ),
    )
    users = (
        user(
            "self-service",
            groups=(),
            inline={"p": _doc(_allow("iam:PutUserPolicy", "arn:aws:iam::*:user/${aws:username}"))},
        ),
        user("team-lead", groups=("team",), inline={"p": _doc(_allow("iam:AttachGroupPolicy", team.arn))}),
    )
    result = _assess(_account(*roles, users=users, groups=(team,), policies=(own_policy, other_policy)))
    found = _admins(result)
    assert set(found) == {"puts-own", "attaches", "versions-own", "makes-role", "self-service", "team-lead"}
    routes = {name: f.evidence["route"] for name, f in found.items()}
    assert (
        routes["versions-own"]
        == "write a new default version of its policy own-policy (iam:CreatePolicyVersion)"
    )
    assert routes["team-lead"] == "change the policies of its group team (iam:AttachGroupPolicy)"
    assert found["self-service"].evidence["route_resource"] == f"arn:aws:iam::{ACCOUNT}:user/self-service"
    # PassRole and compute is an escalation path (the narrower checks), not a grant to itself.
    escalation = {
        f.resource.rsplit("/", 1)[-1] for f in result.findings if f.check == "privilege-escalation-actions"
    }
    assert "passes-roles" in escalation


def test_an_admin_user_without_mfa_is_one_critical_finding() -> None:
    admins = Group(
        "admins", f"arn:aws:iam::{ACCOUNT}:group/admins", attached_policies=(attached(ADMINISTRATOR),)
    )
    users = (
        user("deploy-bot", groups=("admins",)),  # console password, no MFA
        user("ops-with-mfa", groups=("admins",)),
        user("key-only", groups=("admins",)),  # no console password: MFA does not guard keys
        user("intern", groups=()),  # console password, no MFA, not an administrator
    )
    account = replace(
        _account(users=users, groups=(admins,)),
        credential_report=(
            *(compliant_account().credential_report or ()),
            cred_row("deploy-bot", mfa=False),
            cred_row("ops-with-mfa", mfa=True),
            cred_row("key-only", password=False, mfa=False, password_used=None, keys=(key(1),)),
            cred_row("intern", mfa=False),
        ),
    )
    result = _assess(account)
    about: dict[str, set[str]] = {}
    for finding in result.findings:
        about.setdefault(finding.resource.rsplit("/", 1)[-1], set()).add(finding.check)
    assert about["deploy-bot"] & ENGINE_CHECKS == {"admin-user-without-mfa"}
    assert about["ops-with-mfa"] & ENGINE_CHECKS == {"admin-equivalent-principal"}
    assert about["key-only"] & ENGINE_CHECKS == {"admin-equivalent-principal"}
    assert about["intern"] & ENGINE_CHECKS == {"console-user-without-mfa"}
    critical = next(f for f in result.findings if f.check == "admin-user-without-mfa")
    assert critical.severity == "critical"
    assert critical.message.startswith("User deploy-bot is administrator-equivalent and signs in")
    # CIS 1.10 (console users have MFA) still fails, through the critical finding.
    control = next(c for c in result.controls if c.framework == "cis-aws-3.0" and c.control_id == "1.10")
    assert control.status == "fail"
    assert "admin-user-without-mfa" in control.checks


def test_shared_reach_names_each_principals_own_deny_statements() -> None:
    """Many principals share policies, denies and boundaries; the shared path must give each the
    same findings (evidence included) as evaluating it on its own."""
    no_data = customer_policy(
        "no-data", _doc({"Effect": "Deny", "Action": ["s3:*", "dynamodb:*", "kms:*"], "Resource": "*"})
    )
    no_trail = customer_policy(
        "no-trail", _doc({"Effect": "Deny", "Action": ["cloudtrail:*", "guardduty:*"], "Resource": "*"})
    )
    self_writer = customer_policy("self-writer", _doc(_allow(["iam:PutRolePolicy", "iam:PutUserPolicy"])))
    open_boundary = customer_policy(
        "open-boundary", _doc(_allow("*"), {"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"})
    )
    narrow = customer_policy("narrow", _doc(_allow(["iam:Put*Policy", "iam:Attach*Policy", "s3:*"])))
    grants = [
        (ADMINISTRATOR,),
        (ADMINISTRATOR, no_data),
        (ADMINISTRATOR, no_trail),
        (self_writer,),
        (self_writer, no_trail),
    ]
    boundaries = [None, open_boundary.arn, narrow.arn]
    roles = []
    for index in range(30):
        inline = (
            {"deny": _doc({"Effect": "Deny", "Action": "ec2:*", "Resource": "*"})} if index % 7 == 0 else None
        )
        roles.append(
            role(
                f"r{index:02d}",
                policies=grants[index % len(grants)],
                inline=inline,
                boundary=boundaries[(index // len(grants)) % len(boundaries)],
            )
        )
    users = tuple(
        User(
            name=f"u{index:02d}",
            arn=f"arn:aws:iam::{ACCOUNT}:user/u{index:02d}",
            attached_policies=tuple(attached(p) for p in grants[index % len(grants)]),
            permissions_boundary=boundaries[index % len(boundaries)],
        )
        for index in range(12)
    )
    guardrail = _doc({"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"})
    account = _account(*roles, users=users, policies=(no_data, no_trail, self_writer, open_boundary, narrow))
    found = _admins(_assess(account, _org(("guardrail", guardrail))))
    # r10..r14 have the narrow boundary (policy writes and S3 only): none reaches the rest.
    assert {"r00", "r01", "r02", "r05", "r06", "r07"} <= set(found)
    assert not {"r10", "r11", "r12", "r13", "r14"} & set(found)
    denied = {name: _deniers(f) for name, f in found.items()}
    assert any("no-trail" in by for by in denied["r02"])
    assert "Deny by identity r00/deny:Statement[0]" in denied["r00"]
