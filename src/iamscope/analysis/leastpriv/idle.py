"""Idle roles, users and access keys: the logs' silence, judged against their coverage and IAM's own data.

No call in the logs means idle only where the logs could have shown one: an account with no
events in the store is "not visible", never idle. Where they could, every verdict is checked
against what IAM itself records (the credential report's password and key columns, the access
key list, RoleLastUsed, Access Advisor when collected) and both are shown. IAM reporting a use
inside the logged period means the logs are incomplete (another region, a trail gap); a use after
the logs end means the principal is not idle. Only a principal both sources agree on is idle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from iamscope.model.activity import AccountCoverage
from iamscope.model.snapshot import AccountSnapshot, CredentialReportRow, Role, Snapshot

__all__ = [
    "IdleEntity",
    "IdleReport",
    "LastUse",
    "LogEvidence",
    "UnjudgedAccount",
    "Verdict",
    "idle_entities",
    "judge",
    "role_uses",
]

# idle: no calls in the logs and IAM agrees; logs-incomplete: IAM saw a use inside the logged
# period; used-after-logs: IAM saw a use after the logs end.
Verdict = Literal["idle", "logs-incomplete", "used-after-logs"]


@dataclass(frozen=True, slots=True)
class LastUse:
    """One of IAM's own last-used records: what was used, per which source (``at`` None: never)."""

    what: str  # "password", "access key 1", "role", "s3"...
    source: str  # "credential report", "RoleLastUsed", "Access Advisor"...
    at: datetime | None
    region: str | None = None

    def text(self) -> str:
        """``password used 2026-01-14 in us-east-1 (credential report)``."""
        when = f"{self.at:%Y-%m-%d}" if self.at is not None else "never"
        region = f" in {self.region}" if self.region else ""
        return f"{self.what} used {when}{region} ({self.source})"


@dataclass(frozen=True, slots=True)
class IdleEntity:
    """A role, user or access key with no call in the logs, and what IAM says about it."""

    kind: Literal["role", "user", "access-key"]
    arn: str
    account: str
    verdict: Verdict
    logs: str
    iam: str
    last_used: tuple[LastUse, ...] = ()
    key: str = ""  # the access key id, or its credential-report slot

    @property
    def idle(self) -> bool:
        """Both the logs and IAM say unused."""
        return self.verdict == "idle"

    @property
    def detail(self) -> str:
        """Both sides in one line."""
        return f"{self.key + ': ' if self.key else ''}{self.logs}; {self.iam}"


@dataclass(frozen=True, slots=True)
class UnjudgedAccount:
    """An account of the snapshot whose principals the logs cannot judge."""

    account: str
    roles: int
    users: int
    reason: str = "not visible: no logs for this account in the store"


@dataclass(frozen=True, slots=True)
class IdleReport:
    """Idleness verdicts for the accounts the logs cover, and the accounts they do not."""

    entities: tuple[IdleEntity, ...]
    unjudged: tuple[UnjudgedAccount, ...] = ()
    coverage: tuple[AccountCoverage, ...] = ()


@dataclass(frozen=True, slots=True)
class LogEvidence:
    """What the activity store says for idleness: coverage per account, who called, which keys."""

    coverage: Mapping[str, AccountCoverage]
    active: Mapping[str, int]  # principal ARN -> events in the window
    keys: Mapping[str, str]  # long-term access key id -> the principal ARN that used it


def _day(value: datetime) -> str:
    return f"{value:%Y-%m-%d}"


def judge(
    kind: Literal["role", "user", "access-key"],
    arn: str,
    coverage: AccountCoverage,
    uses: Sequence[LastUse],
    *,
    logs: str = "",
    key: str = "",
) -> IdleEntity:
    """The verdict for one entity with no call in the logs of ``coverage``."""
    logs = logs or f"no calls in the logs ({coverage.period})"
    dated = [u for u in uses if u.at is not None]
    latest = max(dated, key=lambda u: u.at or datetime.min) if dated else None
    verdict: Verdict = "idle"
    if latest is None or latest.at is None:
        never = ", ".join(f"{u.what} ({u.source})" for u in uses)
        iam = f"IAM agrees: never used: {never}" if uses else "IAM: no last-used data collected"
    elif coverage.first_seen is not None and latest.at < coverage.first_seen:
        iam = f"IAM agrees: {latest.text()}, before the logs start"
    elif coverage.last_seen is None or latest.at <= coverage.last_seen:
        verdict = "logs-incomplete"
        region = (
            f" (the logs have no events from {latest.region})"
            if latest.region and coverage.regions and latest.region not in coverage.regions
            else ""
        )
        iam = f"but IAM says {latest.text()}: logs may be incomplete{region}"
    else:
        verdict = "used-after-logs"
        iam = f"but IAM says {latest.text()}, after the logs end: not idle"
    return IdleEntity(kind, arn, coverage.account, verdict, logs, iam, tuple(uses), key)


