"""Policies compiled once for fast evaluation: matchers instead of JSON, statements indexed by service.

Each :class:`CompiledPolicy` remembers, per action, which of its statements name that action, so a
principal with thirty policies costs a few dictionary look-ups per request after the first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from iamscope.engine.conditions import (
    CompiledCondition,
    ConditionValueError,
    compile_condition,
    parse_operator,
)
from iamscope.engine.matching import (
    ContextValue,
    StringMatcher,
    compile_action_pattern,
    compile_arn_pattern,
)
from iamscope.engine.parse import PolicyError, PolicyKind, PolicyProblem, read_policy
from iamscope.engine.principal import CompiledPrincipal, Grant, Principal
from iamscope.model.document import JsonValue
from iamscope.model.policies import Effect, Policy, Statement

__all__ = ["CompiledPolicy", "CompiledStatement", "compile_policy"]

_ACTION_CACHE_LIMIT = 65536


@dataclass(frozen=True, slots=True, eq=False)
class CompiledStatement:
    """One statement with its matchers."""

    policy: CompiledPolicy
    statement: Statement
    deny: bool
    action_match: Callable[[str], bool]
    resource_match: StringMatcher | None  # None: the statement has no Resource element
    resource_negated: bool
    principal: CompiledPrincipal | None
    not_principal: CompiledPrincipal | None
    conditions: tuple[CompiledCondition, ...]
    check: Callable[[str, Mapping[str, ContextValue]], bool]  # resource and conditions together

    @property
    def label(self) -> str:
        """``policy-name/Sid`` or ``policy-name/Statement[i]`` for explanations."""
        return f"{self.policy.name}/{self.statement.label}" if self.policy.name else self.statement.label

    def grant(self, principal: Principal, has_boundary: bool) -> Grant:
        """How the Principal/NotPrincipal element applies to ``principal``.

        Statements without either element (identity policies, SCPs) apply with ``DIRECT``.
        """
        if self.principal is not None:
            return self.principal.grant(principal)
        if self.not_principal is not None:
            if self.deny:
                if has_boundary and principal.is_iam:
                    # Documented: NotPrincipal with Deny always denies a principal with a boundary.
                    return Grant.DIRECT
                # Deny spares only a principal whose every identity (account, role, session) is
                # listed, as the NotPrincipal page tells policy authors to list them all.
                return Grant.NONE if self.not_principal.excludes(principal) else Grant.DIRECT
            # Allow grants to everyone except a listed principal (or one inside a listed account).
            return Grant.NONE if self.not_principal.names(principal) else Grant.DIRECT
        return Grant.DIRECT


class CompiledPolicy:
    """A policy ready for repeated evaluation."""

    __slots__ = ("_by_service", "_cache", "_wild", "name", "policy", "problems", "statements")

    def __init__(
        self,
        policy: Policy,
        name: str = "",
        problems: tuple[PolicyProblem, ...] = (),
        *,
        lenient: bool = False,
    ) -> None:
        """Compile every statement; ``lenient``: a statement whose condition values cannot be read
        matches nothing and becomes a problem instead of raising :class:`PolicyError`."""
        self.policy = policy
        self.name = name
        found_problems = list(problems)
        statements: list[CompiledStatement] = []
        by_service: dict[str, list[int]] = {}
        wild: list[int] = []
        for statement in policy.statements:
            try:
                compiled = _compile_statement(self, statement)
            except PolicyError as error:
                if not lenient:
                    raise
                found_problems.append(
                    PolicyProblem(error.path, f"{error.message}; this statement matches nothing")
                )
                continue
            position = len(statements)
            statements.append(compiled)
            services = _services(statement)
            if services is None:
                wild.append(position)
            else:
                for service in services:
                    by_service.setdefault(service, []).append(position)
        self.statements: tuple[CompiledStatement, ...] = tuple(statements)
        self._by_service = {k: tuple(v) for k, v in by_service.items()}
        self._wild = tuple(wild)
        self._cache: dict[str, tuple[CompiledStatement, ...]] = {}
        #: Elements that match nothing (``Statement[0].Action``: a name with a comma...), by JSON path.
        self.problems: tuple[PolicyProblem, ...] = tuple(found_problems)

    def __repr__(self) -> str:
        return f"CompiledPolicy(name={self.name!r}, statements={len(self.statements)})"

    def for_action(self, action: str) -> tuple[CompiledStatement, ...]:
        """Statements whose Action/NotAction covers ``action`` (lower-cased ``service:name``)."""
        cached = self._cache.get(action)
        if cached is not None:
            return cached
        service = action.partition(":")[0]
        candidates = sorted({*self._by_service.get(service, ()), *self._wild})
        found = tuple(self.statements[i] for i in candidates if self.statements[i].action_match(action))
        if len(self._cache) < _ACTION_CACHE_LIMIT:
            self._cache[action] = found
        return found


def _services(statement: Statement) -> frozenset[str] | None:
    """Service prefixes an Action element is limited to; None when any service may match."""
    if statement.actions is None:
        return None  # NotAction covers every service but a few
    services: set[str] = set()
    for action in statement.actions:
        service = action.partition(":")[0].lower() if ":" in action else "*"
        if "*" in service or "?" in service:
            return None
        services.add(service)
    return frozenset(services)


def _compile_statement(policy: CompiledPolicy, statement: Statement) -> CompiledStatement:
    variables = policy.policy.supports_variables
    patterns = statement.actions if statement.actions is not None else statement.not_actions
    matchers = [compile_action_pattern(p) for p in patterns or ()]
    negate_action = statement.actions is None

    def action_match(action: str) -> bool:
        hit = any(m(action) for m in matchers)
        return not hit if negate_action else hit

    resource_match: StringMatcher | None = None
    resources = statement.resources if statement.resources is not None else statement.not_resources
    if resources is not None:
        resource_matchers = [compile_arn_pattern(r, variables, resource_element=True) for r in resources]
        if len(resource_matchers) == 1:
            resource_match = resource_matchers[0]
        else:

            def resource_match(value: str, context: Mapping[str, ContextValue]) -> bool:
                return any(m(value, context) for m in resource_matchers)

    conditions: list[CompiledCondition] = []
    for clause in statement.conditions:
        operator = parse_operator(clause.operator)
        where = f"{statement.path or f'Statement[{statement.index}]'}.Condition.{clause.operator}"
        if operator is None:  # parse_policy already rejects these
            raise PolicyError(where, f"unknown condition operator {clause.operator!r}")
        try:
            conditions.append(compile_condition(operator, clause.key, clause.values, variables))
        except ConditionValueError as error:
            raise PolicyError(f"{where}.{clause.key}", str(error)) from None
    resource_negated = statement.resources is None and statement.not_resources is not None
    return CompiledStatement(
        policy=policy,
        statement=statement,
        deny=statement.effect == Effect.DENY,
        action_match=action_match,
        resource_match=resource_match,
        resource_negated=resource_negated,
        principal=CompiledPrincipal.build(statement.principal) if statement.principal else None,
        not_principal=(CompiledPrincipal.build(statement.not_principal) if statement.not_principal else None),
        conditions=tuple(conditions),
        check=_check(resource_match, resource_negated, tuple(c.evaluate for c in conditions)),
    )


def _check(
    resource: StringMatcher | None,
    negated: bool,
    conditions: tuple[Callable[[Mapping[str, ContextValue]], bool], ...],
) -> Callable[[str, Mapping[str, ContextValue]], bool]:
    """One closure for the hot path: resource first (cheap), then every condition (AND)."""
    if resource is None and not conditions:
        return lambda _resource, _context: True
    if resource is None:

        def conditions_only(_resource: str, context: Mapping[str, ContextValue]) -> bool:
            for condition in conditions:  # noqa: SIM110  # a loop is faster than all() on this hot path
                if not condition(context):
                    return False
            return True

        return conditions_only
    if not conditions:
        if negated:
            return lambda value, context: not resource(value, context)
        return resource

    def both(value: str, context: Mapping[str, ContextValue]) -> bool:
        if resource(value, context) == negated:
            return False
        for condition in conditions:  # noqa: SIM110  # a loop is faster than all() on this hot path
            if not condition(context):
                return False
        return True

    return both


def compile_policy(
    document: JsonValue | Policy, name: str = "", kind: PolicyKind = "any", *, lenient: bool = False
) -> CompiledPolicy:
    """Parse (when given JSON) and compile a policy; raises :class:`PolicyError` with a JSON path.

    ``kind`` (identity, boundary, session, scp, resource, trust, rcp, vpc-endpoint) adds the
    element rules of that policy type. ``lenient`` is for documents AWS already stores: an odd
    element matches nothing and is listed in :attr:`CompiledPolicy.problems`, the rest counts.
    """
    if isinstance(document, Policy):
        return CompiledPolicy(document, name)
    policy, problems = read_policy(document, kind, lenient=lenient)
    return CompiledPolicy(policy, name, problems, lenient=lenient)
