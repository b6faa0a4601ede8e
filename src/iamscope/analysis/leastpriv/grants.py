"""What a principal's identity policies grant, action by action (expanded over the catalogue).

Coarse on purpose: an action counts as granted when an Allow statement names it (or a wildcard,
or a NotAction that leaves it out) on any resource; a Deny on every resource without conditions
takes it away. A permissions boundary and each level of SCPs above the account cap the identity
grants the same way (an action must be allowed by each; the management account and
service-linked roles are not subject to SCPs). The engine gives exact per-request answers; this
is the action-level inventory ``unused`` and ``rightsize`` compare against activity.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from iamscope.engine.catalog import Catalog
from iamscope.model.document import JsonValue
from iamscope.model.snapshot import AccountSnapshot, Role, Snapshot, User

__all__ = [
    "Guardrails",
    "LayerCache",
    "NamedDocument",
    "effective_actions",
    "entity_of",
    "granted_actions",
    "guardrails",
    "identity_documents",
    "is_wildcard_grant",
]


@dataclass(frozen=True, slots=True)
class NamedDocument:
    """A policy document with the name a report shows for it."""

    name: str
    document: JsonValue


def _as_list(value: JsonValue) -> list[JsonValue]:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def _statements(document: JsonValue) -> list[dict[str, JsonValue]]:
    if not isinstance(document, dict):
        return []
    return [s for s in _as_list(document.get("Statement")) if isinstance(s, dict)]


def _expand(patterns: Iterable[JsonValue], catalog: Catalog) -> set[str]:
    out: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, str):
            out.update(info.full_name for info in catalog.expand(pattern))
    return out


def granted_actions(documents: Sequence[NamedDocument], catalog: Catalog) -> frozenset[str]:
    """Every catalogue action some Allow grants and no unconditional Deny on ``*`` removes."""
    allowed: set[str] = set()
    denied: set[str] = set()
    everything: set[str] | None = None
    for named in documents:
        for statement in _statements(named.document):
            effect = statement.get("Effect")
            if "NotAction" in statement:
                if everything is None:
                    everything = {info.full_name for info in catalog.expand("*")}
                actions = everything - _expand(_as_list(statement["NotAction"]), catalog)
            else:
                actions = _expand(_as_list(statement.get("Action")), catalog)
            if effect == "Allow":
                allowed |= actions
            elif (
                effect == "Deny"
                and "Condition" not in statement
                and "*" in _as_list(statement.get("Resource"))
            ):
                denied |= actions
    return frozenset(allowed - denied)


def is_wildcard_grant(documents: Sequence[NamedDocument]) -> bool:
    """True when an Allow names ``*`` or ``service:*`` as an action (admin-like grants)."""
    for named in documents:
        for statement in _statements(named.document):
            if statement.get("Effect") != "Allow":
                continue
            if "NotAction" in statement:
                return True
            for action in _as_list(statement.get("Action")):
                if isinstance(action, str) and (action == "*" or action.endswith(":*")):
                    return True
    return False


def _account_of(snapshot: Snapshot, principal: str) -> AccountSnapshot | None:
    parts = principal.split(":")
    return snapshot.accounts.get(parts[4]) if len(parts) > 4 else None


def _same_without_path(stored: str, given: str) -> bool:
    """``role/name`` given without the path still names ``role/path/name``."""
    stored_head, _, stored_tail = (
        stored.partition(":role/") if ":role/" in stored else stored.partition(":user/")
    )
    given_head, _, given_tail = given.partition(":role/") if ":role/" in given else given.partition(":user/")
    return (
        stored_head == given_head
        and "/" not in given_tail
        and stored_tail.rsplit("/", 1)[-1] == given_tail
        and (":role/" in stored) == (":role/" in given)
    )


def identity_documents(snapshot: Snapshot, principal: str) -> tuple[NamedDocument, ...]:
    """The identity policies of a user (with its groups) or role in the snapshot."""
    account = _account_of(snapshot, principal)
    entity = entity_of(snapshot, principal)
    if account is None or entity is None:
        return ()
    managed = account.policies or {}
    out = [NamedDocument(f"inline:{p.name}", p.document) for p in entity.inline_policies]
    for attached in entity.attached_policies:
        policy = managed.get(attached.arn)
        if policy is not None:
            out.append(NamedDocument(attached.arn, policy.document))
    groups = {g.name: g for g in account.groups or ()}
    for group_name in entity.groups if isinstance(entity, User) else ():
        group = groups.get(group_name)
        if group is None:
            continue
        out += [NamedDocument(f"group/{group.name}:{p.name}", p.document) for p in group.inline_policies]
        for attached in group.attached_policies:
            policy = managed.get(attached.arn)
            if policy is not None:
                out.append(NamedDocument(attached.arn, policy.document))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Guardrails:
    """What caps a principal's identity grants: its boundary and the SCP levels above its account."""

    boundary: NamedDocument | None = None
    scp_levels: tuple[tuple[NamedDocument, ...], ...] = ()

    @property
    def layers(self) -> tuple[tuple[NamedDocument, ...], ...]:
        """Each layer that must also allow an action (boundary first, then SCPs root first)."""
        head: tuple[tuple[NamedDocument, ...], ...] = ((self.boundary,),) if self.boundary is not None else ()
        return head + self.scp_levels


def entity_of(snapshot: Snapshot, principal: str) -> User | Role | None:
    """The user or role a principal ARN names in the snapshot (a role ARN may omit the path)."""
    account = _account_of(snapshot, principal)
    if account is None:
        return None
    candidates: list[User | Role] = [*(account.roles or ()), *(account.users or ())]
    for candidate in candidates:
        if candidate.arn == principal or _same_without_path(candidate.arn, principal):
            return candidate
    return None


def guardrails(snapshot: Snapshot, principal: str) -> Guardrails:
    """The boundary and SCP levels that apply to ``principal`` in the snapshot."""
    entity = entity_of(snapshot, principal)
    account = _account_of(snapshot, principal)
    if entity is None or account is None:
        return Guardrails()
    boundary = None
    if entity.permissions_boundary:
        policy = (account.policies or {}).get(entity.permissions_boundary)
        if policy is not None:
            boundary = NamedDocument(f"boundary {policy.arn}", policy.document)
    levels: tuple[tuple[NamedDocument, ...], ...] = ()
    organization = snapshot.organization
    exempt = isinstance(entity, Role) and entity.is_service_linked
    if organization is not None and organization.management_account_id != account.account_id and not exempt:
        levels = tuple(
            tuple(NamedDocument(f"SCP {p.id} {p.name}", p.document) for p in level)
            for level in organization.levels(account.account_id, "SERVICE_CONTROL_POLICY")
        )
    return Guardrails(boundary, levels)


# What each guardrail layer allows, by the names of its documents (SCPs repeat across principals).
LayerCache = dict[tuple[str, ...], frozenset[str]]


def effective_actions(
    granted: frozenset[str], rails: Guardrails, catalog: Catalog, cache: LayerCache | None = None
) -> frozenset[str]:
    """The identity grants that every guardrail layer also allows."""
    out = granted
    for layer in rails.layers:
        key = tuple(d.name for d in layer)
        allowed = cache.get(key) if cache is not None else None
        if allowed is None:
            allowed = granted_actions(layer, catalog)
            if cache is not None:
                cache[key] = allowed
        out &= allowed
    return out
