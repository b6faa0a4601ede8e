"""Customer managed policies judged on their own: sensitive actions granted on any resource.

A finding about a principal says what it may do; a finding about the policy says where to fix it,
once, for every principal that holds it (and before anyone attaches it). Each customer managed
policy is asked through the engine, as the only identity policy of a made-up role of its account,
about iam:PassRole and the privilege-escalation, credentials-exposure and data-exfiltration
actions on probe resources: only a grant on every resource (``*`` or a pattern as wide) passes, and
conditions count. A policy allowing ``*`` on ``*`` that is attached is already a finding of
``full-admin-policy-attached`` and is left to it.
"""

from __future__ import annotations

import functools

from iamscope.analysis.access import Identity
from iamscope.analysis.checks.access import AccountAccess, account_access
from iamscope.analysis.checks.permissions import attachments, full_admin_statements
from iamscope.analysis.checks.probes import PROBE_CONTEXT, PROBE_NAME, category_actions, probe_resource
from iamscope.analysis.checks.registry import CheckContext, Hit, Outcome
from iamscope.engine import PolicySet, Request, evaluate
from iamscope.model.snapshot import AttachedPolicy, ManagedPolicy, Role

__all__ = ["SENSITIVE", "policy_grants"]

# Category label -> the probe actions asked (PassRole on its own: it hands any role to a service).
SENSITIVE: tuple[tuple[str, str], ...] = (
    ("passrole", "iam:PassRole"),
    ("privilege-escalation", "privilege-escalation"),
    ("credentials-exposure", "credentials-exposure"),
    ("data-exfiltration", "data-exfiltration"),
)
_SHOWN = 10


@functools.cache
def _asked() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(label, actions) per category, and through them every action asked."""
    return tuple((label, (s,) if ":" in s else category_actions(s)) for label, s in SENSITIVE)


def _holder(ctx: CheckContext, policy: ManagedPolicy) -> PolicySet:
    """The policy as the only identity policy of a made-up role (no boundary, no SCPs)."""
    probe = Role(
        name=PROBE_NAME,
        arn=f"arn:{ctx.partition}:iam::{ctx.account_id}:role/{PROBE_NAME}",
        attached_policies=(AttachedPolicy(policy.arn, policy.name),),
    )
    # The access model compiles each managed policy once for every principal that holds it.
    identity = ctx.access_model().policy_set(Identity(ctx.account_id, probe)).identity
    return PolicySet(identity=identity)


def _judge(ctx: CheckContext, access: AccountAccess, policy: ManagedPolicy, holders: list[str]) -> Hit | None:
    policies = _holder(ctx, policy)
    everything = tuple(dict.fromkeys(a for _, actions in _asked() for a in actions))
    table = access.index.table(everything)
    named: set[str] = set()
    for compiled in policies.identity:
        for item in access.index.coverage(compiled, table):
            if not item.deny:
                named.update(table.actions[i] for i in item.actions)
    answers: dict[str, tuple[str, ...] | None] = {}
    for action in sorted(named):
        request = Request(
            principal=f"arn:{ctx.partition}:iam::{ctx.account_id}:role/{PROBE_NAME}",
            action=action,
            resource=probe_resource(action, ctx.partition, ctx.account_id),
            resource_account=ctx.account_id,
            context=PROBE_CONTEXT,
        )
        decision = evaluate(request, policies)
        answers[action] = tuple(str(m) for m in decision.explanation.matched) if decision.allowed else None
    granted: dict[str, list[str]] = {}
    decided_by: dict[str, None] = {}
    for label, actions in _asked():
        for action in actions:
            matched = answers.get(action)
            if matched is not None:
                granted.setdefault(label, []).append(action)
                decided_by.update(dict.fromkeys(matched))
    if not granted:
        return None
    total = sum(len(a) for a in granted.values())
    kinds = ", ".join(f"{label} ({len(actions)})" for label, actions in granted.items())
    examples = [a for actions in granted.values() for a in actions[:2]][:4]
    name = policy.name or policy.arn.rpartition("/")[2]
    return Hit(
        resource=policy.arn,
        message=f"Policy {name} allows {total} sensitive action(s) on any resource: {kinds}, "
        f"e.g. {', '.join(examples)}; attached to {len(holders)} principal(s).",
        evidence={
            "actions": {label: list(actions[:_SHOWN]) for label, actions in granted.items()},
            "counts": {label: len(actions) for label, actions in granted.items()},
            "decided_by": list(decided_by),
            "attached_to": list(holders),
        },
        params={"policy_arn": policy.arn, "name": name},
        related=tuple(holders),
    )


def policy_grants(ctx: CheckContext) -> Outcome:
    """The check: every customer managed policy of the account, alone."""
    policies = ctx.account.policies
    access = account_access(ctx)
    if policies is None or access is None:
        return Outcome.not_collected("needs get-account-authorization-details")
    holders: dict[str, list[str]] = {}
    for _, _, arn, attached, _ in attachments(ctx):
        for item in attached:
            holders.setdefault(item.arn, []).append(arn)
    hits = []
    for arn in sorted(policies):
        policy = policies[arn]
        if ":iam::aws:policy/" in arn:
            continue
        held = holders.get(arn, [])
        if held and full_admin_statements(policy.document):
            continue  # full-admin-policy-attached reports it
        hit = _judge(ctx, access, policy, held)
        if hit is not None:
            hits.append(hit)
    return Outcome.evaluated(hits)
