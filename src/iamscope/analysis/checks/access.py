"""Engine decisions for one account's users and roles, shared across principals and checks.

Every answer is a real :func:`iamscope.engine.evaluate` call, so conditions, explicit denies,
permissions boundaries and SCPs all count. Two things keep large accounts fast without changing
any answer:

- before asking, actions that no Allow statement of the principal's identity policies even names
  are dropped (the engine could only answer "implicit deny"); which actions a statement names is
  worked out once per distinct Action/NotAction list, not once per principal;
- principals whose statements for an action have the same content get the same allowed/denied
  answer (see :mod:`.decision_keys`), so the engine is asked once per distinct key, and principals
  whose statements are the same for a whole list of actions get the list's answer at once.

``AssessOptions.share_decisions = False`` turns both off: every principal and action is evaluated
on its own (the tests compare the two paths).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from iamscope.analysis.access import AccessModel, Identity
from iamscope.analysis.checks.decision_keys import (
    ActionTable,
    Coverage,
    StatementIndex,
    principal_shape,
)
from iamscope.analysis.checks.probes import PROBE_CONTEXT, probe_resource
from iamscope.analysis.checks.registry import CheckContext
from iamscope.engine import CompiledPolicy, Decision, PolicySet, Request, compile_policy, evaluate
from iamscope.engine.context import build_context
from iamscope.engine.matching import ContextValue
from iamscope.engine.principal import parse_principal
from iamscope.model.document import JsonValue
from iamscope.model.snapshot import Role, User

__all__ = ["AccountAccess", "Subject", "account_access"]

_MEMO_KEY = "access"


@dataclass(slots=True)
class Subject:
    """A user or role with its policy set; explanations are kept only for decisions asked for."""

    principal: User | Role
    kind: str
    policies: PolicySet
    shape: Hashable
    context: Mapping[str, ContextValue]
    decisions: dict[str, Decision] = field(default_factory=dict)
    group: _Group | None = None

    @property
    def arn(self) -> str:
        """The principal's ARN."""
        return self.principal.arn

    @property
    def name(self) -> str:
        """The principal's name."""
        return self.principal.name


@dataclass(slots=True)
class _Group:
    """Subjects of one kind under the same SCPs and RCPs: for every action their keys share the
    probe resource and the organization statements.

    ``member`` is the first member: statements that read nothing principal-specific check out the
    same in every member's context.
    """

    number: int
    member: Subject
    constants: dict[str, tuple[str, bool]] = field(default_factory=dict)  # probe, org reads principal
    live: dict[tuple[int, int], tuple[Coverage, ...]] = field(default_factory=dict)
    positions: dict[tuple[int, int], frozenset[int]] = field(default_factory=dict)
    applies: dict[tuple[int, str], bool] = field(default_factory=dict)
    explanations: dict[Hashable, tuple[str, ...]] = field(default_factory=dict)


