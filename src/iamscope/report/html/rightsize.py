"""The HTML report's least-privilege section: each principal of a right-size plan, its proposal and checks."""

from __future__ import annotations

import json
from html import escape

from iamscope.report.view import ReportView, plan_state

__all__ = ["render_rightsize"]


def render_rightsize(view: ReportView) -> str:
    """A section with one row per principal and, folded, its proposed policy (empty without a plan)."""
    plan = view.rightsize
    if plan is None:
        return ""
    rows = []
    for entry in plan.entries:
        state = plan_state(entry)
        removed = ", ".join(f"{escape(service)} {count:,}" for service, count in entry.removed_by_service[:8])
        documents = "".join(f"<pre>{escape(json.dumps(d, indent=2))}</pre>" for d in entry.documents)
        blockers = "".join(f"<li>{escape(b)}</li>" for b in entry.blockers)
        detail = (
            f"<details><summary>{len(entry.documents)} proposed document(s)</summary>"
            f"<p>Removes by service: {removed or 'nothing'}</p>"
            f"<p>Used: {escape(', '.join(entry.used_actions)) or 'nothing'}</p>"
            f"{documents}{f'<ul>{blockers}</ul>' if blockers else ''}</details>"
        )
        rows.append(
            f'<tr data-state="{escape(state)}"><td class="res">{escape(entry.principal)}</td>'
            f'<td class="state-{escape(state.lower().replace(" ", "-"))}">{escape(state)}</td>'
            f"<td>{entry.granted_actions:,}</td><td>{len(entry.used_actions)}</td>"
            f"<td>{entry.removed_actions:,}</td>"
            f"<td>{entry.replay_calls:,} / {entry.replay_denied:,}</td>"
            f"<td>{'yes' if entry.grants_nothing_new else 'no'}</td><td>{detail}</td></tr>"
        )
    skipped = "".join(f"<li>{escape(s)}</li>" for s in plan.skipped)
    return (
        '<section id="least-privilege"><h2>Least privilege: right-size plan</h2>'
        f"<p>Plan <code>{escape(plan.path)}</code> as of {escape(plan.created_at or 'n/a')}. "
        "A proposal is ready when replaying the recorded activity against it denies nothing and it "
        "grants nothing the current policies did not; switch only after a clean shadow period "
        "(<code>iamscope rightsize verify</code>).</p>"
        '<table id="rightsize"><thead><tr><th>Principal</th><th>State</th><th>Granted actions</th>'
        "<th>Used</th><th>Removed</th><th>Replay calls / denied</th><th>Grants nothing new</th>"
        f"<th>Proposal</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f"{f'<p>Not planned:</p><ul>{skipped}</ul>' if skipped else ''}</section>"
    )
