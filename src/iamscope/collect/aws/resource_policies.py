"""Resource-based policies (KMS, SQS, SNS, Lambda, Secrets Manager, ECR), one read per resource.

AWS has no bulk read of resource policies, so these calls grow with resources (each listing is
paginated); a resource without a policy writes no file. S3 bucket policies are read with the
bucket's other settings (see :mod:`.buckets`) in the same file shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from iamscope.collect.aws.calls import AccountCalls
from iamscope.collect.aws.session import AccountSession
from iamscope.collect.bundle import resource_policy_file
from iamscope.collect.resource_kinds import REGIONAL_KINDS, ResourceKind
from iamscope.collect.shape import policy_document

__all__ = ["collect_regional_policies", "policy_file"]


def policy_file(arn: str, name: str, key: str, response: Mapping[str, Any]) -> Mapping[str, object] | None:
    """The bundle file of one resource: its ARN and its policy (``key`` may be ``Attributes.X``)."""
    value: Any = response
    for part in key.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    if not isinstance(value, str) or not value.strip():
        return None
    if not arn and isinstance(response.get("Attributes"), Mapping):
        arn = str(response["Attributes"].get("QueueArn", ""))
    return {"Arn": arn, "Name": name, "Policy": policy_document(value)}


def collect_regional_policies(calls: AccountCalls, session: AccountSession, region: str) -> None:
    """KMS, SQS, SNS, Lambda, Secrets Manager and ECR resource policies in ``region``."""
    for kind in REGIONAL_KINDS:
        _collect_kind(calls, session, region, kind)


def _collect_kind(calls: AccountCalls, session: AccountSession, region: str, kind: ResourceKind) -> None:
    client = session.client(kind.service, region)
    listing = calls.call(
        kind.listing,
        region,
        lambda: client.get_paginator(kind.paginator).paginate().build_full_result(),
    )
    read = getattr(client, kind.method)
    for item in listing.get(kind.items, []) if listing else []:
        if isinstance(item, str):  # SQS lists queue URLs
            name, arn, identifier = item.rstrip("/").rsplit("/", 1)[-1], "", item
            parameters: dict[str, object] = {"AttributeNames": ["Policy", "QueueArn"]}
        else:
            arn = str(item.get(kind.arn_field, ""))
            name = str(item.get(kind.name_field, "")) if kind.name_field else arn.rsplit(":", 1)[-1]
            identifier = str(item.get(kind.id_field, ""))
            parameters = {}
        parameters.update(dict(kind.extra))
        parameters[kind.id_parameter] = identifier
        calls.call(
            kind.read,
            region,
            partial(read, **parameters),
            file=resource_policy_file(calls.account, kind.service, region, name),
            document=partial(policy_file, arn, name, kind.policy_key),
        )
