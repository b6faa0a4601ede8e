"""AWS policy size limits: split statements across several policies, and long resource lists too."""

from __future__ import annotations

import json
from collections.abc import Sequence

from iamscope.model.document import JsonObject, JsonValue

__all__ = ["MANAGED_POLICY_LIMIT", "MAX_MANAGED_POLICIES_PER_ROLE", "policy_size", "split_policies"]

# IAM quotas: a customer managed policy holds at most 6,144 characters, whitespace not counted;
# a role or user has at most 10 managed policies attached by default (quota increase up to 20).
MANAGED_POLICY_LIMIT = 6144
MAX_MANAGED_POLICIES_PER_ROLE = 10


def policy_size(document: JsonValue) -> int:
    """Characters AWS counts: the document without whitespace between tokens."""
    return len(json.dumps(document, separators=(",", ":"), ensure_ascii=False))


def _document(statements: Sequence[JsonObject]) -> JsonObject:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _split_resources(statement: JsonObject, budget: int) -> list[JsonObject]:
    """Cut one statement's Resource list into statements that each fit ``budget``."""
    resources = statement.get("Resource")
    if not isinstance(resources, list) or len(resources) < 2:
        return [statement]
    parts: list[JsonObject] = []
    current: list[JsonValue] = []
    for resource in resources:
        trial = {**statement, "Resource": [*current, resource]}
        if current and policy_size(trial) > budget:
            parts.append({**statement, "Resource": current})
            current = []
        current.append(resource)
    parts.append({**statement, "Resource": current})
    for index, part in enumerate(parts, start=1):
        sid = part.get("Sid")
        if isinstance(sid, str) and len(parts) > 1:
            part["Sid"] = f"{sid}Part{index}"
    return parts


def split_policies(
    statements: Sequence[JsonObject],
    always: Sequence[JsonObject] = (),
    limit: int = MANAGED_POLICY_LIMIT,
) -> list[JsonObject]:
    """Pack statements into as few documents as fit ``limit``; ``always`` goes into each one."""
    base = policy_size(_document(always))
    budget = limit - base - 1
    pieces: list[JsonObject] = []
    for statement in statements:
        if policy_size(statement) + 1 > budget:
            pieces.extend(_split_resources(statement, budget - 1))
        else:
            pieces.append(statement)
    documents: list[list[JsonObject]] = []
    current: list[JsonObject] = []
    for piece in pieces:
        if current and policy_size(_document([*always, *current, piece])) > limit:
            documents.append(current)
            current = []
        current.append(piece)
    if current or not documents:
        documents.append(current)
    return [_document([*always, *group]) for group in documents]
