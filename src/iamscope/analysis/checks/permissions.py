"""Checks on how permissions are attached (CIS 1.15, 1.16, 1.17, 1.22) and on roles nobody uses.

CIS 1.16 is defined on the policy document itself (an ``Allow`` statement of ``*`` on ``*``), so
it inspects the parsed statements; whether a principal is *effectively* an administrator is a
different question, answered through the engine by the privilege checks.
"""

from __future__ import annotations

from collections.abc import Iterator

from iamscope.analysis.checks.registry import Check, CheckContext, Hit, Outcome
from iamscope.model.document import JsonValue
from iamscope.model.snapshot import AttachedPolicy, InlinePolicy

__all__ = ["CHECKS", "attachments", "full_admin_statements"]

SUPPORT_POLICY = "AWSSupportAccess"
CLOUDSHELL_POLICY = "AWSCloudShellFullAccess"


def attachments(
    ctx: CheckContext,
) -> Iterator[tuple[str, str, str, tuple[AttachedPolicy, ...], tuple[InlinePolicy, ...]]]:
    """(kind, name, arn, attached, inline) for every collected user, group and role."""
    for user in ctx.account.users or ():
        yield "user", user.name, user.arn, user.attached_policies, user.inline_policies
    for group in ctx.account.groups or ():
        yield "group", group.name, group.arn, group.attached_policies, group.inline_policies
    for role in ctx.account.roles or ():
        yield "role", role.name, role.arn, role.attached_policies, role.inline_policies


def _as_list(value: JsonValue) -> list[JsonValue]:
    return value if isinstance(value, list) else [value]


def full_admin_statements(document: JsonValue) -> list[int]:
    """Indexes of ``Allow`` statements granting ``*`` (or ``*:*``) on ``*`` (the CIS 1.16 test)."""
    if not isinstance(document, dict):
        return []
    found = []
    for index, statement in enumerate(_as_list(document.get("Statement"))):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        actions = _as_list(statement.get("Action"))
        resources = _as_list(statement.get("Resource"))
        if any(a in ("*", "*:*") for a in actions) and "*" in resources:
            found.append(index)
    return found


def _direct_user_policies(ctx: CheckContext) -> Outcome:
    users = ctx.account.users
    if users is None:
        return Outcome.not_collected("needs get-account-authorization-details (users)")
    if not users:
        return Outcome.not_applicable("the account has no IAM users")
    hits = []
    for user in users:
        if not user.attached_policies and not user.inline_policies:
            continue
        hits.append(
            Hit(
                resource=user.arn,
                message=f"User {user.name} has "
                f"{len(user.attached_policies)} attached and {len(user.inline_policies)} inline "
                "policies of its own instead of getting permissions through groups.",
                evidence={
                    "attached": [a.arn for a in user.attached_policies],
                    "inline": [p.name for p in user.inline_policies],
                },
                params={"user": user.name},
            )
        )
    return Outcome.evaluated(hits)


def _full_admin_attached(ctx: CheckContext) -> Outcome:
    policies = ctx.account.policies
    if policies is None or ctx.account.roles is None or ctx.account.users is None:
        return Outcome.not_collected("needs get-account-authorization-details")
    holders: dict[str, list[str]] = {}
    hits = []
    for _, _, arn, attached, inline in attachments(ctx):
        for item in attached:
            holders.setdefault(item.arn, []).append(arn)
        admin_inline = [p.name for p in inline if full_admin_statements(p.document)]
        if admin_inline:
            hits.append(
                Hit(
                    resource=arn,
                    message=f"{arn} has inline policies allowing '*' on '*': " + ", ".join(admin_inline),
                    evidence={"inline_policies": list(admin_inline)},
                    params={"principal": arn, "policy": admin_inline[0]},
                )
            )
    for policy_arn in sorted(holders):
        managed = policies.get(policy_arn)
        if managed is None:
            continue
        statements = full_admin_statements(managed.document)
        if statements:
            hits.append(
                Hit(
                    resource=policy_arn,
                    message=f"Policy {managed.name} allows '*' on '*' and is attached to "
                    f"{len(holders[policy_arn])} principal(s).",
                    evidence={"statements": list(statements), "attached_to": list(holders[policy_arn])},
                    params={"policy_arn": policy_arn},
                    related=tuple(holders[policy_arn]),
                )
            )
    return Outcome.evaluated(hits)


def _holders_of(ctx: CheckContext, policy_name: str) -> list[tuple[str, str, str]]:
    """(kind, name, arn) of every principal the AWS managed policy ``policy_name`` is attached to."""
    suffix = f":iam::aws:policy/{policy_name}"
    return [
        (kind, name, arn)
        for kind, name, arn, attached, _ in attachments(ctx)
        if any(a.arn.endswith(suffix) for a in attached)
    ]


def _support_role(ctx: CheckContext) -> Outcome:
    if ctx.account.roles is None:
        return Outcome.not_collected("needs get-account-authorization-details (roles)")
    if any(kind == "role" for kind, _, _ in _holders_of(ctx, SUPPORT_POLICY)):
        return Outcome.evaluated()
    hit = Hit(
        resource=ctx.account_arn(),
        message=f"No role has the {SUPPORT_POLICY} policy to manage incidents with AWS Support.",
        evidence={"roles_with_support_access": []},
    )
    return Outcome.evaluated([hit])


def _cloudshell(ctx: CheckContext) -> Outcome:
    if ctx.account.roles is None or ctx.account.users is None:
        return Outcome.not_collected("needs get-account-authorization-details")
    hits = [
        Hit(
            resource=arn,
            message=f"The {kind} {name} has {CLOUDSHELL_POLICY} attached.",
            evidence={"policy": f"arn:{ctx.partition}:iam::aws:policy/{CLOUDSHELL_POLICY}"},
            params={"kind": kind, "name": name},
        )
        for kind, name, arn in _holders_of(ctx, CLOUDSHELL_POLICY)
    ]
    return Outcome.evaluated(hits)


def _unused_role(ctx: CheckContext) -> Outcome:
    roles = ctx.account.roles
    if roles is None:
        return Outcome.not_collected("needs get-account-authorization-details (roles)")
    days = ctx.options.unused_principal_days
    hits = []
    for role in roles:
        if role.is_service_linked or role.created is None:
            continue
        if not ctx.older_than(role.created, days):
            continue
        if role.last_used is not None and not ctx.older_than(role.last_used, days):
            continue
        hits.append(
            Hit(
                resource=role.arn,
                message=f"Role {role.name} "
                + (
                    "has never been used"
                    if role.last_used is None
                    else f"was last used {ctx.days_before(role.last_used)} days ago"
                )
                + f" (window: {days} days).",
                evidence={
                    "last_used": None if role.last_used is None else role.last_used.isoformat(),
                    "created": role.created.isoformat(),
                },
                params={"role": role.name},
            )
        )
    return Outcome.evaluated(hits)


CHECKS: tuple[Check, ...] = (
    Check("user-direct-policies", _direct_user_policies),
    Check("full-admin-policy-attached", _full_admin_attached),
    Check("support-role-missing", _support_role),
    Check("cloudshell-full-access-attached", _cloudshell),
    Check("unused-role", _unused_role),
)
