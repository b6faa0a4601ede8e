"""The HTML report's page per principal: its policies, effective admin status and findings.

Each principal is a section shown on its own when its anchor is the URL fragment (CSS
``:target``), so the single file behaves like one page per principal without any script.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from iamscope.model.findings import Finding
from iamscope.model.snapshot import AttachedPolicy, InlinePolicy, ManagedPolicy
from iamscope.report.view import ReportView

__all__ = ["ADMIN_CHECK", "PrincipalEntry", "principal_entries", "render_principals"]

# The engine-decided check whose findings mark a principal as administrator-equivalent.
ADMIN_CHECK = "admin-equivalent-principal"


@dataclass(frozen=True, slots=True)
class PrincipalEntry:
    """One user, group or role as the report shows it."""

    kind: str
    name: str
    arn: str
    account_id: str
    attached: tuple[AttachedPolicy, ...]
    inline: tuple[InlinePolicy, ...]
    tags: tuple[tuple[str, str], ...]
    trust_policy: object | None


def principal_entries(view: ReportView) -> list[PrincipalEntry]:
    """Every collected user, group and role, by account then kind then name."""
    entries: list[PrincipalEntry] = []
    if view.snapshot is None:
        return entries
    for account_id in view.assessment.accounts:
        account = view.snapshot.accounts.get(account_id)
        if account is None:
            continue
        for u in account.users or ():
            tags = tuple(sorted(u.tags.items()))
            entries.append(
                PrincipalEntry(
                    "user", u.name, u.arn, account_id, u.attached_policies, u.inline_policies, tags, None
                )
            )
        for g in account.groups or ():
            entries.append(
                PrincipalEntry(
                    "group", g.name, g.arn, account_id, g.attached_policies, g.inline_policies, (), None
                )
            )
        for r in account.roles or ():
            tags = tuple(sorted(r.tags.items()))
            entries.append(
                PrincipalEntry(
                    "role",
                    r.name,
                    r.arn,
                    account_id,
                    r.attached_policies,
                    r.inline_policies,
                    tags,
                    r.trust_policy,
                )
            )
    return entries


def _document(value: object) -> str:
    return f"<pre>{escape(json.dumps(value, indent=2, sort_keys=True))}</pre>"


class _Documents:
    """Managed policy documents rendered once each, however many principals they are attached to."""

    def __init__(self, view: ReportView) -> None:
        self._view = view
        self._managed: dict[str, Mapping[str, ManagedPolicy]] = {}
        self._rendered: dict[tuple[str, str], str] = {}

    def managed(self, account_id: str, arn: str) -> str:
        """The body shown for one attached managed policy of one account."""
        key = (account_id, arn)
        found = self._rendered.get(key)
        if found is None:
            policies = self._managed.get(account_id)
            if policies is None:
                account = self._view.snapshot.accounts.get(account_id) if self._view.snapshot else None
                policies = (account.policies if account is not None else None) or {}
                self._managed[account_id] = policies
            policy = policies.get(arn)
            if policy is None:
                found = "<p>Document not collected.</p>"
            elif policy.aws_managed:
                found = "<p>AWS managed policy.</p>"
            else:
                found = _document(policy.document)
            self._rendered[key] = found
        return found


def _admin_status(view: ReportView, entry: PrincipalEntry, findings: Sequence[Finding]) -> str:
    if any(f.check == ADMIN_CHECK for f in findings):
        return '<span class="admin-yes">administrator-equivalent</span>'
    ran = any(
        r.check == ADMIN_CHECK and r.account_id == entry.account_id and r.status == "evaluated"
        for r in view.assessment.check_runs
    )
    return "not administrator-equivalent" if ran else "not evaluated"


def _policies(documents: _Documents, entry: PrincipalEntry) -> str:
    parts = []
    for item in entry.attached:
        label = escape(item.name or item.arn.rsplit("/", 1)[-1])
        body = documents.managed(entry.account_id, item.arn)
        parts.append(f"<details><summary>{label} <code>{escape(item.arn)}</code></summary>{body}</details>")
    for inline in entry.inline:
        parts.append(
            f"<details><summary>{escape(inline.name)} (inline)</summary>"
            f"{_document(inline.document)}</details>"
        )
    if entry.trust_policy is not None:
        parts.append(f"<details><summary>Trust policy</summary>{_document(entry.trust_policy)}</details>")
    return "".join(parts) or "<p>No policies.</p>"


def render_principals(view: ReportView) -> str:
    """The principal index and one section per principal."""
    entries = principal_entries(view)
    documents = _Documents(view)
    by_resource: dict[str, list[Finding]] = {}
    for item in (*view.assessment.findings, *view.assessment.suppressed):
        for resource in item.resources:
            by_resource.setdefault(resource, []).append(item)
    index_rows = []
    sections = []
    for number, entry in enumerate(entries, start=1):
        anchor = f"principal-{number}"
        findings = by_resource.get(entry.arn, [])
        admin = _admin_status(view, entry, findings)
        index_rows.append(
            f'<tr><td><a href="#{anchor}">{escape(entry.name)}</a></td><td>{entry.kind}</td>'
            f"<td>{escape(entry.account_id)}</td><td>{admin}</td><td>{len(findings)}</td></tr>"
        )
        tags = "".join(f"<li>{escape(k)} = {escape(v)}</li>" for k, v in entry.tags)
        finding_items = "".join(
            f'<li><a href="#finding-{escape(f.id)}">{escape(view.labels.get(f.id, "suppressed"))}</a> '
            f'<span class="sev sev-{f.severity.value}">{f.severity.value}</span> {escape(f.title)}: '
            f"{escape(f.message)}</li>"
            for f in findings
        )
        sections.append(
            f'<section class="principal" id="{anchor}"><h3>{escape(entry.kind)} {escape(entry.name)}</h3>'
            f'<p class="arn">{escape(entry.arn)}</p><p>Effective admin status: {admin}</p>'
            + (f"<h4>Tags</h4><ul>{tags}</ul>" if tags else "")
            + f"<h4>Policies</h4>{_policies(documents, entry)}"
            + f"<h4>Findings</h4><ul>{finding_items or '<li>None.</li>'}</ul></section>"
        )
    if not entries:
        return '<section id="principals"><h2>Principals</h2><p>No principals in the input.</p></section>'
    return (
        '<section id="principals"><h2>Principals</h2><p>Select a principal to open its page.</p>'
        '<table id="principal-index"><thead><tr><th>Name</th><th>Kind</th><th>Account</th><th>Admin</th>'
        f"<th>Findings</th></tr></thead><tbody>{''.join(index_rows)}</tbody></table>"
        f"{''.join(sections)}</section>"
    )
