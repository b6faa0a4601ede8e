"""Organization guardrails decided through the engine: is MFA enforced by an SCP on this account?

The question put to the engine: may an IAM user of the account, with full identity permissions,
perform sensitive actions without MFA, given the SCPs on the account's path? If every probe is
allowed without MFA, no SCP enforces MFA. The management account is out of SCP reach and is
reported as not applicable, as is an account outside a known organization.
"""

from __future__ import annotations

import functools

from iamscope.analysis.checks.registry import Check, CheckContext, Hit, Outcome
from iamscope.engine import CompiledPolicy, PolicySet, Request, compile_policy, evaluate

__all__ = ["CHECKS", "MFA_PROBES"]

MFA_PROBES: tuple[tuple[str, str], ...] = (
    ("iam:CreateAccessKey", "arn:{p}:iam::{a}:user/iamscope-probe"),
    ("ec2:TerminateInstances", "arn:{p}:ec2:us-east-1:{a}:instance/i-0123456789abcdef0"),
    ("s3:DeleteBucket", "arn:{p}:s3:::iamscope-probe-bucket"),
)


@functools.cache
def _everything() -> CompiledPolicy:
    return compile_policy(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
        "assumed-full-identity-permissions",
    )


def _mfa_scp(ctx: CheckContext) -> Outcome:
    organization = ctx.snapshot.organization
    if organization is None:
        return Outcome.not_applicable("the organization is not known (no organization/ in the bundle)")
    if ctx.account_id == organization.management_account_id:
        return Outcome.not_applicable("SCPs do not apply to the management account")
    if not organization.path_to(ctx.account_id):
        return Outcome.not_applicable("the account is not a member of the known organization")
    scps = ctx.access_model().scp_levels(ctx.account_id)
    user = f"arn:{ctx.partition}:iam::{ctx.account_id}:user/iamscope-probe"
    policies = PolicySet(
        identity=(_everything(),), scps=scps, management_account=organization.management_account_id
    )
    enforced = []
    for action, template in MFA_PROBES:
        resource = template.format(p=ctx.partition, a=ctx.account_id)
        without = evaluate(
            Request(user, action, resource, ctx.account_id, {"aws:MultiFactorAuthPresent": "false"}), policies
        )
        with_mfa = evaluate(
            Request(user, action, resource, ctx.account_id, {"aws:MultiFactorAuthPresent": "true"}), policies
        )
        if not without.allowed and with_mfa.allowed:
            enforced.append(action)
    if enforced:
        return Outcome.evaluated()
    hit = Hit(
        resource=ctx.account_arn(),
        message="No SCP on this account's path denies sensitive actions to IAM users without MFA.",
        evidence={"probes": [a for a, _ in MFA_PROBES], "scp_levels": len(scps or ())},
    )
    return Outcome.evaluated([hit])


CHECKS: tuple[Check, ...] = (Check("mfa-scp-missing", _mfa_scp),)
