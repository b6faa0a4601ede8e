"""Resource patterns a generated policy needs: per-call ids made stable, and whole-type wildcards found.

Some resources exist for one call only: a Session Manager session (``session/alice-0a1b2c...``),
a request, a token, an execution. Pinning a policy to the ids seen grants nothing the next call
will need, so such an id becomes the narrowest pattern every id seen shares and the next one
will too: the leading parts they have in common that do not look random (``alice-*``), else
``*``. Which ids are per-call comes from the catalogue: the placeholder of the resource type's
ARN format (``${SessionId}``, ``${RequestId}``...).

A resource is a whole-type wildcard when it is ``*`` or names every resource of its type in the
account (``role/*``): what a privilege-escalation action must not get by default.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from iamscope.activity.request_resources import STANDARD_PLACEHOLDERS, fill_format, placeholders_of
from iamscope.engine.catalog import ActionInfo, Catalog, ResourceTypeInfo

__all__ = ["StableResources", "is_whole_type_wildcard", "stable_resources"]

_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")
# Placeholder names of per-call resources end with one of these kinds and "Id".
_PER_CALL = re.compile(r"(?:Session|Request|Token|Execution|Invocation|Command|Run)(?:Id|ID|Identifier)$")
_PART = re.compile(r"([-_.:/])")


@lru_cache(maxsize=4096)
def _parser(arn_format: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """A regex with one group per placeholder of ``arn_format`` (the last may hold ``/`` and ``:``)."""
    names = placeholders_of(arn_format)
    pieces = _PLACEHOLDER.split(arn_format)
    out: list[str] = []
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            out.append(re.escape(piece))
        else:
            out.append("(.*)" if index == len(pieces) - 2 else "([^:]*)")
    return re.compile("".join(out)), names


def _values(resource_type: ResourceTypeInfo, arn: str) -> Mapping[str, str] | None:
    """Placeholder -> value for an ARN of this type, else None."""
    regex, names = _parser(resource_type.arn_format)
    match = regex.fullmatch(arn)
    if match is None:
        return None
    return dict(zip(names, match.groups(), strict=True))


def is_whole_type_wildcard(resource: str, info: ActionInfo, catalog: Catalog) -> bool:
    """``*``, or an ARN of one of the action's types with ``*`` for every resource-specific part."""
    if resource == "*":
        return True
    for resource_type in catalog.resource_types_of(info):
        values = _values(resource_type, resource)
        if values is None:
            continue
        specific = [v for n, v in values.items() if n not in STANDARD_PLACEHOLDERS]
        if specific and all(v == "*" for v in specific):
            return True
    return False


def _random(part: str) -> bool:
    """A part of an id that differs per call: it carries digits (``0a1b``, ``1722455550``)."""
    return any(c.isdigit() for c in part)


def _stable_prefix(values: Iterable[str]) -> str:
    """The leading words (with their separators) every value shares, up to a random-looking one.

    The last word is never kept: it is what differs per call.
    """
    split = [_PART.split(v) for v in values]  # "alice-0a1b" -> ["alice", "-", "0a1b"]
    first = split[0]
    end = 0
    for index in range(0, len(first) - 1, 2):
        word, separator = first[index], first[index + 1]
        shared = all(len(s) > index + 1 and s[index] == word and s[index + 1] == separator for s in split)
        if not shared or _random(word):
            break
        end = index + 2
    return "".join(first[:end])


@dataclass(frozen=True, slots=True)
class StableResources:
    """Resources for one action with per-call ids replaced, and what was replaced."""

    resources: frozenset[str]
    replaced: Mapping[str, tuple[str, ...]]  # pattern -> the per-call ARNs it stands for


def stable_resources(info: ActionInfo, resources: Iterable[str], catalog: Catalog) -> StableResources:
    """Per-call ids of ``resources`` replaced by their stable pattern (other resources unchanged)."""
    keep: set[str] = set()
    groups: dict[tuple[str, str, tuple[tuple[str, str], ...]], list[tuple[str, str]]] = {}
    types = catalog.resource_types_of(info)
    for arn in resources:
        placed = False
        for resource_type in types:
            values = _values(resource_type, arn)
            if values is None:
                continue
            per_call = [
                n
                for n in values
                if n not in STANDARD_PLACEHOLDERS and _PER_CALL.search(n) and values[n] != "*"
            ]
            if not per_call:
                break
            name = per_call[-1]
            others = tuple(sorted((n, v) for n, v in values.items() if n != name))
            groups.setdefault((resource_type.arn_format, name, others), []).append((arn, values[name]))
            placed = True
            break
        if not placed:
            keep.add(arn)
    replaced: dict[str, tuple[str, ...]] = {}
    for (arn_format, name, others), seen in groups.items():
        pattern_values = dict(others)
        pattern_values[name] = _stable_prefix(v for _, v in seen) + "*"
        pattern = fill_format(arn_format, pattern_values)
        keep.add(pattern)
        replaced[pattern] = tuple(sorted(arn for arn, _ in seen))
    return StableResources(frozenset(keep), replaced)
