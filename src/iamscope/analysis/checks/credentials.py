"""Checks on IAM users' credentials from the credential report (CIS 1.10 to 1.14, unused users).

Every date is compared with the assessment's ``as_of``, never with the clock, so a report made
from the same bundle is the same report tomorrow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from iamscope.analysis.checks.access import account_access
from iamscope.analysis.checks.admin import admin_judge
from iamscope.analysis.checks.registry import Check, CheckContext, Hit, Outcome
from iamscope.model.snapshot import CredentialKey, CredentialReportRow

__all__ = ["CHECKS"]


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _per_user(ctx: CheckContext, judge: Callable[[CheckContext, CredentialReportRow], Hit | None]) -> Outcome:
    """Run ``judge`` on every non-root credential report row."""
    report = ctx.account.credential_report
    if report is None:
        return Outcome.not_collected("needs the credential report")
    users = [row for row in report if not row.is_root]
    if not users:
        return Outcome.not_applicable("the account has no IAM users")
    hits = [hit for row in users if (hit := judge(ctx, row)) is not None]
    return Outcome.evaluated(hits)


def _active(keys: Iterable[CredentialKey]) -> list[CredentialKey]:
    return [k for k in keys if k.active]


def _console_without_mfa(ctx: CheckContext, row: CredentialReportRow) -> Hit | None:
    if not row.password_enabled or row.mfa_active:
        return None
    access = account_access(ctx)
    if access is not None and row.arn in admin_judge(ctx, access).without_mfa():
        return None  # one critical finding: admin-user-without-mfa
    return Hit(
        resource=row.arn,
        message=f"User {row.user} can sign in to the console without MFA.",
        evidence={"password_enabled": True, "mfa_active": False},
        params={"user": row.user},
    )


def _key_at_setup(ctx: CheckContext, row: CredentialReportRow) -> Hit | None:
    if not row.password_enabled:
        return None
    unused = [k for k in _active(row.access_keys) if k.last_used is None]
    if not unused:
        return None
    at_setup = [
        k.slot
        for k in unused
        if k.last_rotated is not None
        and row.user_creation_time is not None
        and abs((k.last_rotated - row.user_creation_time).total_seconds())
        <= ctx.options.key_created_at_setup_seconds
    ]
    return Hit(
        resource=row.arn,
        message=f"Console user {row.user} has an active access key that was never used.",
        evidence={
            "never_used_key_slots": [k.slot for k in unused],
            "created_with_user_slots": list(at_setup),
            "user_creation_time": _iso(row.user_creation_time),
        },
        params={"user": row.user},
    )


def _password_unused(ctx: CheckContext, row: CredentialReportRow) -> Hit | None:
    if not row.password_enabled:
        return None
    days = ctx.options.credential_unused_days
    last = row.password_last_used or row.password_last_changed or row.user_creation_time
    if last is None or not ctx.older_than(last, days):
        return None
    never = row.password_last_used is None
    return Hit(
        resource=row.arn,
        message=f"User {row.user}'s console password "
        + ("was never used" if never else f"was last used {ctx.days_before(last)} days ago")
        + f" (limit: {days} days).",
        evidence={
            "password_last_used": _iso(row.password_last_used),
            "password_last_changed": _iso(row.password_last_changed),
        },
        params={"user": row.user},
    )


def _key_unused(ctx: CheckContext, row: CredentialReportRow) -> Hit | None:
    days = ctx.options.credential_unused_days
    stale = [
        k
        for k in _active(row.access_keys)
        if ctx.older_than(k.last_used or k.last_rotated or row.user_creation_time, days)
    ]
    if not stale:
        return None
    return Hit(
        resource=row.arn,
        message=f"User {row.user} has {len(stale)} active access key(s) unused for more than {days} days.",
        evidence={
            f"access_key_{k.slot}": {
                "last_used": _iso(k.last_used),
                "last_rotated": _iso(k.last_rotated),
            }
            for k in stale
        },
        params={"user": row.user},
    )


def _multiple_keys(ctx: CheckContext, row: CredentialReportRow) -> Hit | None:
    active = _active(row.access_keys)
    if len(active) < 2:
        return None
    return Hit(
        resource=row.arn,
        message=f"User {row.user} has {len(active)} active access keys.",
        evidence={"active_key_slots": [k.slot for k in active]},
        params={"user": row.user},
    )


def _key_rotation(ctx: CheckContext, row: CredentialReportRow) -> Hit | None:
    days = ctx.options.key_rotation_days
    old = [k for k in _active(row.access_keys) if ctx.older_than(k.last_rotated, days)]
    if not old:
        return None
    oldest = min(k.last_rotated for k in old if k.last_rotated is not None)
    return Hit(
        resource=row.arn,
        message=f"User {row.user} has an active access key {ctx.days_before(oldest)} days old "
        f"(limit: {days} days).",
        evidence={f"access_key_{k.slot}_last_rotated": _iso(k.last_rotated) for k in old},
        params={"user": row.user},
    )


def _password_and_keys(ctx: CheckContext, row: CredentialReportRow) -> Hit | None:
    active = _active(row.access_keys)
    if not row.password_enabled or not active:
        return None
    return Hit(
        resource=row.arn,
        message=f"User {row.user} has both a console password and {len(active)} active access key(s).",
        evidence={"password_enabled": True, "active_key_slots": [k.slot for k in active]},
        params={"user": row.user},
    )


def _unused_user(ctx: CheckContext, row: CredentialReportRow) -> Hit | None:
    days = ctx.options.unused_principal_days
    if row.user_creation_time is None or not ctx.older_than(row.user_creation_time, days):
        return None
    uses = [row.password_last_used] + [k.last_used for k in row.access_keys]
    latest = max((u for u in uses if u is not None), default=None)
    if latest is not None and not ctx.older_than(latest, days):
        return None
    return Hit(
        resource=row.arn,
        message=f"User {row.user} "
        + ("has never signed in or used a key" if latest is None else "has not been used")
        + f" in {days} days.",
        evidence={"last_activity": _iso(latest), "created": _iso(row.user_creation_time)},
        params={"user": row.user},
    )


def _make(
    judge: Callable[[CheckContext, CredentialReportRow], Hit | None],
) -> Callable[[CheckContext], Outcome]:
    return lambda ctx: _per_user(ctx, judge)


CHECKS: tuple[Check, ...] = (
    Check("console-user-without-mfa", _make(_console_without_mfa)),
    Check("access-key-created-at-setup", _make(_key_at_setup)),
    Check("console-password-unused", _make(_password_unused)),
    Check("access-key-unused", _make(_key_unused)),
    Check("multiple-active-access-keys", _make(_multiple_keys)),
    Check("access-key-not-rotated", _make(_key_rotation)),
    Check("user-password-and-access-keys", _make(_password_and_keys)),
    Check("unused-user", _make(_unused_user)),
)
