"""The request context: condition keys (case-insensitive) plus the keys AWS derives from the principal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from iamscope.engine.matching import ContextValue
from iamscope.engine.principal import Principal, PrincipalKind

__all__ = ["build_context", "normalise_context"]


def normalise_context(context: Mapping[str, str | Sequence[str]]) -> dict[str, ContextValue]:
    """Lower-case the key names (AWS matches them case-insensitively); lists become tuples."""
    out: dict[str, ContextValue] = {}
    for key, value in context.items():
        out[key.lower()] = value if isinstance(value, str) else tuple(value)
    return out


def build_context(
    context: Mapping[str, str | Sequence[str]], principal: Principal
) -> dict[str, ContextValue]:
    """The request's keys plus ``aws:PrincipalArn``, ``aws:PrincipalAccount``, ``aws:username``,
    ``aws:PrincipalType``, ``aws:PrincipalIsAWSService`` and ``aws:PrincipalServiceName`` when the
    request does not give them (AWS always knows them for the principal)."""
    values = normalise_context(context)
    kind = principal.kind
    if kind == PrincipalKind.ANONYMOUS:
        values.setdefault("aws:principaltype", "Anonymous")
        return values
    if kind in (PrincipalKind.SERVICE, PrincipalKind.WEB_IDENTITY):
        if kind == PrincipalKind.SERVICE:
            values.setdefault("aws:principalisawsservice", "true")
            values.setdefault("aws:principalservicename", principal.name)
        return values
    values.setdefault("aws:principalarn", principal.principal_arn)
    if principal.account:
        values.setdefault("aws:principalaccount", principal.account)
    values.setdefault("aws:principalisawsservice", "false")
    principal_type = "AssumedRole" if kind == PrincipalKind.ROLE else kind.value
    values.setdefault("aws:principaltype", principal_type)
    if kind == PrincipalKind.USER:
        values.setdefault("aws:username", principal.name)
    if kind == PrincipalKind.ROOT and principal.account:
        values.setdefault("aws:userid", principal.account)
    if kind == PrincipalKind.FEDERATED_USER and principal.account:
        values.setdefault("aws:userid", f"{principal.account}:{principal.name}")
    return values
