"""Why a decision came out as it did, in words and JSON: the statements that matched and, for an
implicit deny, the statements of the deciding layer that name the action but did not apply.

Built only when a caller asks for the explanation, never on the evaluation hot path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from iamscope.engine.compiled import CompiledStatement
from iamscope.engine.matching import ContextValue
from iamscope.engine.principal import Grant, Principal

__all__ = [
    "Explanation",
    "FailedCondition",
    "Layer",
    "MatchedStatement",
    "NearMiss",
    "near_misses",
    "reason_and_remedy",
]

Layer = Literal[
    "identity",
    "permissions-boundary",
    "session-policy",
    "resource-policy",
    "scp",
    "rcp",
    "vpc-endpoint",
    "root",
    "aws-protection",
    "no-permission-needed",
]

_TEXT_LIMIT = 10  # near misses listed in text; JSON lists them all


@dataclass(frozen=True, slots=True)
class MatchedStatement:
    """A statement that took part in the decision."""

    layer: Layer
    policy: str
    statement: str
    effect: Literal["Allow", "Deny"]
    level: int | None = None

    def __str__(self) -> str:
        level = f" level {self.level}" if self.level is not None else ""
        name = f"{self.policy}:" if self.policy else ""
        return f"{self.effect} by {self.layer}{level} {name}{self.statement}"


@dataclass(frozen=True, slots=True)
class FailedCondition:
    """One condition a statement needs and the request does not meet."""

    operator: str
    key: str  # as the policy spells it
    values: tuple[str, ...]  # the policy's values
    request: str | tuple[str, ...] | None  # the request's value; None when the key is absent

    def __str__(self) -> str:
        wanted = self.values[0] if len(self.values) == 1 else list(self.values)
        if self.request is None:
            has = "absent from the request"
        elif isinstance(self.request, str):
            has = f"the request has {self.request!r}"
        else:
            has = f"the request has {list(self.request)!r}"
        return f"{self.operator} {self.key} {wanted!r} ({has})"

    def to_json(self) -> dict[str, object]:
        """The condition as the explanation JSON lists it."""
        request: object = list(self.request) if isinstance(self.request, tuple) else self.request
        return {"operator": self.operator, "key": self.key, "values": list(self.values), "request": request}


@dataclass(frozen=True, slots=True)
class NearMiss:
    """A statement of the deciding layer that names the action but did not apply, and why."""

    layer: Layer
    policy: str
    statement: str
    why: Literal["condition", "resource", "principal"]
    conditions: tuple[FailedCondition, ...] = ()
    resources: tuple[str, ...] = ()  # the Resource (or NotResource) values, when ``why`` is resource
    not_resource: bool = False
    level: int | None = None

    @property
    def name(self) -> str:
        """``policy:statement`` as explanations name statements."""
        return f"{self.policy}:{self.statement}" if self.policy else self.statement

    def detail(self) -> str:
        """What stopped the statement."""
        if self.why == "condition":
            return "its condition is not met: " + "; ".join(str(c) for c in self.conditions)
        if self.why == "resource":
            element = "NotResource" if self.not_resource else "Resource"
            return f"its {element} {list(self.resources)!r} does not cover this resource"
        return "its Principal element does not name this principal"

    def __str__(self) -> str:
        level = f" level {self.level}" if self.level is not None else ""
        return f"Allow in {self.layer}{level} {self.name} names the action, but {self.detail()}"

    def to_json(self) -> dict[str, object]:
        """The near miss as the explanation JSON lists it."""
        out: dict[str, object] = {
            "layer": self.layer,
            "policy": self.policy,
            "statement": self.statement,
            "why": self.why,
        }
        if self.level is not None:
            out["level"] = self.level
        if self.why == "condition":
            out["conditions"] = [c.to_json() for c in self.conditions]
        elif self.why == "resource":
            out["NotResource" if self.not_resource else "Resource"] = list(self.resources)
        return out


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why: the deciding layer, the statements that matched, what nearly matched, what would change."""

    layer: Layer | None
    reason: str
    matched: tuple[MatchedStatement, ...]
    remedy: str | None = None
    near_misses: tuple[NearMiss, ...] = ()

    def text(self) -> str:
        """A few lines for people."""
        lines = [self.reason]
        lines += [f"  - {m}" for m in self.matched]
        lines += [f"  - not applied: {n}" for n in self.near_misses[:_TEXT_LIMIT]]
        if len(self.near_misses) > _TEXT_LIMIT:
            lines.append(
                f"  - ... and {len(self.near_misses) - _TEXT_LIMIT} more statements that did not apply"
            )
        if self.remedy:
            lines.append(f"  to change: {self.remedy}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, object]:
        """The explanation object of the decision-cases output."""
        return {
            "layer": self.layer,
            "reason": self.reason,
            "matched": [
                {
                    "layer": m.layer,
                    "policy": m.policy,
                    "statement": m.statement,
                    "effect": m.effect,
                    **({"level": m.level} if m.level is not None else {}),
                }
                for m in self.matched
            ],
            **({"near_misses": [n.to_json() for n in self.near_misses]} if self.near_misses else {}),
            **({"remedy": self.remedy} if self.remedy else {}),
        }


def near_misses(
    layer: Layer,
    level: int | None,
    statements: Sequence[CompiledStatement],
    resource: str,
    context: Mapping[str, ContextValue],
    principal: Principal | None,
    has_boundary: bool,
) -> tuple[NearMiss, ...]:
    """The Allow statements of one layer (already those naming the action) that did not apply.

    ``principal`` is given for layers whose statements carry a Principal element (resource-based
    and VPC endpoint policies); a statement that names the principal and covers the resource but
    still did not apply failed a condition.
    """
    found: list[NearMiss] = []
    for statement in statements:
        if statement.deny:
            continue
        name, label = statement.policy.name, statement.statement.label
        if principal is not None and statement.grant(principal, has_boundary) == Grant.NONE:
            found.append(NearMiss(layer, name, label, "principal", level=level))
            continue
        matcher = statement.resource_match
        if matcher is not None and matcher(resource, context) == statement.resource_negated:
            written = statement.statement
            values = written.resources if written.resources is not None else written.not_resources
            found.append(
                NearMiss(
                    layer,
                    name,
                    label,
                    "resource",
                    resources=values or (),
                    not_resource=written.resources is None,
                    level=level,
                )
            )
            continue
        failed = tuple(
            FailedCondition(compiled.operator.canonical, clause.key, clause.values, context.get(compiled.key))
            for compiled, clause in zip(statement.conditions, statement.statement.conditions, strict=True)
            if not compiled.evaluate(context)
        )
        if failed:
            found.append(NearMiss(layer, name, label, "condition", conditions=failed, level=level))
    # Conditions first: they are the closest to applying and the likeliest thing to fix.
    order = {"condition": 0, "resource": 1, "principal": 2}
    return tuple(sorted(found, key=lambda n: order[n.why]))


def reason_and_remedy(
    reason: str, remedy: str | None, misses: tuple[NearMiss, ...]
) -> tuple[str, str | None]:
    """The decision's reason and remedy, naming the closest statement when one nearly applied."""
    if not misses:
        return reason, remedy
    closest = misses[0]
    if closest.why == "condition":
        conditions = "; ".join(str(c) for c in closest.conditions)
        keys = ", ".join(dict.fromkeys(c.key for c in closest.conditions))
        return (
            f"{reason}: {closest.name} names the action and resource, "
            f"but its condition is not met: {conditions}",
            f"send the request with {keys} as the condition of {closest.name} requires, "
            "or change that condition",
        )
    if closest.why == "resource":
        element = "NotResource" if closest.not_resource else "Resource"
        return (
            f"{reason}: {closest.name} names the action, but its {element} {list(closest.resources)!r} "
            "does not cover this resource",
            f"widen the {element} of {closest.name} to this resource, or request a resource it covers",
        )
    return (
        f"{reason}: {closest.name} names the action, but not this principal",
        f"name this principal in the Principal element of {closest.name}",
    )
