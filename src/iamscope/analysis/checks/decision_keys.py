"""When two principals must get the same engine decision, and the bookkeeping to tell.

For one action and one probe resource, :func:`iamscope.engine.evaluate` looks only at the
statements whose Action/NotAction covers the action, layer by layer (identity, boundary, session,
resource, SCP levels, RCP levels), and at the principal. Within a layer the outcome depends on the
*set* of those statements (any Deny that matches, any Allow that matches), not on their order, names
or Sids. So two principals of the same kind, account, SCPs and RCPs whose identity statements and
boundary statements for an action have the same content get the same allowed/denied answer, unless
a statement reads something that differs between them: a principal-derived condition key
(``aws:PrincipalArn``, ``aws:username``...), a policy variable, or a Principal element naming
individual users or roles. Such statements put the principal's ARN into the key.

A statement that cannot match the request (its Resource does not cover the probe resource, or a
condition fails on what the principal's context holds) takes no part in the decision at all: every
use the engine makes of a statement first checks resource and conditions. So such statements are
left out of keys too, when they read nothing principal-specific (then the check comes out the same
for every principal of the key).

A key decides only *whether* the request is allowed; an explanation names statements of one
principal's own policies and is always computed for that principal.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

from iamscope.engine import CompiledPolicy, CompiledStatement
from iamscope.engine.matching import ContextValue
from iamscope.engine.principal import Principal, parse_principal

__all__ = ["ActionTable", "Coverage", "StatementIndex", "principal_shape"]

# Condition keys the engine derives from a principal whose value is the same for every principal
# of one kind in one account (keys hold kind and account).
_SAME_PER_KIND_AND_ACCOUNT = frozenset(
    {"aws:principaltype", "aws:principalaccount", "aws:principalisawsservice"}
)


@functools.cache
def _varying_keys() -> frozenset[str]:
    """Condition keys whose value differs between principals of one kind and account."""
    keys: set[str] = set()
    for arn in ("arn:aws:iam::111122223333:user/a", "arn:aws:iam::111122223333:role/a"):
        principal = parse_principal(arn)
        if principal is not None:
            keys.update(name for name, _ in principal.condition_keys)
    return frozenset(keys - _SAME_PER_KIND_AND_ACCOUNT)


def principal_shape(principal: Principal) -> Hashable:
    """What the engine reads from a principal besides its name and ARN."""
    return (principal.kind, principal.account, principal.partition, principal.is_service_linked_role)


def reads_principal(statement: CompiledStatement) -> bool:
    """Whether the statement can decide differently for two principals of one kind and account."""
    model = statement.statement
    varying = _varying_keys()
    for clause in model.conditions:
        if clause.key.lower() in varying or any("${" in v for v in clause.values):
            return True
    if any("${" in p for p in (*(model.resources or ()), *(model.not_resources or ()))):
        return True
    if model.not_principal is not None:
        return True
    principal = statement.principal
    if principal is not None and not principal.wildcard:
        # Whole accounts (and services) are granted to alike for every principal of an account.
        return any(not (i.startswith("account:") or "." in i) for i in principal.identities)
    return False


def _content(statement: CompiledStatement) -> Hashable:
    """The statement without its position and Sid: what evaluation depends on."""
    model = statement.statement
    return (
        model.effect,
        model.actions,
        model.not_actions,
        model.resources,
        model.not_resources,
        model.principal,
        model.not_principal,
        model.conditions,
        statement.policy.policy.supports_variables,
    )


@dataclass(frozen=True, slots=True)
class Coverage:
    """One statement as a decision key sees it for one action table."""

    content: int  # statements with the same content share the number
    reads_principal: bool
    deny: bool
    actions: frozenset[int]  # indexes into the table's actions that the statement covers


@dataclass(slots=True)
class ActionTable:
    """A tuple of actions asked about together, with what is worked out once per action."""

    actions: tuple[str, ...]
    lowered: tuple[str, ...]
    by_pattern: dict[Hashable, frozenset[int]] = field(default_factory=dict)
    by_policy: dict[int, tuple[CompiledPolicy, tuple[Coverage, ...]]] = field(default_factory=dict)
    results: dict[Hashable, tuple[str, ...]] = field(default_factory=dict)


class StatementIndex:
    """Numbers statements by content and tells which actions of a table each one covers.

    Statements are kept referenced here, so the ``id()`` keys of the caches stay valid.
    """

    def __init__(self) -> None:
        self._contents: dict[Hashable, int] = {}
        self._representatives: list[CompiledStatement] = []
        self._statements: dict[int, tuple[CompiledStatement, int, bool]] = {}
        self._tables: dict[tuple[str, ...], ActionTable] = {}
        self._levels: dict[tuple[int, str], tuple[object, bool]] = {}

    def table(self, actions: tuple[str, ...]) -> ActionTable:
        """The table for ``actions`` (made once per distinct tuple)."""
        found = self._tables.get(actions)
        if found is None:
            found = ActionTable(actions, tuple(a.lower() for a in actions))
            self._tables[actions] = found
        return found

    def describe(self, statement: CompiledStatement) -> tuple[int, bool]:
        """(content number, reads principal-specific data) of one statement."""
        found = self._statements.get(id(statement))
        if found is None:
            content = _content(statement)
            number = self._contents.get(content, -1)
            if number < 0:
                number = len(self._representatives)
                self._contents[content] = number
                self._representatives.append(statement)
            found = (statement, number, reads_principal(statement))
            self._statements[id(statement)] = found
        return found[1], found[2]

    def applies(self, content: int, resource: str, context: Mapping[str, ContextValue]) -> bool:
        """Whether statements with this content match ``resource`` and their conditions hold in
        ``context`` (the Principal element aside). One that does not is inert: the engine's
        answer is the same with or without it."""
        return self._representatives[content].check(resource, context)

    def coverage(self, policy: CompiledPolicy, table: ActionTable) -> tuple[Coverage, ...]:
        """The policy's statements that cover at least one action of the table."""
        found = table.by_policy.get(id(policy))
        if found is None:
            covered: list[Coverage] = []
            for statement in policy.statements:
                model = statement.statement
                pattern: Hashable = (model.actions, model.not_actions)
                indexes = table.by_pattern.get(pattern)
                if indexes is None:
                    match = statement.action_match
                    indexes = frozenset(i for i, a in enumerate(table.lowered) if match(a))
                    table.by_pattern[pattern] = indexes
                if indexes:
                    content, reads = self.describe(statement)
                    covered.append(Coverage(content, reads, statement.deny, indexes))
            found = (policy, tuple(covered))
            table.by_policy[id(policy)] = found
        return found[1]

    def any_reads_principal(self, policies: Sequence[CompiledPolicy], action: str) -> bool:
        """Whether any statement of ``policies`` covering ``action`` (lower-cased) reads
        principal-specific data."""
        return any(self.describe(s)[1] for p in policies for s in p.for_action(action))

    def levels_read_principal(self, levels: Sequence[Sequence[CompiledPolicy]] | None, action: str) -> bool:
        """The same for organization levels (SCPs or RCPs), cached per levels object and action."""
        if levels is None:
            return False
        cache_key = (id(levels), action)
        found = self._levels.get(cache_key)
        if found is None:
            found = (levels, any(self.any_reads_principal(level, action) for level in levels))
            self._levels[cache_key] = found
        return found[1]
