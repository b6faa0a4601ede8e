"""Who can assume each role, decided by evaluating the trust policy with the engine.

Candidate callers are read from the trust policy's Principal elements (accounts, ARNs, services);
whether each may assume the role *without* narrowing context (no sts:ExternalId, no source
account, no organization id, no MFA) is the engine's decision, so conditions and denies count.
The caller's own account is assumed to allow the call (that side is outside our data).
"""

from __future__ import annotations

import functools
import json

from iamscope.analysis.checks.outsiders import (
    STRANGER_ACCOUNT,
    caller_for,
    named_principals,
    organization_accounts,
    stranger_arn,
)
from iamscope.analysis.checks.registry import Check, CheckContext, Hit, Outcome
from iamscope.engine import (
    CompiledPolicy,
    PolicyError,
    PolicySet,
    Request,
    RequestError,
    compile_policy,
    evaluate,
)
from iamscope.model.snapshot import Role

__all__ = ["CHECKS", "PASSROLE_GATED_SERVICES", "STRANGER_ACCOUNT"]

# Services that can only use a role some principal of the account passed to them (iam:PassRole),
# so there is no confused-deputy path and aws:SourceArn/SourceAccount add nothing.
PASSROLE_GATED_SERVICES = frozenset(
    {
        "ec2.amazonaws.com",
        "lambda.amazonaws.com",
        "ecs-tasks.amazonaws.com",
        "eks.amazonaws.com",
        "edgelambda.amazonaws.com",
        "batch.amazonaws.com",
        "glue.amazonaws.com",
        "states.amazonaws.com",
        "codebuild.amazonaws.com",
        "apigateway.amazonaws.com",
        "scheduler.amazonaws.com",
        "sagemaker.amazonaws.com",
    }
)


@functools.cache
def _caller_allowed() -> CompiledPolicy:
    """The caller side of a cross-account call, assumed to allow (we cannot see that account)."""
    return compile_policy(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:*", "Resource": "*"}]},
        "assumed-caller-permissions",
    )


def _trust(ctx: CheckContext, role: Role) -> PolicySet | None:
    """The role's trust policy as the resource side of a policy set whose caller side allows.

    Compiled once per distinct document: thousands of roles share a handful of trust policies,
    and these checks use only the decision, never the policy's name.
    """
    key = f"trust:{role.arn}"
    if key not in ctx.memo:
        text = "trust-document:" + json.dumps(role.trust_policy, sort_keys=True)
        if text not in ctx.memo:
            try:
                compiled = compile_policy(role.trust_policy, "trust-policy")
                ctx.memo[text] = PolicySet(identity=(_caller_allowed(),), resource=compiled)
            except PolicyError:
                ctx.memo[text] = None
        ctx.memo[key] = ctx.memo[text]
    cached = ctx.memo[key]
    return cached if isinstance(cached, PolicySet) else None


def _assumable(ctx: CheckContext, role: Role, policies: PolicySet, caller: str) -> bool:
    request = Request(
        principal=caller, action="sts:AssumeRole", resource=role.arn, resource_account=ctx.account_id
    )
    try:
        return evaluate(request, policies).allowed
    except RequestError:
        return False  # a Principal value no request can come from (a group ARN...)


def _roles(ctx: CheckContext) -> list[tuple[Role, PolicySet]] | Outcome:
    if ctx.account.roles is None:
        return Outcome.not_collected("needs get-account-authorization-details (roles)")
    return [
        (role, trust)
        for role in ctx.account.roles
        if not role.is_service_linked and (trust := _trust(ctx, role)) is not None
    ]


def _public(ctx: CheckContext) -> Outcome:
    roles = _roles(ctx)
    if isinstance(roles, Outcome):
        return roles
    stranger = stranger_arn(ctx.partition)
    hits = [
        Hit(
            resource=role.arn,
            message=f"Role {role.name} can be assumed by any AWS principal, in any account.",
            evidence={"trust_policy": role.trust_policy, "tested_caller": stranger},
            params={"role": role.name},
        )
        for role, trust in roles
        if _assumable(ctx, role, trust, stranger)
    ]
    return Outcome.evaluated(hits)


def _cross_account(ctx: CheckContext) -> Outcome:
    roles = _roles(ctx)
    if isinstance(roles, Outcome):
        return roles
    members = organization_accounts(ctx.snapshot)
    hits = []
    for role, trust in roles:
        open_to: list[str] = []
        for value in named_principals(role.trust_policy, "AWS"):
            caller = caller_for(value, ctx.partition)
            if caller is None or caller[0] == ctx.account_id:
                continue
            if members is not None and caller[0] in members:
                continue
            if _assumable(ctx, role, trust, caller[1]):
                open_to.append(caller[0])
        if open_to:
            accounts = sorted(set(open_to))
            hits.append(
                Hit(
                    resource=role.arn,
                    message=f"Role {role.name} can be assumed from account(s) {', '.join(accounts)} "
                    "without sts:ExternalId or another narrowing condition.",
                    evidence={
                        "accounts": list(accounts),
                        "organization_known": members is not None,
                        "trust_policy": role.trust_policy,
                    },
                    params={"role": role.name},
                )
            )
    return Outcome.evaluated(hits)


def _service(ctx: CheckContext) -> Outcome:
    roles = _roles(ctx)
    if isinstance(roles, Outcome):
        return roles
    hits = []
    for role, trust in roles:
        services = [
            s
            for s in named_principals(role.trust_policy, "Service")
            if s not in PASSROLE_GATED_SERVICES and _assumable(ctx, role, trust, s)
        ]
        if services:
            hits.append(
                Hit(
                    resource=role.arn,
                    message=f"Role {role.name} trusts {', '.join(services)} without aws:SourceAccount "
                    "or aws:SourceArn (confused deputy).",
                    evidence={"services": list(services), "trust_policy": role.trust_policy},
                    params={"role": role.name, "account": ctx.account_id},
                )
            )
    return Outcome.evaluated(hits)


CHECKS: tuple[Check, ...] = (
    Check("role-trust-public", _public),
    Check("role-trust-cross-account-no-external-id", _cross_account),
    Check("role-trust-service-no-source", _service),
)
