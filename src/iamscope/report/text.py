"""The plain-text report an auditor reads in a terminal: findings by severity, controls, summary."""

from __future__ import annotations

from iamscope.model.findings import Finding, Severity
from iamscope.report.grouping import FindingGroup, likewise, short_resource
from iamscope.report.view import ReportView, account_statuses, percent, plan_state, score_text

__all__ = ["render_text"]

_WIDTH = 78


def _header(view: ReportView) -> list[str]:
    a = view.assessment
    accounts = ", ".join(a.accounts) or "none"
    return [
        "IAM Security Assessment Report",
        "=" * _WIDTH,
        f"Account ID: {accounts}",
        f"Assessment Date: {a.as_of:%Y-%m-%d} (results as of {a.as_of.isoformat()})",
        f"Source: {a.source or 'n/a'}",
        f"iamscope {a.iamscope_version} · IAM catalogue {a.catalog_version}",
        "",
    ]


def _finding(view: ReportView, label: str, item: Finding) -> list[str]:
    lines = [
        f"[{label}] {item.title}",
        f"  - Account: {item.account_id}",
        f"  - Resource: {item.resource}",
        f"  - Detail: {item.message}",
        f"  - Remediation: {item.remediation.text}",
    ]
    lines.extend(f"      $ {command}" for command in view.commands(item))
    lines.extend(f"  - File {f.path}: {f.note}" for f in view.remediation.files_of(item))
    lines.extend(f"  - {text}" for text in view.compliance_text(item))
    lines.append(f"  - Finding id: {item.id}")
    return lines


def _group(view: ReportView, group: FindingGroup) -> list[str]:
    """One block for many resources: what is wrong and how to fix it once, then the list."""
    first = group.findings[0]
    example = short_resource(first.resource)
    accounts = ", ".join(dict.fromkeys(f.account_id for f in group.findings))
    lines = [
        f"[{group.label}] {group.title}",
        f"  - Check: {group.check} ({first.title})",
        f"  - Accounts: {accounts}",
    ]
    uniform = group.uniform_message()
    if uniform:
        lines.append(f"  - Detail (for {example}; the same for each): {first.message}")
    lines.append(f"  - Remediation: {first.remediation.text}")
    for item, sharing in group.command_examples():
        alike = likewise(sharing)
        lines.append(f"  - Commands for {short_resource(item.resource)}{alike}:")
        lines.extend(f"      $ {command}" for command in view.commands(item))
    files = list(dict.fromkeys(f for item in group.findings for f in view.remediation.files_of(item)))
    lines.extend(f"  - File {f.path}: {f.note}" for f in files)
    lines.extend(f"  - {text}" for text in view.group_compliance_text(group))
    lines.append(f"  - {len(group.findings)} resources (account, resource, finding id):")
    for item in group.findings:
        lines.append(f"      {item.account_id} {short_resource(item.resource)}  [{item.id}]")
        if not uniform:
            lines.append(f"          {item.message}")
    return lines


def _findings(view: ReportView) -> list[str]:
    lines: list[str] = []
    for severity, groups in view.groups_by_severity():
        lines.append(f"{severity.value.upper()} FINDINGS:")
        for group in groups:
            single = group.single
            lines.extend(_finding(view, group.label, single) if single else _group(view, group))
        lines.append("")
    if not view.findings:
        lines += ["No findings.", ""]
    return lines


def _controls(view: ReportView) -> list[str]:
    lines: list[str] = []
    for score in view.assessment.scores:
        lines.append(f"{score.title.upper()} (section 1):")
        for control in view.assessment.controls:
            if control.framework != score.framework:
                continue
            title = control.title if len(control.title) <= 60 else control.title[:57] + "..."
            lines.append(f"  {control.control_id:<5} {control.status.upper():<14} {title}")
            if len(view.assessment.accounts) > 1 and control.status != "manual":
                lines.append(f"{'':8}{account_statuses(control)}")
            if control.reason and control.status != "manual":
                lines.append(f"{'':8}{control.reason}")
        lines.append("")
    return lines


def _summary(view: ReportView) -> list[str]:
    a = view.assessment
    counts = a.counts()
    parts = " | ".join(f"{s.value.capitalize()}: {counts[s]}" for s in Severity)
    lines = ["SUMMARY:", f"Total Findings: {len(a.findings)} ({len(view.groups)} issues)   {parts}"]
    for score in a.scores:
        levels = " · ".join(
            f"{name} {percent(value)} of {value.evaluated}" for name, value in score.levels.items()
        )
        lines.append(f"Compliance Score ({score.title}): {score_text(score.overall, len(a.accounts))}")
        lines.append(f"  {score.overall.passed} passed, {score.overall.failed} failed; {levels}")
    if a.suppressed:
        lines.append(f"Suppressed findings: {len(a.suppressed)}")
    for expired in a.expired_suppressions:
        lines.append(
            f"Expired suppression (no longer applied): {expired.check} {expired.resource} "
            f"expired {expired.expires} ({expired.reason})"
        )
    skipped = [r for r in a.check_runs if r.status == "not_collected"]
    if skipped:
        lines.append(f"Checks not run for lack of data: {len(skipped)}")
        lines.extend(f"  - {r.check} on {r.account_id}: {r.reason}" for r in skipped[:20])
        if len(skipped) > 20:
            lines.append(f"  ... and {len(skipped) - 20} more (see the JSON report)")
    if view.remediation.files:
        lines.append(
            f"Remediation files: {len(view.remediation.files)} policies, rules and patterns the commands "
            "read (file://remediation/...); 'assess --output-dir DIR' writes them, run the commands from DIR"
        )
    lines.extend(f"Problem: {p}" for p in a.problems)
    return lines


def _rightsize(view: ReportView) -> list[str]:
    plan = view.rightsize
    if plan is None:
        return []
    lines = ["", f"LEAST PRIVILEGE (right-size plan {plan.path}, as of {plan.created_at or 'n/a'}):"]
    for entry in plan.entries:
        lines.append(
            f"  {plan_state(entry):<9} {entry.principal}: grants {entry.granted_actions:,}, uses "
            f"{len(entry.used_actions)}, the proposal removes {entry.removed_actions:,}; replay "
            f"{entry.replay_calls:,} calls, {entry.replay_denied:,} denied"
        )
    return lines


def render_text(view: ReportView) -> str:
    """The whole text report."""
    sections = _header(view) + _findings(view) + _controls(view) + _summary(view) + _rightsize(view)
    return "\n".join(sections) + "\n"
