"""JSON documents and text for replay, unused and rightsize results (what the CLI prints)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from iamscope.analysis.leastpriv.idle import IdleEntity, IdleReport
from iamscope.analysis.leastpriv.replay import DenialGroup, ReplayDenial, ReplayResult
from iamscope.analysis.leastpriv.rightsize import (
    PLAN_FORMAT,
    RightsizeItem,
    RightsizePlan,
    removed_by_service,
)
from iamscope.analysis.leastpriv.unused import PrincipalUsage
from iamscope.model.activity import AccountCoverage
from iamscope.model.document import JsonObject, JsonValue

__all__ = [
    "plan_json",
    "plan_text",
    "replay_json",
    "replay_text",
    "unused_json",
    "unused_text",
]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _request(denial: ReplayDenial) -> JsonObject:
    call = denial.call
    return {
        "calls": call.calls,
        "first_seen": _iso(call.first_seen),
        "last_seen": _iso(call.last_seen),
        "evaluated_at": _iso(denial.at),
        "source_ip": call.source_ip,
        "mfa": call.mfa,
        "via_service": call.via_service,
        "region": call.region,
        "passed_to": call.passed_to,
        "example_event_id": call.example_event,
        "decision": denial.decision,
        "explanation": denial.explanation,
    }


def _group_json(group: DenialGroup) -> JsonObject:
    explanations = sorted({d.explanation for d in group.denials})
    decisions: list[JsonValue] = [*sorted({d.decision for d in group.denials})]
    return {
        "action": group.action,
        "resource": group.resource,
        "calls": group.calls,
        "request_contexts": len(group.denials),
        "first_seen": _iso(group.first_seen),
        "last_seen": _iso(group.last_seen),
        "allowed_calls": group.allowed_calls,
        "allowed_request_contexts": len(group.allowed),
        "example_event_id": group.denials[0].call.example_event,
        "decisions": decisions,
        "explanation": explanations[0] if len(explanations) == 1 else None,
        "differs": {d.key: {"denied": list(d.denied), "allowed": list(d.allowed)} for d in group.differences},
        "same": dict(group.same),
        "requests": [_request(d) for d in group.denials],
    }


def replay_json(result: ReplayResult) -> JsonObject:
    """Replay result for machines: denials by (action, resource), each with its requests."""
    return {
        "format": "iamscope-replay/2",
        "principal": result.principal,
        "calls": result.calls,
        "groups": result.groups,
        "denied_calls": result.denied_calls,
        "clean": result.clean,
        "denials": [_group_json(g) for g in result.denied_groups],
        "errors": list(result.errors),
    }


def _shown(values: Sequence[str], limit: int = 5) -> str:
    more = f" (+{len(values) - limit} more)" if len(values) > limit else ""
    return ", ".join(values[:limit]) + more if values else "-"


def _group_lines(group: DenialGroup) -> list[str]:
    period = f"{_iso(group.first_seen)} to {_iso(group.last_seen)}"
    allowed = (
        f"; {group.allowed_calls:,} call(s) in {len(group.allowed)} other context(s) allowed"
        if group.allowed
        else ""
    )
    lines = [
        f"- {group.action} on {group.resource}: {group.calls:,} call(s) denied in "
        f"{len(group.denials)} request context(s), {period}{allowed} "
        f"(e.g. event {group.denials[0].call.example_event})"
    ]
    for index, difference in enumerate(group.differences):
        head = "    what differs: " if index == 0 else "                  "
        tail = f"; allowed {_shown(difference.allowed)}" if group.allowed else ""
        lines.append(f"{head}{difference.key} denied {_shown(difference.denied)}{tail}")
    if group.same and (group.differences or len(group.denials) > 1 or group.allowed):
        lines.append("    same in all: " + ", ".join(f"{k}={v}" for k, v in group.same.items()))
    by_explanation: dict[tuple[str, str], list[ReplayDenial]] = {}
    for denial in group.denials:
        by_explanation.setdefault((denial.decision, denial.explanation), []).append(denial)
    for (decision, explanation), denials in by_explanation.items():
        which = (
            f" ({sum(d.call.calls for d in denials):,} call(s), e.g. from {denials[0].call.source_ip})"
            if len(by_explanation) > 1
            else ""
        )
        lines.append(f"    {decision}{which}:")
        lines += [f"      {line}" for line in explanation.splitlines()]
    return lines


def replay_text(result: ReplayResult) -> str:
    """Replay result for people: one paragraph per denied (action, resource)."""
    head = f"{result.principal}: {result.calls:,} recorded calls ({result.groups:,} distinct) replayed: "
    if result.clean:
        return head + "none would be denied.\n"
    pairs = len(result.denied_groups)
    lines = [head + f"on {pairs} (action, resource) pair(s), {result.denied_calls:,} would be denied."]
    for group in result.denied_groups:
        lines += _group_lines(group)
    lines += [f"- error: {e}" for e in result.errors]
    return "\n".join(lines) + "\n"


def _coverage_json(coverage: AccountCoverage) -> JsonObject:
    return {
        "account": coverage.account,
        "events": coverage.events,
        "first_seen": _iso(coverage.first_seen),
        "last_seen": _iso(coverage.last_seen),
        "regions": list(coverage.regions),
    }


def _idle_json(entity: IdleEntity) -> JsonObject:
    return {
        "kind": entity.kind,
        "arn": entity.arn,
        "account": entity.account,
        "key": entity.key or None,
        "verdict": entity.verdict,
        "idle": entity.idle,
        "logs": entity.logs,
        "iam": entity.iam,
        "iam_last_used": [
            {"what": u.what, "source": u.source, "last_used": _iso(u.at), "region": u.region}
            for u in entity.last_used
        ],
        "detail": entity.detail,
    }


def unused_json(usages: Sequence[PrincipalUsage], report: IdleReport) -> JsonObject:
    """Granted versus used per principal; idle entities with both sides; what the logs cover."""
    principals: list[JsonValue] = []
    for usage in usages:
        entry: JsonObject = {
            "principal": usage.principal,
            "not_visible_reason": usage.not_visible_reason or None,
            "granted_by_identity_policies": usage.identity_granted,
            "granted": usage.granted,
            "iam_disagrees": list(usage.disagreements),
        }
        for status in ("used", "unused", "not-visible", "no-longer-granted"):
            entry[status] = list(usage.of(status))
        principals.append(entry)
    return {
        "format": "iamscope-unused/2",
        "coverage": [_coverage_json(c) for c in report.coverage],
        "principals": principals,
        "idle": [_idle_json(e) for e in report.entities],
        "not_visible_accounts": [
            {"account": u.account, "roles": u.roles, "users": u.users, "reason": u.reason}
            for u in report.unjudged
        ],
    }


def _usage_lines(usage: PrincipalUsage) -> list[str]:
    capped = ""
    if usage.identity_granted is not None and usage.identity_granted != usage.granted:
        removed = usage.identity_granted - usage.granted
        capped = f" (its policies grant {usage.identity_granted:,}; SCPs or the boundary deny {removed:,})"
    if usage.not_visible_reason:
        return [
            f"{usage.principal}: not visible: {usage.not_visible_reason} ({usage.granted:,} granted{capped})"
        ]
    used = usage.of("used")
    unused = usage.of("unused")
    invisible = usage.of("not-visible")
    gone = usage.of("no-longer-granted")
    lines = [
        f"{usage.principal}: {len(used)} used, {len(unused):,} unused, "
        f"{len(invisible)} not visible in CloudTrail, {len(gone)} used but no longer granted"
        + (f" ({capped[2:]})" if capped else "")
    ]
    lines += [f"  used        {a}" for a in used]
    lines += [f"  NOT GRANTED {a}" for a in gone]
    lines += [f"  not visible {a}" for a in invisible[:20]]
    services: dict[str, int] = {}
    for action in unused:
        services[action.split(":", 1)[0]] = services.get(action.split(":", 1)[0], 0) + 1
    shown = ", ".join(f"{s} ({n})" for s, n in sorted(services.items(), key=lambda x: -x[1])[:15])
    if shown:
        lines.append(f"  unused by service: {shown}{' ...' if len(services) > 15 else ''}")
    lines += [f"  IAM disagrees: {d}" for d in usage.disagreements]
    return lines


def unused_text(usages: Sequence[PrincipalUsage], report: IdleReport) -> str:
    """Per principal: counts by status, the used actions, unused ones per service; then idleness."""
    lines: list[str] = []
    for usage in usages:
        lines += _usage_lines(usage)
    idle = [e for e in report.entities if e.idle]
    disputed = [e for e in report.entities if not e.idle]
    if report.coverage or report.unjudged:
        lines.append("")
        lines.append("Logs in the store:")
        lines += [f"  {c.account}: {c.events:,} events, {c.period}" for c in report.coverage]
        lines += [
            f"  {u.account}: {u.reason} ({u.roles} roles, {u.users} users not judged)"
            for u in report.unjudged
        ]
    if idle:
        lines.append("")
        lines.append("Idle (no calls in the logs, and IAM's last-used data agrees):")
        lines += [f"  {e.kind:<10} {e.arn}  {e.detail}" for e in idle]
    if disputed:
        lines.append("")
        lines.append("NOT idle: no calls in the logs, but IAM's last-used data disagrees:")
        lines += [f"  {e.kind:<10} {e.arn}  {e.detail}" for e in disputed]
    return "\n".join(lines) + "\n"


def _item_json(item: RightsizeItem) -> JsonObject:
    return {
        "principal": item.principal,
        "ready": item.ready,
        "granted_actions": item.granted,
        "used_actions": list(item.used_actions),
        "removes": {"actions": len(item.removed), "by_service": dict(removed_by_service(item))},
        "grants_nothing_new": not item.new_grants,
        "new_grants": list(item.new_grants),
        "blockers": list(item.blockers),
        "replay": replay_json(item.replay),
        "proposal": {"documents": list(item.proposal.documents), "notes": list(item.proposal.notes)},
    }


def plan_json(plan: RightsizePlan, since: datetime | None, until: datetime | None) -> JsonObject:
    """The plan file ``rightsize verify`` reads back."""
    return {
        "format": PLAN_FORMAT,
        "created_at": _iso(plan.created_at),
        "evidence": {"since": _iso(since), "until": _iso(until)},
        "principals": [_item_json(i) for i in plan.items],
        "skipped": list(plan.skipped),
    }


def plan_text(plan: RightsizePlan) -> str:
    """One paragraph per principal."""
    lines = [f"Right-size plan as of {_iso(plan.created_at)}: {len(plan.items)} principal(s)"]
    for item in plan.items:
        state = "READY for a shadow period" if item.ready else "NOT READY"
        if item.ready and not item.proposal.documents:
            state = "IDLE: detach every policy (no recorded use)"
        lines.append("")
        lines.append(f"{item.principal}: {state}")
        lines.append(
            f"  grants {item.granted:,} actions, uses {len(item.used_actions)}; the proposal removes "
            f"{len(item.removed):,} ({len(item.proposal.documents)} policy document(s))"
        )
        lines.append(f"  replay: {item.replay.calls:,} calls, {item.replay.denied_calls:,} would be denied")
        if item.new_grants:
            lines.append(f"  grants something new: {', '.join(item.new_grants[:5])}")
        lines += [f"  blocker: {b}" for b in item.blockers[:5]]
    lines += [f"skipped: {s}" for s in plan.skipped]
    return "\n".join(lines) + "\n"
