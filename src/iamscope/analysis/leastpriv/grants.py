"""What a principal's identity policies grant, action by action (expanded over the catalogue).

Coarse on purpose: an action counts as granted when an Allow statement names it (or a wildcard,
or a NotAction that leaves it out) on any resource; a Deny on every resource without conditions
takes it away. The engine gives exact per-request answers; this is the action-level inventory
``unused`` and ``rightsize`` compare against activity.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from iamscope.engine.catalog import Catalog
from iamscope.model.document import JsonValue
from iamscope.model.snapshot import AccountSnapshot, Role, Snapshot, User

__all__ = ["NamedDocument", "granted_actions", "identity_documents", "is_wildcard_grant"]


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
    if account is None:
        return ()
    managed = account.policies or {}
    entity: User | Role | None = None
    candidates: list[User | Role] = [*(account.roles or ()), *(account.users or ())]
    for candidate in candidates:
        if candidate.arn == principal or _same_without_path(candidate.arn, principal):
            entity = candidate
            break
    if entity is None:
        return ()
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
