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

from iamscope.analysis.checks.permissions import attachments, full_admin_statements
from iamscope.analysis.checks.probes import PROBE_CONTEXT, PROBE_NAME, category_actions, probe_resource
from iamscope.analysis.checks.registry import CheckContext, Hit, Outcome
from iamscope.engine import CompiledPolicy, PolicySet, Request, evaluate
from iamscope.model.snapshot import ManagedPolicy

__all__ = ["SENSITIVE", "policy_grants"]

# Category label -> the probe actions asked (PassRole on its own: it hands any role to a service).
SENSITIVE: tuple[tuple[str, str], ...] = (
    ("passrole", "iam:PassRole"),
    ("privilege-escalation", "privilege-escalation"),
    ("credentials-exposure", "credentials-exposure"),
    ("data-exfiltration", "data-exfiltration"),
)
_SHOWN = 10


def _actions(source: str) -> tuple[str, ...]:
    return (source,) if ":" in source else category_actions(source)


def _allowed(
    ctx: CheckContext, compiled: CompiledPolicy, policies: PolicySet, action: str
) -> tuple[bool, tuple[str, ...]]:
    """Whether the policy alone allows ``action`` on a probe resource, and the statements that do."""
    if not any(not s.deny for s in compiled.for_action(action.lower())):
        return False, ()
    request = Request(
        principal=f"arn:{ctx.partition}:iam::{ctx.account_id}:role/{PROBE_NAME}",
        action=action,
        resource=probe_resource(action, ctx.partition, ctx.account_id),
        resource_account=ctx.account_id,
        context=PROBE_CONTEXT,
    )
    decision = evaluate(request, policies)
    if not decision.allowed:
        return False, ()
    return True, tuple(str(m) for m in decision.explanation.matched)


def _judge(ctx: CheckContext, policy: ManagedPolicy, holders: list[str]) -> Hit | None:
    compiled = ctx.access_model().compile(policy.document, policy.name or policy.arn, "identity")
    if compiled is None:
        return None
    policies = PolicySet(identity=(compiled,))
    granted: dict[str, list[str]] = {}
    decided_by: dict[str, None] = {}
    for label, source in SENSITIVE:
        for action in _actions(source):
            allowed, matched = _allowed(ctx, compiled, policies, action)
            if allowed:
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
    if policies is None or ctx.account.users is None or ctx.account.roles is None:
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
        hit = _judge(ctx, policy, held)
        if hit is not None:
            hits.append(hit)
    return Outcome.evaluated(hits)
