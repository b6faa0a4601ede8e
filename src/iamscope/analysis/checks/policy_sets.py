"""The engine's view of a principal: its compiled policies, boundary and SCP levels, built once per run.

Stand-in for ``iamscope.analysis.access.policy_set_for`` (the lead's helper, same shape): when that
lands, :meth:`AccountPolicies.policy_set` should delegate to it. Compiled policies are cached per
account so thousands of principals sharing managed policies compile each policy once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from iamscope.engine import CompiledPolicy, PolicyError, PolicySet, compile_policy
from iamscope.model.document import JsonValue
from iamscope.model.snapshot import AccountSnapshot, AttachedPolicy, InlinePolicy, Role, Snapshot, User

__all__ = ["AccountPolicies"]


@dataclass(slots=True)
class AccountPolicies:
    """Compiles and caches the policies of one account; records the ones the engine cannot read."""

    snapshot: Snapshot
    account: AccountSnapshot
    problems: list[str] = field(default_factory=list)
    _managed: dict[str, CompiledPolicy | None] = field(default_factory=dict)
    _scps: tuple[tuple[CompiledPolicy, ...], ...] | None = None
    _scps_done: bool = False

    def compile(self, document: JsonValue, name: str) -> CompiledPolicy | None:
        """Compile one document; a policy the engine rejects is recorded and left out."""
        try:
            return compile_policy(document, name)
        except PolicyError as error:
            self.problems.append(f"account {self.account.account_id}: policy {name} skipped: {error}")
            return None

    def managed(self, arn: str) -> CompiledPolicy | None:
        """A managed policy of the account by ARN (None: not collected or unreadable)."""
        if arn not in self._managed:
            policy = (self.account.policies or {}).get(arn)
            self._managed[arn] = None if policy is None else self.compile(policy.document, policy.name)
        return self._managed[arn]

    def _attached(
        self, owner: str, attached: Sequence[AttachedPolicy], inline: Sequence[InlinePolicy]
    ) -> list[CompiledPolicy]:
        found = [p for a in attached if (p := self.managed(a.arn)) is not None]
        found += [p for i in inline if (p := self.compile(i.document, f"{owner}/{i.name}")) is not None]
        return found

    def scps(self) -> tuple[tuple[CompiledPolicy, ...], ...] | None:
        """SCP levels from the organization root down to the account (None: no organization)."""
        if not self._scps_done:
            self._scps_done = True
            organization = self.snapshot.organization
            if organization is not None:
                levels = organization.levels(self.account.account_id, "SERVICE_CONTROL_POLICY")
                if levels:
                    self._scps = tuple(
                        tuple(c for p in level if (c := self.compile(p.document, p.name)) is not None)
                        for level in levels
                    )
        return self._scps

    def management_account(self) -> str | None:
        """The organization's management account, which SCPs never restrict."""
        organization = self.snapshot.organization
        return organization.management_account_id if organization is not None else None

    def policy_set(self, principal: User | Role) -> PolicySet:
        """Identity policies (with groups for users), boundary and SCPs of one principal."""
        identity = self._attached(principal.name, principal.attached_policies, principal.inline_policies)
        if isinstance(principal, User):
            groups = {g.name: g for g in self.account.groups or ()}
            for name in principal.groups:
                group = groups.get(name)
                if group is not None:
                    identity += self._attached(group.name, group.attached_policies, group.inline_policies)
        boundary = None
        if principal.permissions_boundary:
            compiled = self.managed(principal.permissions_boundary)
            # A boundary whose document was not collected is treated as absent (flag, not hide).
            boundary = (compiled,) if compiled is not None else None
        return PolicySet(
            identity=tuple(identity),
            permissions_boundary=boundary,
            scps=self.scps(),
            management_account=self.management_account(),
        )
