"""The HTML report: one self-contained file (inline CSS and JS from this package, no network).

Every string that comes from an account (names, tags, ARNs, policy text, messages) goes through
``html.escape``; the page's Content-Security-Policy allows only its own script and style by hash,
so even a missed escape could not run injected script.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from importlib import resources
from string import Template

from iamscope.model.findings import Severity
from iamscope.report.html.principals import render_principals
from iamscope.report.html.rightsize import render_rightsize
from iamscope.report.view import ReportView, percent, score_text

__all__ = ["render_html"]


def _asset(name: str) -> str:
    return resources.files("iamscope.report.html").joinpath(name).read_text(encoding="utf-8")


def _hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _chart(view: ReportView) -> str:
    """An inline SVG bar chart of findings per severity."""
    counts = view.assessment.counts()
    top = max(counts.values()) or 1
    bars = []
    for index, severity in enumerate(Severity):
        width = round(240 * counts[severity] / top)
        y = index * 24
        bars.append(
            f'<text x="0" y="{y + 15}">{severity.value}</text>'
            f'<rect class="bar-{severity.value}" x="110" y="{y + 3}" width="{width}" height="16"></rect>'
            f'<text x="{116 + width}" y="{y + 15}">{counts[severity]}</text>'
        )
    return (
        '<svg id="severity-chart" role="img" aria-label="Findings per severity" width="400" '
        f'height="{24 * len(Severity)}" font-size="12">{"".join(bars)}</svg>'
    )


def _summary(view: ReportView) -> str:
    a = view.assessment
    cards = []
    for score in a.scores:
        levels = "".join(
            f"<span>{escape(name)}: <strong>{percent(value)}</strong> of {value.evaluated}</span>"
            for name, value in score.levels.items()
        )
        basis = score_text(score.overall, len(a.accounts)).removeprefix(percent(score.overall)).strip()
        cards.append(
            f'<div class="card"><div>{escape(score.title)}</div>'
            f'<div class="score" id="score">{percent(score.overall)}</div>'
            f'<div class="basis" id="score-basis">{escape(basis)}</div>'
            f"<div>{score.overall.passed} passed · {score.overall.failed} failed</div>"
            f'<div class="levels">{levels}</div></div>'
        )
    cards.append(
        f'<div class="card"><div>Findings</div><div class="score">{len(a.findings)}</div>'
        f"<div>{len(a.suppressed)} suppressed</div></div>"
    )
    cards.append(f'<div class="card">{_chart(view)}</div>')
    return f'<section id="summary"><h2>Summary</h2><div class="cards">{"".join(cards)}</div></section>'


def _options(values: list[str]) -> str:
    return "".join(f'<option value="{escape(v)}">{escape(v)}</option>' for v in values)


def _findings(view: ReportView) -> str:
    a = view.assessment
    rows = []
    for item in a.findings:
        commands = "".join(f"<pre>{escape(c)}</pre>" for c in view.commands(item))
        commands += "".join(
            f"<div>File <code>{escape(f.path)}</code>: {escape(f.note)}</div>"
            for f in view.remediation.files_of(item)
        )
        compliance = "".join(f"<div>{escape(t)}</div>" for t in view.compliance_text(item))
        policy = (
            f"<pre>{escape(item.remediation.policy_snippet)}</pre>" if item.remediation.policy_snippet else ""
        )
        resource = " ".join(item.resources)
        rows.append(
            f'<tr id="finding-{escape(item.id)}" data-severity="{item.severity.value}" '
            f'data-check="{escape(item.check)}" data-account="{escape(item.account_id)}" '
            f'data-resource="{escape(resource)}">'
            f"<td>{escape(view.labels[item.id])}</td>"
            f'<td data-key="{item.severity.rank}"><span class="sev sev-{item.severity.value}">'
            f"{item.severity.value}</span></td>"
            f"<td>{escape(item.check)}</td>"
            f"<td>{escape(item.account_id)}</td>"
            f'<td class="res">{escape(item.resource)}</td>'
            f"<td>{escape(item.title)}<details><summary>{escape(item.message)}</summary>"
            f"<p>{escape(item.remediation.text)}</p>{commands}{policy}{compliance}"
            f"<div>Finding id: <code>{escape(item.id)}</code></div></details></td></tr>"
        )
    checks = sorted({f.check for f in a.findings})
    accounts = sorted({f.account_id for f in a.findings})
    severities = [s.value for s in Severity]
    return (
        '<section id="findings-section"><h2>Findings</h2><div class="filters">'
        f'<label>Severity <select id="filter-severity"><option value="">all</option>{_options(severities)}'
        "</select></label>"
        f'<label>Check <select id="filter-check"><option value="">all</option>{_options(checks)}'
        "</select></label>"
        f'<label>Account <select id="filter-account"><option value="">all</option>{_options(accounts)}'
        "</select></label>"
        '<label>Resource <input id="filter-resource" type="search" placeholder="ARN contains…"></label>'
        f'<span>showing <strong id="shown-count">{len(a.findings)}</strong> of {len(a.findings)}</span></div>'
        '<table id="findings"><thead><tr><th data-sort>Id</th><th data-sort>Severity</th>'
        "<th data-sort>Check</th><th data-sort>Account</th><th data-sort>Resource</th>"
        f"<th>Finding</th></tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _controls(view: ReportView) -> str:
    parts = []
    accounts = view.assessment.accounts
    several = len(accounts) > 1
    for score in view.assessment.scores:
        rows = "".join(
            f'<tr data-control="{escape(c.control_id)}"><td>{escape(c.control_id)}</td>'
            f'<td>{escape(c.level)}</td><td class="status-{c.status}">{c.status}</td>'
            f"<td>{escape(c.title)}</td>"
            + "".join(
                f'<td class="status-{c.accounts.get(a, "manual")}" data-account="{escape(a)}">'
                f"{c.accounts.get(a, 'manual')}</td>"
                for a in (accounts if several else ())
            )
            + f'<td class="note">{escape(c.reason)}</td></tr>'
            for c in view.assessment.controls
            if c.framework == score.framework
        )
        account_heads = "".join(f"<th>{escape(a)}</th>" for a in (accounts if several else ()))
        parts.append(
            f'<h2>{escape(score.title)}</h2><table class="controls"><thead><tr><th>Control</th>'
            f"<th>Level</th><th>Status</th><th>Title</th>{account_heads}<th>Note</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    return f'<section id="controls">{"".join(parts)}</section>'


def _footer(view: ReportView) -> str:
    a = view.assessment
    notes = [f"<li>{escape(p)}</li>" for p in a.problems]
    notes += [
        f"<li>Expired suppression (no longer applied): {escape(e.check)} {escape(e.resource)} "
        f"expired {escape(e.expires)} — {escape(e.reason)}</li>"
        for e in a.expired_suppressions
    ]
    listing = f"<ul>{''.join(notes)}</ul>" if notes else ""
    return (
        f"<footer>{listing}Generated by iamscope {escape(a.iamscope_version)} with IAM catalogue "
        f"{escape(a.catalog_version)}; results as of {escape(a.as_of.isoformat())}.</footer>"
    )


def render_html(view: ReportView) -> str:
    """The complete HTML document."""
    a = view.assessment
    css = _asset("style.css")
    js = _asset("report.js")
    header = (
        "<header><h1>IAM Security Assessment Report</h1>"
        f'<p class="meta">Accounts: {escape(", ".join(a.accounts) or "none")} · '
        f"As of {escape(a.as_of.isoformat())} · Source: {escape(a.source or 'n/a')}</p>"
        '<nav><a href="#summary">Summary</a><a href="#findings-section">Findings</a>'
        '<a href="#controls">Controls</a><a href="#principals">Principals</a>'
        + ('<a href="#least-privilege">Least privilege</a>' if view.rightsize is not None else "")
        + "</nav></header>"
    )
    body = (
        header
        + "<main>"
        + _summary(view)
        + _findings(view)
        + _controls(view)
        + render_principals(view)
        + render_rightsize(view)
        + "</main>"
        + _footer(view)
    )
    return Template(_asset("template.html")).substitute(
        title="IAM Security Assessment Report",
        style_hash=_hash(css),
        script_hash=_hash(js),
        css=css,
        js=js,
        body=body,
    )