@dataclass(slots=True)
class AccountAccess:
    """The account's subjects and an engine front-end with a pre-filter and shared answers."""

    ctx: CheckContext
    policies: AccessModel
    subjects: list[Subject]
    share: bool = True
    trust: CompiledPolicy | None = None
    index: StatementIndex = field(default_factory=StatementIndex)
    _groups: dict[Hashable, _Group] = field(default_factory=dict)
    _answers: dict[Hashable, bool] = field(default_factory=dict)
    _assume: dict[int, PolicySet] = field(default_factory=dict)

    def probe(self, action: str) -> str:
        """The made-up resource ``action`` is asked about (``*`` for actions without one)."""
        return probe_resource(action, self.ctx.partition, self.ctx.account_id)

    def _policies_for(self, subject: Subject, action: str) -> PolicySet:
        if action.lower() != "sts:assumerole":
            return subject.policies
        # A role's trust must allow too; ask as if the probe role trusted this account, which
        # leaves the decision to the subject's own policies.
        found = self._assume.get(id(subject))
        if found is None:
            found = replace(subject.policies, resource=self._account_trust())
            self._assume[id(subject)] = found
        return found

    def _account_trust(self) -> CompiledPolicy:
        if self.trust is None:
            root = f"arn:{self.ctx.partition}:iam::{self.ctx.account_id}:root"
            statement: JsonValue = {"Effect": "Allow", "Principal": {"AWS": root}, "Action": "sts:AssumeRole"}
            self.trust = compile_policy({"Version": "2012-10-17", "Statement": [statement]}, "probe-trust")
        return self.trust

    def decide(self, subject: Subject, action: str) -> Decision:
        """The engine's decision (with its explanation) for the subject doing ``action`` on a probe."""
        found = subject.decisions.get(action)
        if found is None:
            request = Request(
                principal=subject.arn,
                action=action,
                resource=self.probe(action),
                resource_account=self.ctx.account_id,
                context=PROBE_CONTEXT,
            )
            found = evaluate(request, self._policies_for(subject, action))
            subject.decisions[action] = found
        return found

    def explain(self, subject: Subject, action: str) -> tuple[str, ...]:
        """The statements that decided ``action`` for the subject (``Explanation.matched``).

        Subjects whose live statements for the action are the very same statement objects (and
        read nothing principal-specific) get the same explanation: it names those statements.
        """
        own = subject.policies
        if not self.share or own.session or own.resource or own.vpc_endpoint:
            return tuple(str(m) for m in self.decide(subject, action).explanation.matched)
        policies = self._policies_for(subject, action)
        group = self._group(subject)
        resource, reads = self._constants(group, action)
        lowered = action.lower()
        identity, identity_reads = self._live_statements(policies.identity, lowered, resource, group)
        boundary: tuple[int, ...] | None = None
        if policies.permissions_boundary is not None:
            boundary, boundary_reads = self._live_statements(
                policies.permissions_boundary, lowered, resource, group
            )
            reads = reads or boundary_reads
        reads = reads or identity_reads
        key = (group.number, lowered, subject.arn if reads else None, identity, boundary)
        found = group.explanations.get(key)
        if found is None:
            found = tuple(str(m) for m in self.decide(subject, action).explanation.matched)
            group.explanations[key] = found
        return found

    def _live_statements(
        self, policies: Sequence[CompiledPolicy], action: str, resource: str, group: _Group
    ) -> tuple[tuple[int, ...], bool]:
        """Ids of the statements of ``policies`` that can take part in deciding ``action``."""
        found: list[int] = []
        reads = False
        for policy in policies:
            for statement in policy.for_action(action):
                content, sensitive = self.index.describe(statement)
                if sensitive:
                    reads = True
                    found.append(id(statement))
                    continue
                cache_key = (content, action)
                live = group.applies.get(cache_key)
                if live is None:
                    live = self.index.applies(content, resource, group.member.context)
                    group.applies[cache_key] = live
                if live:
                    found.append(id(statement))
        return tuple(found), reads

    def allowed_on_any(self, subject: Subject, actions: Sequence[str]) -> list[str]:
        """The actions the subject may perform on arbitrary resources, in the order given."""
        chosen = tuple(actions)
        policies = subject.policies
        if not self.share or policies.session or policies.resource or policies.vpc_endpoint:
            return [a for a in chosen if self.decide(subject, a).allowed]
        table = self.index.table(chosen)
        group = self._group(subject)
        identity = [c for p in policies.identity for c in self._live(p, table, group)]
        boundary = (
            None
            if policies.permissions_boundary is None
            else [c for p in policies.permissions_boundary for c in self._live(p, table, group)]
        )
        signature = (
            group.number,
            frozenset(c.content for c in identity),
            None if boundary is None else frozenset(c.content for c in boundary),
        )
        shared = table.results.get(signature)
        if shared is not None:
            return list(shared)
        named: set[int] = set()
        for item in identity:
            if not item.deny:
                named |= item.actions
        allowed: list[str] = []
        personal = False
        for position in sorted(named):
            action = table.lowered[position]
            org_reads = self._constants(group, table.actions[position])[1]
            covering, reads = _covering(identity, position)
            limits: frozenset[int] | None = None
            if boundary is not None:
                limits, boundary_reads = _covering(boundary, position)
                reads = reads or boundary_reads
            reads = reads or org_reads
            personal = personal or reads
            key = (group.number, action, subject.arn if reads else None, covering, limits)
            answer = self._answers.get(key)
            if answer is None:
                answer = self.decide(subject, table.actions[position]).allowed
                self._answers[key] = answer
            if answer:
                allowed.append(table.actions[position])
        if not personal:
            # No key named the subject, so every subject with this signature gets these same
            # keys (its live statements are the same) and these same answers.
            table.results[signature] = tuple(allowed)
        return allowed

    def group_number(self, subject: Subject) -> int:
        """Subjects with the same number share kind, account, SCPs and RCPs (see _Group)."""
        return self._group(subject).number

    def _group(self, subject: Subject) -> _Group:
        if subject.group is None:
            policies = subject.policies
            key = (subject.shape, id(policies.scps), id(policies.rcps), policies.management_account)
            found = self._groups.get(key)
            if found is None:
                found = _Group(len(self._groups), subject)
                self._groups[key] = found
            subject.group = found
        return subject.group

    def _constants(self, group: _Group, action: str) -> tuple[str, bool]:
        """The probe resource of one action, and whether SCP, RCP or probe-trust statements
        covering it read principal-specific data."""
        lowered = action.lower()
        found = group.constants.get(lowered)
        if found is None:
            policies = self._policies_for(group.member, lowered)
            reads = (
                self.index.levels_read_principal(policies.scps, lowered)
                or self.index.levels_read_principal(policies.rcps, lowered)
                or (
                    policies.resource is not None
                    and self.index.any_reads_principal((policies.resource,), lowered)
                )
            )
            found = (self.probe(action), reads)
            group.constants[lowered] = found
        return found

    def _live(self, policy: CompiledPolicy, table: ActionTable, group: _Group) -> tuple[Coverage, ...]:
        """The policy's statements that can take part in a decision on some action of the table,
        each with the actions it can take part in (see decision_keys)."""
        cache_key = (id(policy), id(table))
        found = group.live.get(cache_key)
        if found is None:
            items: list[Coverage] = []
            for item in self.index.coverage(policy, table):
                if item.reads_principal:
                    items.append(item)  # its key names the subject; nothing to leave out
                    continue
                positions = self._positions(item, table, group)
                if positions:
                    items.append(replace(item, actions=positions))
            found = tuple(items)
            group.live[cache_key] = found
        return found

    def _positions(self, item: Coverage, table: ActionTable, group: _Group) -> frozenset[int]:
        cache_key = (item.content, id(table))
        found = group.positions.get(cache_key)
        if found is None:
            found = frozenset(
                i
                for i in item.actions
                if self.index.applies(
                    item.content, self._constants(group, table.actions[i])[0], group.member.context
                )
            )
            group.positions[cache_key] = found
        return found


