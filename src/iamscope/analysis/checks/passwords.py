"""Checks on the account password policy: minimum length 14 and reuse prevention (CIS 1.8, 1.9)."""

from __future__ import annotations

from iamscope.analysis.checks.registry import Check, CheckContext, Hit, Outcome
from iamscope.model.snapshot import PasswordPolicy

__all__ = ["CHECKS"]

MIN_LENGTH = 14
# CIS 1.9 asks that reuse be prevented; its remediation sets 24, the AWS maximum.
MIN_REUSE_PREVENTION = 24


def _policy(ctx: CheckContext) -> PasswordPolicy | Outcome:
    status = ctx.account.password_policy_status
    if status == "not_collected":
        return Outcome.not_collected("needs get-account-password-policy")
    if status == "absent" or ctx.account.password_policy is None:
        return PasswordPolicy()
    return ctx.account.password_policy


def _min_length(ctx: CheckContext) -> Outcome:
    policy = _policy(ctx)
    if isinstance(policy, Outcome):
        return policy
    length = policy.minimum_length
    if length is not None and length >= MIN_LENGTH:
        return Outcome.evaluated()
    absent = ctx.account.password_policy_status == "absent"
    hit = Hit(
        resource=ctx.account_arn(),
        message="The account has no password policy (AWS default: 8 characters)."
        if absent
        else f"The password policy requires {length or 'no'} characters minimum, not {MIN_LENGTH}.",
        evidence={"password_policy": "absent" if absent else "present", "minimum_length": length},
    )
    return Outcome.evaluated([hit])


def _reuse(ctx: CheckContext) -> Outcome:
    policy = _policy(ctx)
    if isinstance(policy, Outcome):
        return policy
    reuse = policy.reuse_prevention
    if reuse is not None and reuse >= MIN_REUSE_PREVENTION:
        return Outcome.evaluated()
    hit = Hit(
        resource=ctx.account_arn(),
        message="The password policy does not prevent password reuse."
        if not reuse
        else f"The password policy remembers {reuse} passwords, not {MIN_REUSE_PREVENTION}.",
        evidence={"password_reuse_prevention": reuse},
    )
    return Outcome.evaluated([hit])


CHECKS: tuple[Check, ...] = (
    Check("password-policy-min-length", _min_length),
    Check("password-policy-reuse", _reuse),
)
