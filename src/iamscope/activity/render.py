"""Text and JSON views of the activity summary (the CLI prints these; tests read them)."""

from __future__ import annotations

from datetime import datetime

from iamscope.model.activity import ActionUse, ActivitySummary, PrincipalActivity
from iamscope.model.document import JsonObject, JsonValue

__all__ = ["SUMMARY_FORMAT", "summary_json", "summary_text"]

SUMMARY_FORMAT = "iamscope-activity-summary/1"


def _time(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _use(use: ActionUse) -> JsonObject:
    return {
        "action": use.action,
        "calls": use.calls,
        "first_seen": _time(use.first_seen),
        "last_seen": _time(use.last_seen),
        "resource_count": use.resource_count,
        "resources": list(use.resources),
    }


def _principal(p: PrincipalActivity) -> JsonObject:
    return {
        "arn": p.arn,
        "kind": p.kind,
        "account": p.account,
        "events": p.events,
        "first_seen": _time(p.first_seen),
        "last_seen": _time(p.last_seen),
        "sessions": p.sessions,
        "services": list(p.services),
        "actions": [_use(u) for u in p.actions],
        "denied_attempts": [_use(u) for u in p.denied],
        "failed_calls": p.failed_calls,
    }


def summary_json(summary: ActivitySummary) -> JsonObject:
    """The summary as a JSON document (``format`` names its schema version)."""
    data_sources: list[JsonValue] = [
        {
            "name": d.name,
            "event_source": d.event_source,
            "events": d.events,
            "present": d.present,
            "accounts_without": list(d.missing_accounts),
            "actions_at_risk": list(d.actions),
            "why": None if d.present and not d.missing_accounts else d.why,
        }
        for d in summary.data_sources
    ]
    return {
        "format": SUMMARY_FORMAT,
        "events": summary.events,
        "files": summary.files,
        "first_seen": _time(summary.first_seen),
        "last_seen": _time(summary.last_seen),
        "statuses": dict(summary.statuses),
        "principals": [_principal(p) for p in summary.principals],
        "data_event_sources": data_sources,
        "unmapped_events": [
            {"event_source": u.event_source, "event_name": u.event_name, "count": u.count}
            for u in summary.unmapped
        ],
        "problems": [{"file": p.name, "message": p.message} for p in summary.problems],
    }


def _day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else "-"


def summary_text(summary: ActivitySummary, *, resources_shown: int = 3) -> str:
    """A readable report: principals with services, actions and resources, then coverage."""
    lines = [
        f"{summary.events:,} events from {summary.files:,} files, "
        f"{_day(summary.first_seen)} to {_day(summary.last_seen)} (UTC)",
    ]
    for p in summary.principals:
        lines.append("")
        lines.append(f"{p.arn}  [{p.kind}]")
        lines.append(
            f"  {p.events:,} events, {p.sessions} sessions, first {_day(p.first_seen)}, "
            f"last {_day(p.last_seen)}; services: {', '.join(p.services) or '-'}"
        )
        for use in p.actions:
            shown = ", ".join(use.resources[:resources_shown])
            more = use.resource_count - min(len(use.resources), resources_shown)
            suffix = f" (+{more:,} more)" if more > 0 else ""
            lines.append(f"  {use.action:<40} {use.calls:>8,} calls  {_day(use.last_seen)}  {shown}{suffix}")
        for use in p.denied:
            lines.append(f"  DENIED {use.action:<33} {use.calls:>8,} attempts")
        if p.failed_calls:
            lines.append(f"  {p.failed_calls:,} failed calls (errors other than access denied)")
    lines.append("")
    lines.append("Data events:")
    for source in summary.data_sources:
        if source.present and not source.missing_accounts:
            lines.append(f"  {source.name:<14} present ({source.events:,} events)")
        elif source.present:
            missing = list(source.missing_accounts)
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            lines.append(f"  {source.name:<14} present in some accounts; none from {shown}: {source.why}")
        else:
            lines.append(f"  {source.name:<14} ABSENT: {source.why}")
    if summary.unmapped:
        total = sum(u.count for u in summary.unmapped)
        lines.append("")
        lines.append(f"Unmapped events ({total:,}; no known IAM action, kept in the store):")
        lines.extend(f"  {u.event_source} {u.event_name}: {u.count:,}" for u in summary.unmapped[:50])
    if summary.problems:
        lines.append("")
        lines.append(f"Skipped at ingest ({len(summary.problems)}):")
        lines.extend(f"  {p.name}: {p.message}" for p in summary.problems[:50])
    return "\n".join(lines) + "\n"
