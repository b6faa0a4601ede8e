"""The actions that act on one resource, each with the ARN a request names, from the IAM catalogue.

A bucket policy governs the bucket and its objects, so S3 actions are asked about the bucket ARN or
a made-up object in it; other resources (keys, queues, topics, functions, secrets, repositories)
are asked about their own ARN. An action belongs to the resource when one of its resource types'
ARN formats matches the ARN; actions that take no resource, or other resource types, are left out.
"""

from __future__ import annotations

import functools

from iamscope.analysis.checks.probes import PROBE_NAME
from iamscope.engine.catalog import ResourceTypeInfo, load_catalog
from iamscope.model.arn import parse_arn

__all__ = ["resource_actions"]


@functools.cache
def _service_types(service: str) -> tuple[ResourceTypeInfo, ...]:
    """Every resource type some action of the service takes."""
    catalog = load_catalog()
    found: dict[str, ResourceTypeInfo] = {}
    for action in catalog.actions(service):
        for info in catalog.resource_types_of(action):
            found.setdefault(info.name, info)
    return tuple(found.values())


@functools.cache
def _actions_for(service: str, matched: tuple[frozenset[str], ...]) -> tuple[tuple[str, int], ...]:
    """(action, target index) for every action taking a type that one of the targets matches
    (``matched[i]``: the type names target ``i`` matches); the first matching target wins."""
    catalog = load_catalog()
    found: list[tuple[str, int]] = []
    for action in catalog.actions(service):
        names = {t.name for t in catalog.resource_types_of(action)}
        for index, types in enumerate(matched):
            if names & types:
                found.append((action.full_name, index))
                break
    return tuple(found)


def resource_actions(resource_arn: str) -> tuple[tuple[str, str], ...]:
    """(action, request resource ARN) pairs for every catalogued action on ``resource_arn``."""
    arn = parse_arn(resource_arn)
    if arn is None:
        return ()
    targets = [resource_arn]
    if arn.service == "s3" and "/" not in arn.resource:
        targets.append(f"{resource_arn}/{PROBE_NAME}")
    types = _service_types(arn.service)
    matched = tuple(frozenset(t.name for t in types if t.arn_regex.fullmatch(target)) for target in targets)
    return tuple((action, targets[index]) for action, index in _actions_for(arn.service, matched))