def _advisor(account: AccountSnapshot, arn: str) -> list[LastUse]:
    return [
        LastUse(s.service_namespace, "Access Advisor", s.last_authenticated, s.last_authenticated_region)
        for s in account.service_last_accessed or ()
        if s.principal_arn == arn and s.last_authenticated is not None
    ]


def role_uses(account: AccountSnapshot, role: Role) -> list[LastUse]:
    """What IAM records of a role's use: RoleLastUsed, and Access Advisor when collected."""
    return [
        LastUse("role", "RoleLastUsed", role.last_used, role.last_used_region),
        *_advisor(account, role.arn),
    ]


def _report_row(account: AccountSnapshot, arn: str, name: str) -> CredentialReportRow | None:
    for row in account.credential_report or ():
        if row.arn == arn or (row.user == name and not row.is_root):
            return row
    return None


def _user_uses(account: AccountSnapshot, arn: str, name: str) -> list[LastUse]:
    """Password and key use of one user, as the credential report and the key list record them."""
    uses: list[LastUse] = []
    row = _report_row(account, arn, name)
    if row is not None and row.password_enabled:
        uses.append(LastUse("password", "credential report", row.password_last_used))
    if account.access_keys is not None:
        for key in account.access_keys:
            if key.user_name == name and key.status == "Active":
                what = f"access key {key.access_key_id}"
                uses.append(LastUse(what, "access key list", key.last_used, key.last_used_region))
    elif row is not None:
        for slot in row.access_keys:
            if slot.active:
                what = f"access key {slot.slot}"
                uses.append(LastUse(what, "credential report", slot.last_used, slot.last_used_region))
    if row is not None and not uses:
        uses.append(LastUse("no password and no active access key", "credential report", None))
    return uses + _advisor(account, arn)


def _keys(
    account: AccountSnapshot, coverage: AccountCoverage, keys_used: Mapping[str, str]
) -> Iterable[IdleEntity]:
    """Active access keys no call in the logs used: from the key list, else the credential report."""
    account_id = account.account_id
    if account.access_keys is not None:
        for key in account.access_keys:
            if key.status != "Active" or key.access_key_id in keys_used:
                continue
            arn = f"arn:aws:iam::{account_id}:user/{key.user_name}"
            for user in account.users or ():
                if user.name == key.user_name:
                    arn = user.arn
            use = LastUse("the key", "access key list", key.last_used, key.last_used_region)
            yield judge(
                "access-key",
                arn,
                coverage,
                [use],
                logs=f"never used in the logs ({coverage.period})",
                key=key.access_key_id,
            )
        return
    seen: dict[str, set[str]] = {}
    for key_id, principal in keys_used.items():
        seen.setdefault(principal, set()).add(key_id)
    for row in account.credential_report or ():
        active = [slot for slot in row.access_keys if slot.active]
        used = len(seen.get(row.arn, ()))
        if not active or used >= len(active):
            continue
        logs = (
            f"the logs ({coverage.period}) show {used} of this user's {len(active)} active keys, "
            "and the credential report names no key ids"
            if used
            else f"no call with this user's keys in the logs ({coverage.period})"
        )
        for slot in active:
            what = f"access key {slot.slot}"
            entity = judge(
                "access-key",
                row.arn,
                coverage,
                [LastUse(what, "credential report", slot.last_used, slot.last_used_region)],
                logs=logs,
                key=f"access key {slot.slot}",
            )
            if not used or entity.idle:
                yield entity


def idle_entities(snapshot: Snapshot, evidence: LogEvidence) -> IdleReport:
    """Roles, users and active access keys with no call in the logs, each judged against IAM."""
    out: list[IdleEntity] = []
    unjudged: list[UnjudgedAccount] = []
    for account_id, account in snapshot.accounts.items():
        coverage = evidence.coverage.get(account_id)
        roles = [r for r in account.roles or () if not r.is_service_linked]
        users = list(account.users or ())
        if coverage is None:
            unjudged.append(UnjudgedAccount(account_id, len(roles), len(users)))
            continue
        for role in roles:
            if role.arn not in evidence.active:
                out.append(judge("role", role.arn, coverage, role_uses(account, role)))
        for user in users:
            if user.arn not in evidence.active:
                out.append(judge("user", user.arn, coverage, _user_uses(account, user.arn, user.name)))
        out.extend(_keys(account, coverage, evidence.keys))
    covered = tuple(evidence.coverage[a] for a in sorted(evidence.coverage) if a in snapshot.accounts)
    return IdleReport(tuple(out), tuple(unjudged), covered)
