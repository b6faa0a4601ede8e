"""Checks on the root user: access keys, MFA (any and hardware), and recent use (CIS 1.4 to 1.7).

The credential report's ``<root_account>`` row is the main source; the account summary is the
fallback. A member account whose root credentials were removed by centralized root access
management has nothing to protect with MFA: those checks report not applicable, not fail.
"""

from __future__ import annotations

from datetime import datetime

from iamscope.analysis.checks.registry import Check, CheckContext, Hit, Outcome
from iamscope.model.snapshot import CredentialReportRow

__all__ = ["CHECKS", "root_has_no_credentials", "root_row"]


def root_row(ctx: CheckContext) -> CredentialReportRow | None:
    """The credential report's root row, or None when the report was not collected or lacks it."""
    report = ctx.account.credential_report
    if report is None:
        return None
    return next((row for row in report if row.is_root), None)


def root_has_no_credentials(ctx: CheckContext) -> bool:
    """True when the root user has no password, keys or certificates (centrally managed root)."""
    summary = ctx.account.account_summary
    if summary is not None and "AccountPasswordPresent" in summary:
        return (
            summary.get("AccountPasswordPresent", 1) == 0
            and summary.get("AccountAccessKeysPresent", 0) == 0
            and summary.get("AccountSigningCertificatesPresent", 0) == 0
        )
    row = root_row(ctx)
    if row is None:
        return False
    return (
        row.password_enabled is False
        and not any(k.active for k in row.access_keys)
        and not any(c.active for c in row.certificates)
    )


def _root_access_key(ctx: CheckContext) -> Outcome:
    row = root_row(ctx)
    if row is not None:
        active = [k.slot for k in row.access_keys if k.active]
        if not active:
            return Outcome.evaluated()
        hit = Hit(
            resource=ctx.root_arn(),
            message=f"The root user has {len(active)} active access key(s).",
            evidence={"active_key_slots": list(active), "source": "credential report"},
        )
        return Outcome.evaluated([hit])
    summary = ctx.account.account_summary
    if summary is not None and "AccountAccessKeysPresent" in summary:
        if summary["AccountAccessKeysPresent"] == 0:
            return Outcome.evaluated()
        hit = Hit(
            resource=ctx.root_arn(),
            message="The root user has access keys (account summary).",
            evidence={"AccountAccessKeysPresent": summary["AccountAccessKeysPresent"]},
        )
        return Outcome.evaluated([hit])
    return Outcome.not_collected("needs the credential report or the account summary")


def _root_mfa(ctx: CheckContext) -> Outcome:
    if root_has_no_credentials(ctx):
        return Outcome.not_applicable("the root user has no credentials (centrally managed root)")
    row = root_row(ctx)
    if row is not None:
        enabled = row.mfa_active
        source = "credential report"
    elif ctx.account.account_summary is not None and ("AccountMFAEnabled" in ctx.account.account_summary):
        enabled = ctx.account.account_summary["AccountMFAEnabled"] == 1
        source = "account summary"
    else:
        return Outcome.not_collected("needs the credential report or the account summary")
    if enabled:
        return Outcome.evaluated()
    hit = Hit(
        resource=ctx.root_arn(),
        message="The root user has no MFA device.",
        evidence={"mfa_active": False, "source": source},
    )
    return Outcome.evaluated([hit])


def _root_hardware_mfa(ctx: CheckContext) -> Outcome:
    if root_has_no_credentials(ctx):
        return Outcome.not_applicable("the root user has no credentials (centrally managed root)")
    mfa = _root_mfa(ctx)
    if mfa.status != "evaluated":
        return mfa
    if mfa.hits:
        hit = Hit(
            resource=ctx.root_arn(),
            message="The root user has no MFA device at all, so no hardware MFA.",
            evidence={"mfa_active": False},
        )
        return Outcome.evaluated([hit])
    devices = ctx.account.virtual_mfa_devices
    if devices is None:
        return Outcome.not_collected("needs list-virtual-mfa-devices")
    virtual = [d.serial_number for d in devices if (d.user_arn or "").endswith(":root")]
    if not virtual:
        return Outcome.evaluated()
    hit = Hit(
        resource=ctx.root_arn(),
        message="The root user's MFA is a virtual device, not a hardware one.",
        evidence={"virtual_mfa_serials": list(virtual)},
    )
    return Outcome.evaluated([hit])


def _root_used(ctx: CheckContext) -> Outcome:
    row = root_row(ctx)
    if row is None:
        return Outcome.not_collected("needs the credential report")
    uses: dict[str, datetime] = {}
    if row.password_last_used is not None:
        uses["password"] = row.password_last_used
    for key in row.access_keys:
        if key.last_used is not None:
            uses[f"access_key_{key.slot}"] = key.last_used
    recent = {
        name: when
        for name, when in uses.items()
        if when <= ctx.as_of and not ctx.older_than(when, ctx.options.root_use_days)
    }
    if not recent:
        return Outcome.evaluated()
    latest = max(recent.values())
    hit = Hit(
        resource=ctx.root_arn(),
        message=f"The root user was used {ctx.days_before(latest)} day(s) before the assessment "
        f"(window: {ctx.options.root_use_days} days).",
        evidence={name: when.isoformat() for name, when in sorted(recent.items())},
    )
    return Outcome.evaluated([hit])


CHECKS: tuple[Check, ...] = (
    Check("root-access-key", _root_access_key),
    Check("root-mfa-disabled", _root_mfa),
    Check("root-hardware-mfa-missing", _root_hardware_mfa),
    Check("root-used-recently", _root_used),
)
