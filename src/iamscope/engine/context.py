"""The request context: condition keys (case-insensitive) plus the keys AWS derives from the principal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from iamscope.engine.matching import ContextValue
from iamscope.engine.principal import Principal

__all__ = ["build_context", "normalise_context"]


def normalise_context(context: Mapping[str, str | Sequence[str]]) -> dict[str, ContextValue]:
    """Lower-case the key names (AWS matches them case-insensitively); lists become tuples."""
    return {key.lower(): value if isinstance(value, str) else tuple(value) for key, value in context.items()}


def build_context(
    context: Mapping[str, str | Sequence[str]], principal: Principal
) -> dict[str, ContextValue]:
    """The request's keys plus those AWS always derives from the principal, unless the request
    gives them itself (see :attr:`Principal.condition_keys`)."""
    values: dict[str, ContextValue] = dict(principal.condition_keys)
    values.update(normalise_context(context))
    return values
