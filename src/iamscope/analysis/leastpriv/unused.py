"""``unused``: granted versus used per action (CloudTracker-style), and idle principals and keys.

Each action is ``used``; ``unused``; ``not-visible`` (granted and unused, but CloudTrail could not
have shown it: a data-event action whose source is absent from the logs); or ``no-longer-granted``
(used in the period but not granted now).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from iamscope.engine.catalog import Catalog
from iamscope.model.activity import DataEventSource
from iamscope.model.snapshot import Snapshot

__all__ = [
    "ActionStatus",
    "IdleEntity",
    "PrincipalUsage",
    "compare_actions",
    "data_event_actions",
    "idle_entities",
    "invisible_actions",
]

ActionStatus = Literal["used", "unused", "not-visible", "no-longer-granted"]

_DYNAMODB_ITEM = frozenset(
    {
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:Query",
        "dynamodb:Scan",
        "dynamodb:BatchGetItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:PartiQLSelect",
        "dynamodb:PartiQLInsert",
        "dynamodb:PartiQLUpdate",
        "dynamodb:PartiQLDelete",
    }
)
_LAMBDA_INVOKE = frozenset({"lambda:InvokeFunction", "lambda:InvokeAsync"})
_S3_BUCKET_DATA = frozenset({"s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"})


@dataclass(frozen=True, slots=True)
class PrincipalUsage:
    """One principal's actions by status."""

    principal: str
    statuses: Mapping[str, ActionStatus]

    def of(self, status: ActionStatus) -> tuple[str, ...]:
        """Actions with ``status``, sorted."""
        return tuple(sorted(a for a, s in self.statuses.items() if s == status))


@dataclass(frozen=True, slots=True)
class IdleEntity:
    """A role, user or access key with no recorded activity in the period."""

    kind: Literal["role", "user", "access-key"]
    arn: str
    account: str
    detail: str = ""


def data_event_actions(catalog: Catalog, source: str) -> frozenset[str]:
    """Actions only data events show, for one data-event source name."""
    if source == "S3 object":
        object_level = {
            a.full_name
            for a in catalog.actions("s3")
            if any(r.name.lower() == "object" for r in a.resource_types)
        }
        return frozenset(object_level | _S3_BUCKET_DATA)
    if source == "Lambda invoke":
        return _LAMBDA_INVOKE
    if source == "DynamoDB item":
        return _DYNAMODB_ITEM
    return frozenset()


def compare_actions(
    principal: str,
    granted: Iterable[str],
    used: Iterable[str],
    invisible: Iterable[str] = (),
) -> PrincipalUsage:
    """Classify every granted or used action."""
    granted_set = set(granted)
    used_set = set(used)
    invisible_set = set(invisible)
    statuses: dict[str, ActionStatus] = {}
    for action in granted_set | used_set:
        if action in used_set:
            statuses[action] = "used" if action in granted_set else "no-longer-granted"
        elif action in invisible_set:
            statuses[action] = "not-visible"
        else:
            statuses[action] = "unused"
    return PrincipalUsage(principal, statuses)


def invisible_actions(catalog: Catalog, sources: Sequence[DataEventSource], account: str) -> frozenset[str]:
    """Actions CloudTrail could not show for ``account``: data events absent there."""
    out: set[str] = set()
    for source in sources:
        if not source.present or account in source.missing_accounts:
            out |= data_event_actions(catalog, source.name)
    return frozenset(out)


def idle_entities(
    snapshot: Snapshot,
    active: Mapping[str, int],
    keys_used: Mapping[str, int],
    logged_accounts: Collection[str] | None = None,
) -> tuple[IdleEntity, ...]:
    """Roles and users with no recorded event, and active access keys never seen in CloudTrail.

    Only accounts in ``logged_accounts`` (when given) are judged: no logs is not no use.
    """
    out: list[IdleEntity] = []
    for account_id, account in snapshot.accounts.items():
        if logged_accounts is not None and account_id not in logged_accounts:
            continue
        for role in account.roles or ():
            if role.is_service_linked:
                continue
            if role.arn not in active:
                last = f"; IAM says last used {role.last_used:%Y-%m-%d}" if role.last_used else ""
                out.append(IdleEntity("role", role.arn, account_id, f"no recorded calls{last}"))
        for user in account.users or ():
            if user.arn not in active:
                out.append(IdleEntity("user", user.arn, account_id, "no recorded calls"))
        for key in account.access_keys or ():
            if key.status == "Active" and key.access_key_id not in keys_used:
                user_arn = f"arn:aws:iam::{account_id}:user/{key.user_name}"
                out.append(
                    IdleEntity(
                        "access-key", user_arn, account_id, f"{key.access_key_id} never used in the logs"
                    )
                )
    return tuple(out)
