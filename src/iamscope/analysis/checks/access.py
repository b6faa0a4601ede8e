"""Engine decisions for one account's users and roles, cached across the checks that ask for them.

Every question is a real :func:`iamscope.engine.evaluate` call, so conditions, explicit denies,
permissions boundaries and SCPs all count. Before asking, actions that no Allow statement of the
principal's identity policies even names are dropped: the engine could only answer "implicit
deny" for them, and skipping them keeps large accounts fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from iamscope.analysis.access import AccessModel, Identity
from iamscope.analysis.checks.probes import ADMIN_PROBES, probe_resource
from iamscope.analysis.checks.registry import CheckContext
from iamscope.engine import CompiledPolicy, Decision, PolicySet, Request, compile_policy, evaluate
from iamscope.model.document import JsonValue
from iamscope.model.snapshot import Role, User

__all__ = ["AccountAccess", "Subject", "account_access"]

_MEMO_KEY = "access"


@dataclass(slots=True)
class Subject:
    """A user or role with its policy set and cached decisions."""

    principal: User | Role
    kind: str
    policies: PolicySet
    decisions: dict[tuple[str, str], Decision] = field(default_factory=dict)
    admin: bool | None = None

    @property
    def arn(self) -> str:
        """The principal's ARN."""
        return self.principal.arn

    @property
    def name(self) -> str:
        """The principal's name."""
        return self.principal.name


@dataclass(slots=True)
class AccountAccess:
    """The account's subjects and an engine front-end with a pre-filter and a cache."""

    ctx: CheckContext
    policies: AccessModel
    subjects: list[Subject]
    trust: CompiledPolicy | None = None

    def may_name(self, subject: Subject, action: str) -> bool:
        """Whether some Allow statement of the subject's identity policies covers ``action``."""
        lowered = action.lower()
        return any(
            not statement.deny
            for policy in subject.policies.identity
            for statement in policy.for_action(lowered)
        )

    def decide(self, subject: Subject, action: str, resource: str | None = None) -> Decision:
        """The engine's decision for the subject doing ``action`` on ``resource`` (default: a probe)."""
        target = resource or probe_resource(action, self.ctx.partition, self.ctx.account_id)
        key = (action, target)
        cached = subject.decisions.get(key)
        if cached is None:
            request = Request(
                principal=subject.arn,
                action=action,
                resource=target,
                resource_account=self.ctx.account_id,
            )
            policies = subject.policies
            if action.lower() == "sts:assumerole":
                # A role's trust must allow too; ask as if the probe role trusted this account,
                # which leaves the decision to the subject's own policies.
                policies = replace(policies, resource=self._account_trust())
            cached = evaluate(request, policies)
            subject.decisions[key] = cached
        return cached

    def _account_trust(self) -> CompiledPolicy:
        if self.trust is None:
            root = f"arn:{self.ctx.partition}:iam::{self.ctx.account_id}:root"
            statement: JsonValue = {"Effect": "Allow", "Principal": {"AWS": root}, "Action": "sts:AssumeRole"}
            self.trust = compile_policy({"Version": "2012-10-17", "Statement": [statement]}, "probe-trust")
        return self.trust

    def allowed_on_any(self, subject: Subject, actions: Sequence[str]) -> list[str]:
        """The actions the subject may perform on arbitrary resources."""
        return [a for a in actions if self.may_name(subject, a) and self.decide(subject, a).allowed]

    def is_admin(self, subject: Subject) -> bool:
        """Allowed every admin probe on arbitrary resources (see probes.ADMIN_PROBES)."""
        if subject.admin is None:
            subject.admin = all(
                self.may_name(subject, a) and self.decide(subject, a).allowed for a in ADMIN_PROBES
            )
        return subject.admin


def account_access(ctx: CheckContext) -> AccountAccess | None:
    """The account's engine front-end (built once per account), or None without users and roles."""
    cached = ctx.memo.get(_MEMO_KEY)
    if isinstance(cached, AccountAccess):
        return cached
    if ctx.account.users is None or ctx.account.roles is None:
        return None
    policies = ctx.access_model()
    subjects = [
        Subject(u, "user", policies.policy_set(Identity(ctx.account_id, u))) for u in ctx.account.users
    ]
    subjects += [
        Subject(r, "role", policies.policy_set(Identity(ctx.account_id, r)))
        for r in ctx.account.roles
        if not r.is_service_linked
    ]
    access = AccountAccess(ctx, policies, subjects)
    ctx.memo[_MEMO_KEY] = access
    return access
