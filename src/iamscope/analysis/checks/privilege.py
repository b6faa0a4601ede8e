"""Risky permissions decided through the engine: admin-equivalent principals, sensitive actions on
any resource, iam:PassRole and sts:AssumeRole on any role, lambda:InvokeFunction on any function.

An administrator-equivalent principal gets one finding; the narrower checks skip it, since
everything they would list is implied.
"""

from __future__ import annotations

from collections.abc import Callable

from iamscope.analysis.checks.access import AccountAccess, Subject, account_access
from iamscope.analysis.checks.probes import ADMIN_PROBES, CATEGORIES, category_actions
from iamscope.analysis.checks.registry import Check, CheckContext, Hit, Outcome

__all__ = ["CHECKS"]

_SHOWN = 25


def _needs_data(ctx: CheckContext) -> AccountAccess | Outcome:
    access = account_access(ctx)
    if access is None:
        return Outcome.not_collected("needs get-account-authorization-details (users and roles)")
    return access


def _params(subject: Subject) -> dict[str, str]:
    return {"kind": subject.kind, "name": subject.name}


def _admin(ctx: CheckContext) -> Outcome:
    access = _needs_data(ctx)
    if isinstance(access, Outcome):
        return access
    hits = []
    for subject in access.subjects:
        if not access.is_admin(subject):
            continue
        hits.append(
            Hit(
                resource=subject.arn,
                message=f"The {subject.kind} {subject.name} is allowed every administrative probe "
                "action on any resource: it is administrator-equivalent.",
                evidence={
                    "probes": list(ADMIN_PROBES),
                    "decided_by": list(access.explain(subject, ADMIN_PROBES[0])),
                    "boundary": subject.policies.permissions_boundary is not None,
                    "scp_levels": len(subject.policies.scps or ()),
                },
                params=_params(subject),
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
        hits = []
        for subject in access.subjects:
            if access.is_admin(subject):
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
        hits = []
        for subject in access.subjects:
            if access.is_admin(subject) or not access.allowed_on_any(subject, (action,)):
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
    *(Check(f"{category}-actions", _category(category)) for category in CATEGORIES),
    Check("passrole-unscoped", _single("iam:PassRole", "any role")),
    Check("assume-role-unscoped", _single("sts:AssumeRole", "any role")),
    Check("lambda-invoke-unscoped", _single("lambda:InvokeFunction", "any function")),
)