def _covering(items: list[Coverage], position: int) -> tuple[frozenset[int], bool]:
    """Contents of the statements covering one action, and whether any reads the principal."""
    contents: list[int] = []
    reads = False
    for item in items:
        if position in item.actions:
            contents.append(item.content)
            reads = reads or item.reads_principal
    return frozenset(contents), reads


def _subject(policies: AccessModel, account_id: str, entity: User | Role, kind: str) -> Subject:
    principal = parse_principal(entity.arn)
    if principal is None:
        raise ValueError(f"{entity.arn} is not a principal ARN the engine can read")
    policy_set = policies.policy_set(Identity(account_id, entity))
    context = build_context(PROBE_CONTEXT, principal)
    return Subject(entity, kind, policy_set, principal_shape(principal), context)


def account_access(ctx: CheckContext) -> AccountAccess | None:
    """The account's engine front-end (built once per account), or None without users and roles."""
    cached = ctx.memo.get(_MEMO_KEY)
    if isinstance(cached, AccountAccess):
        return cached
    if ctx.account.users is None or ctx.account.roles is None:
        return None
    policies = ctx.access_model()
    subjects = [_subject(policies, ctx.account_id, u, "user") for u in ctx.account.users]
    subjects += [
        _subject(policies, ctx.account_id, r, "role") for r in ctx.account.roles if not r.is_service_linked
    ]
    access = AccountAccess(ctx, policies, subjects, share=ctx.options.share_decisions)
    ctx.memo[_MEMO_KEY] = access
    return access
