"""A policy document as a typed tree (Policy > Statement > elements), produced by the engine's parser."""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["ConditionClause", "Effect", "Policy", "PrincipalSpec", "Statement"]


class Effect(enum.Enum):
    """The Effect element."""

    ALLOW = "Allow"
    DENY = "Deny"


@dataclass(frozen=True, slots=True)
class PrincipalSpec:
    """A Principal or NotPrincipal element: ``"*"`` or the values listed per principal type."""

    wildcard: bool = False
    aws: tuple[str, ...] = ()
    service: tuple[str, ...] = ()
    federated: tuple[str, ...] = ()
    canonical_user: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ConditionClause:
    """One operator/key pair of a Condition block with its values (as strings, JSON order)."""

    operator: str
    key: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement; exactly one of each Action/NotAction pair is set, Resource may be absent."""

    index: int
    effect: Effect
    sid: str | None = None
    actions: tuple[str, ...] | None = None
    not_actions: tuple[str, ...] | None = None
    resources: tuple[str, ...] | None = None
    not_resources: tuple[str, ...] | None = None
    principal: PrincipalSpec | None = None
    not_principal: PrincipalSpec | None = None
    conditions: tuple[ConditionClause, ...] = ()
    path: str = ""  # JSON path of the statement in its document

    @property
    def label(self) -> str:
        """The Sid when there is one, else ``Statement[i]``."""
        return self.sid if self.sid else f"Statement[{self.index}]"


@dataclass(frozen=True, slots=True)
class Policy:
    """A whole policy document."""

    statements: tuple[Statement, ...]
    version: str | None = None
    id: str | None = None

    @property
    def supports_variables(self) -> bool:
        """Policy variables exist only in language version 2012-10-17; before, ``${...}`` is literal."""
        return self.version == "2012-10-17"
