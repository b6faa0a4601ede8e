"""Risky permissions decided through the engine: admin-equivalent principals (see admin.py),
sensitive actions on any resource, iam:PassRole and sts:AssumeRole on any role,
lambda:InvokeFunction on any function, and customer managed policies that grant sensitive actions
on any resource.

An administrator-equivalent principal gets one finding; the narrower checks skip it, since
everything they would list is implied. An administrator-equivalent user who signs in to the
console without MFA gets one critical finding instead of an administrator finding and a missing-MFA
finding.
"""

from __future__ import annotations

from collections.abc import Callable

from iamscope.analysis.checks.access import AccountAccess, Subject, account_access
from iamscope.analysis.checks.admin import AdminVerdict, admin_judge
from iamscope.analysis.checks.policy_grants import policy_grants
from iamscope.analysis.checks.probes import CATEGORIES, PROBE_REGION, category_actions
from iamscope.analysis.checks.registry import Check, CheckContext, Hit, Outcome
from iamscope.model.document import JsonValue

__all__ = ["CHECKS"]

_SHOWN = 25


def _needs_data(ctx: CheckContext) -> AccountAccess | Outcome:
    access = account_access(ctx)
    if access is None:
        return Outcome.not_collected("needs get-account-authorization-details (users and roles)")
    return access


def _params(subject: Subject) -> dict[str, str]:
    return {"kind": subject.kind, "name": subject.name}


def _denials(verdict: AdminVerdict) -> list[JsonValue]:
    return [{"by": d.by, "actions": list(d.actions)} for d in verdict.reach.denied]


def admin_evidence(subject: Subject, verdict: AdminVerdict) -> dict[str, JsonValue]:
    """What an administrator finding shows: the route, the reach, and what guardrails deny."""
    reach = verdict.reach
    return {
        "route": verdict.route.description,
        "route_resource": verdict.route.resource,
        "decided_by": list(verdict.route.decided_by),
        "breadth": {"allowed": reach.allowed, "probes": reach.probes, "region": reach.region},
        "denied": _denials(verdict),
        "boundary": subject.policies.permissions_boundary is not None,
        "scp_levels": len(subject.policies.scps or ()),
    }


def admin_summary(verdict: AdminVerdict) -> str:
    """One sentence on why: the route, the reach, and the guardrails that deny probes."""
    reach = verdict.reach
    text = (
        f"it can {verdict.route.description}, and with that it may do {reach.allowed} of "
        f"{reach.probes} breadth probe actions across services"
    )
    if reach.region != PROBE_REGION:
        text += f" (in {reach.region})"
    if reach.denied:
        parts = [
            f"{', '.join(d.actions[:4])}{' ...' if len(d.actions) > 4 else ''} ({d.by})" for d in reach.denied
        ]
        text += "; denied: " + "; ".join(parts)
    return text + "."


def _admin(ctx: CheckContext) -> Outcome:
    access = _needs_data(ctx)
    if isinstance(access, Outcome):
        return access
    judge = admin_judge(ctx, access)
    hits = []
    for subject in access.subjects:
        verdict = judge.verdict(subject)
        if verdict is None or subject.arn in judge.without_mfa():
            continue
        hits.append(
            Hit(
                resource=subject.arn,
                message=f"The {subject.kind} {subject.name} is administrator-equivalent: "
                + admin_summary(verdict),
                evidence=admin_evidence(subject, verdict),
                params=_params(subject),
            )
        )
    return Outcome.evaluated(hits)


def _admin_without_mfa(ctx: CheckContext) -> Outcome:
    access = account_access(ctx)
    if access is None:
        return Outcome.not_applicable(
            "needs get-account-authorization-details to tell administrators; console users "
            "without MFA are reported by console-user-without-mfa"
        )
    if ctx.account.credential_report is None:
        return Outcome.not_collected("needs the credential report")
    if all(row.is_root for row in ctx.account.credential_report):
        return Outcome.not_applicable("the account has no IAM users")  # as console-user-without-mfa
    judge = admin_judge(ctx, access)
    hits = []
    for subject, verdict, row in judge.without_mfa().values():
        keys = [k.slot for k in row.access_keys if k.active]
        hits.append(
            Hit(
                resource=subject.arn,
                message=f"User {subject.name} is administrator-equivalent and signs in to the console "
                f"without MFA: {admin_summary(verdict)}",
                evidence={
                    **admin_evidence(subject, verdict),
                    "password_enabled": True,
                    "mfa_active": False,
                    "active_access_key_slots": list(keys),
                },
                params={**_params(subject), "user": subject.name},
            )
        )
    return Outcome.evaluated(hits)


def _category(category: str) -> Callable[[CheckContext], Outcome]:
    label = CATEGORIES[category]

    def run(ctx: CheckContext) -> Outcome:
        access = _needs_data(ctx)
        if isinstance(access, Outcome):
            return access
        actions = category_actions(category)
        judge = admin_judge(ctx, access)
        hits = []
        for subject in access.subjects:
            if judge.verdict(subject) is not None:
                continue
            allowed = access.allowed_on_any(subject, actions)
            if not allowed:
                continue
            hits.append(
                Hit(
                    resource=subject.arn,
                    message=f"The {subject.kind} {subject.name} may perform {len(allowed)} "
                    f"{label} action(s) on any resource, e.g. {', '.join(allowed[:3])}.",
                    evidence={
                        "actions": list(allowed[:_SHOWN]),
                        "count": len(allowed),
                        "decided_by": list(access.explain(subject, allowed[0])),
                    },
                    params=_params(subject),
                )
            )
        return Outcome.evaluated(hits)

    return run


def _single(action: str, what: str) -> Callable[[CheckContext], Outcome]:
    def run(ctx: CheckContext) -> Outcome:
        access = _needs_data(ctx)
        if isinstance(access, Outcome):
            return access
        judge = admin_judge(ctx, access)
        hits = []
        for subject in access.subjects:
            if judge.verdict(subject) is not None or not access.allowed_on_any(subject, (action,)):
                continue
            hits.append(
                Hit(
                    resource=subject.arn,
                    message=f"The {subject.kind} {subject.name} may call {action} on {what}.",
                    evidence={
                        "action": action,
                        "probe_resource": access.probe(action),
                        "decided_by": list(access.explain(subject, action)),
                    },
                    params=_params(subject),
                )
            )
        return Outcome.evaluated(hits)

    return run


CHECKS: tuple[Check, ...] = (
    Check("admin-equivalent-principal", _admin),
    Check("admin-user-without-mfa", _admin_without_mfa),
    *(Check(f"{category}-actions", _category(category)) for category in CATEGORIES),
    Check("passrole-unscoped", _single("iam:PassRole", "any role")),
    Check("assume-role-unscoped", _single("sts:AssumeRole", "any role")),
    Check("lambda-invoke-unscoped", _single("lambda:InvokeFunction", "any function")),
    Check("policy-sensitive-wildcard", policy_grants),
)
