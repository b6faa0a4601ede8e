"""The HTML report's page per principal: every policy that applies to it, admin status and findings.

A page lists what AWS evaluates for the principal: its own managed and inline policies, those of
its groups (users), its permissions boundary, its trust policy (roles) and the SCPs attached at
each level above its account. Managed policy documents come from the input; an AWS managed
policy's document is the same in every account, so any account's copy serves, and a page says
when no copy is in the input.

Each principal is a section shown on its own when its anchor is the URL fragment (CSS
``:target``), so the single file behaves like one page per principal without any script.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from iamscope.model.findings import Finding
from iamscope.model.snapshot import AttachedPolicy, Group, InlinePolicy, ManagedPolicy, Snapshot
from iamscope.report.view import ReportView

__all__ = ["ADMIN_CHECKS", "PrincipalEntry", "principal_entries", "render_principals"]

# The engine-decided checks whose findings mark a principal as administrator-equivalent (an admin
# user without MFA gets the one correlated finding instead of the plain admin one).
ADMIN_CHECKS = frozenset({"admin-equivalent-principal", "admin-user-without-mfa"})


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
    groups: tuple[str, ...] = ()  # a user's group names
    boundary: str | None = None  # permissions boundary policy ARN
    service_linked: bool = False


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
            entries.append(
                PrincipalEntry(
                    "user",
                    u.name,
                    u.arn,
                    account_id,
                    u.attached_policies,
                    u.inline_policies,
                    tuple(sorted(u.tags.items())),
                    None,
                    groups=u.groups,
                    boundary=u.permissions_boundary,
                )
            )
        for g in account.groups or ():
            entries.append(
                PrincipalEntry(
                    "group", g.name, g.arn, account_id, g.attached_policies, g.inline_policies, (), None
                )
            )
        for r in account.roles or ():
            entries.append(
                PrincipalEntry(
                    "role",
                    r.name,
                    r.arn,
                    account_id,
                    r.attached_policies,
                    r.inline_policies,
                    tuple(sorted(r.tags.items())),
                    r.trust_policy,
                    boundary=r.permissions_boundary,
                    service_linked=r.is_service_linked,
                )
            )
    return entries


def _document(value: object) -> str:
    return f"<pre>{escape(json.dumps(value, indent=2, sort_keys=True))}</pre>"


def _details(summary: str, body: str, kind: str) -> str:
    return f'<details class="policy" data-policy-kind="{kind}"><summary>{summary}</summary>{body}</details>'


class _Documents:
    """Managed policy documents rendered once each, however many principals they are attached to."""

    def __init__(self, snapshot: Snapshot | None) -> None:
        self._snapshot = snapshot
        self._aws: dict[str, ManagedPolicy] | None = None
        self._rendered: dict[tuple[str, str], str] = {}
        # Sections shared by many principals (a group's policies, an account's SCPs), rendered once.
        self.sections: dict[tuple[str, str, str], str] = {}

    def _aws_managed(self) -> Mapping[str, ManagedPolicy]:
        """AWS managed policies found in any account of the input (their documents are global)."""
        if self._aws is None:
            self._aws = {}
            for account in self._snapshot.accounts.values() if self._snapshot else ():
                for arn, policy in (account.policies or {}).items():
                    if policy.aws_managed and policy.document is not None:
                        self._aws.setdefault(arn, policy)
        return self._aws

    def _find(self, account_id: str, arn: str) -> ManagedPolicy | None:
        account = self._snapshot.accounts.get(account_id) if self._snapshot else None
        policy = (account.policies or {}).get(arn) if account is not None else None
        if (policy is None or policy.document is None) and ":iam::aws:policy/" in arn:
            policy = self._aws_managed().get(arn)
        return policy

    def managed(self, account_id: str, arn: str) -> str:
        """The body shown for one managed policy of one account."""
        key = (account_id, arn)
        found = self._rendered.get(key)
        if found is None:
            policy = self._find(account_id, arn)
            if policy is not None and policy.document is not None:
                note = "<p>AWS managed policy (default version).</p>" if policy.aws_managed else ""
                found = note + _document(policy.document)
            elif ":iam::aws:policy/" in arn:
                found = (
                    '<p class="missing">Document not available: the input has no copy of this AWS '
                    "managed policy (a get-account-authorization-details export with AWS managed "
                    "policies carries it).</p>"
                )
            else:
                found = '<p class="missing">Document not available: the policy is not in the input.</p>'
            self._rendered[key] = found
        return found


def _label(item: AttachedPolicy) -> str:
    return escape(item.name or item.arn.rsplit("/", 1)[-1])


def _own(documents: _Documents, entry: PrincipalEntry) -> list[str]:
    parts = [
        _details(
            f"{_label(item)} <code>{escape(item.arn)}</code>",
            documents.managed(entry.account_id, item.arn),
            "managed",
        )
        for item in entry.attached
    ]
    parts += [
        _details(f"{escape(inline.name)} (inline)", _document(inline.document), "inline")
        for inline in entry.inline
    ]
    return parts


def _group_policies(documents: _Documents, view: ReportView, entry: PrincipalEntry) -> str:
    if entry.kind != "user" or not entry.groups:
        return ""
    account = view.snapshot.accounts.get(entry.account_id) if view.snapshot else None
    known: dict[str, Group] = {g.name: g for g in (account.groups or ())} if account else {}
    parts = []
    for name in entry.groups:
        key = ("group", entry.account_id, name)
        cached = documents.sections.get(key)
        if cached is not None:
            parts.append(cached)
            continue
        group = known.get(name)
        if group is None:
            section = (
                f'<h5>Group {escape(name)}</h5><p class="missing">Group not in the input: '
                "its policies are unknown.</p>"
            )
        else:
            member_of = PrincipalEntry(
                "group",
                group.name,
                group.arn,
                entry.account_id,
                group.attached_policies,
                group.inline_policies,
                (),
                None,
            )
            section = (
                f'<div class="group-policies" data-group="{escape(name)}"><h5>Group {escape(name)}</h5>'
                + ("".join(_own(documents, member_of)) or "<p>No policies.</p>")
                + "</div>"
            )
        documents.sections[key] = section
        parts.append(section)
    return "<h4>Through groups</h4>" + "".join(parts)


def _boundary(documents: _Documents, entry: PrincipalEntry) -> str:
    if entry.boundary is None:
        return "" if entry.kind == "group" else "<h4>Permissions boundary</h4><p>None.</p>"
    name = escape(entry.boundary.rsplit("/", 1)[-1])
    body = documents.managed(entry.account_id, entry.boundary)
    return "<h4>Permissions boundary</h4>" + _details(
        f"{name} <code>{escape(entry.boundary)}</code>", body, "boundary"
    )


def _scps(documents: _Documents, view: ReportView, entry: PrincipalEntry) -> str:
    """The SCPs at each level from the root down to the account (rendered once per account)."""
    key = ("scp", entry.account_id, "service-linked" if entry.service_linked else "")
    found = documents.sections.get(key)
    if found is None:
        found = documents.sections[key] = _scp_levels(view, entry)
    return found


def _scp_levels(view: ReportView, entry: PrincipalEntry) -> str:
    """The SCPs at each level from the root down to the account, or why none apply."""
    head = "<h4>Service control policies</h4>"
    organization = view.snapshot.organization if view.snapshot else None
    if organization is None:
        return head + '<p class="missing">The organization is not in the input: SCPs are unknown.</p>'
    if entry.account_id == organization.management_account_id:
        return head + "<p>None apply: SCPs do not affect the organization's management account.</p>"
    if entry.service_linked:
        return head + "<p>None apply: SCPs do not affect service-linked roles.</p>"
    path = organization.path_to(entry.account_id)
    if not path:
        return head + '<p class="missing">The account is not in the organization\'s account list.</p>'
    names = {u.id: f"OU {u.name}" if u.parent_id else f"root {u.name}" for u in organization.units}
    names[entry.account_id] = f"account {entry.account_id}"
    parts = []
    for target, policies in zip(
        path, organization.levels(entry.account_id, "SERVICE_CONTROL_POLICY"), strict=True
    ):
        level = escape(names.get(target, target))
        items = "".join(
            _details(f"{escape(p.name)} <code>{escape(p.id)}</code>", _document(p.document), "scp")
            for p in policies
        )
        parts.append(
            f'<div class="scp-level" data-target="{escape(target)}"><h5>{level}</h5>'
            + (items or "<p>No SCP attached at this level.</p>")
            + "</div>"
        )
    return head + "".join(parts)


def _admin_status(view: ReportView, entry: PrincipalEntry, findings: Sequence[Finding]) -> str:
    if any(f.check in ADMIN_CHECKS for f in findings):
        return '<span class="admin-yes">administrator-equivalent</span>'
    ran = any(
        r.check in ADMIN_CHECKS and r.account_id == entry.account_id and r.status == "evaluated"
        for r in view.assessment.check_runs
    )
    return "not administrator-equivalent" if ran else "not evaluated"


def _policies(documents: _Documents, view: ReportView, entry: PrincipalEntry) -> str:
    own = _own(documents, entry)
    if entry.trust_policy is not None:
        own.append(_details("Trust policy", _document(entry.trust_policy), "trust"))
    parts = ["<h4>Policies</h4>" + ("".join(own) or "<p>No policies of its own.</p>")]
    parts.append(_group_policies(documents, view, entry))
    if entry.kind != "group":
        parts.append(_boundary(documents, entry))
    parts.append(_scps(documents, view, entry))
    return "".join(parts)


def render_principals(view: ReportView) -> str:
    """The principal index and one section per principal."""
    entries = principal_entries(view)
    documents = _Documents(view.snapshot)
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
            + _policies(documents, view, entry)
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
