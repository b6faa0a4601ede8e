"""``unused``: granted versus used per action (CloudTracker-style); idle entities are in ``idle``.

Each action is ``used``; ``unused``; ``not-visible`` (granted and unused, but CloudTrail could not
have shown it: the store has no logs for the principal's account, or it is a data-event action
whose source is absent from the logs); or ``no-longer-granted`` (used in the period but not
granted now). Granted means after the boundary and SCPs. Where Access Advisor was collected, a
service it saw used that the logs never show is reported as a disagreement.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from iamscope.analysis.leastpriv.grants import (
    LayerCache,
    effective_actions,
    granted_actions,
    guardrails,
    identity_documents,
)
from iamscope.analysis.leastpriv.idle import IdleReport
from iamscope.engine.catalog import Catalog
from iamscope.model.activity import AccountCoverage, DataEventSource
from iamscope.model.snapshot import Snapshot

__all__ = [
    "NO_LOGS",
    "ActionStatus",
    "PrincipalUsage",
    "compare_actions",
    "data_event_actions",
    "invisible_actions",
    "principal_usage",
    "with_idle_verdicts",
]

NO_LOGS = "no logs for this account"

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
    not_visible_reason: str = ""  # why no action can be judged (NO_LOGS), else ""
    identity_granted: int | None = None  # before the boundary and SCPs (None: not computed)
    disagreements: tuple[str, ...] = ()  # IAM's own data against the logs

    def of(self, status: ActionStatus) -> tuple[str, ...]:
        """Actions with ``status``, sorted."""
        return tuple(sorted(a for a, s in self.statuses.items() if s == status))

    @property
    def granted(self) -> int:
        """Actions granted now (after the boundary and SCPs)."""
        return sum(1 for s in self.statuses.values() if s != "no-longer-granted")


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
    *,
    not_visible_reason: str = "",
) -> PrincipalUsage:
    """Classify every granted or used action (all not visible when ``not_visible_reason`` is set)."""
    granted_set = set(granted)
    used_set = set(used)
    invisible_set = set(invisible)
    statuses: dict[str, ActionStatus] = {}
    for action in granted_set | used_set:
        if action in used_set:
            statuses[action] = "used" if action in granted_set else "no-longer-granted"
        elif not_visible_reason or action in invisible_set:
            statuses[action] = "not-visible"
        else:
            statuses[action] = "unused"
    return PrincipalUsage(principal, statuses, not_visible_reason)


def invisible_actions(catalog: Catalog, sources: Sequence[DataEventSource], account: str) -> frozenset[str]:
    """Actions CloudTrail could not show for ``account``: data events absent there."""
    out: set[str] = set()
    for source in sources:
        if not source.present or account in source.missing_accounts:
            out |= data_event_actions(catalog, source.name)
    return frozenset(out)


def _advisor_disagreements(
    snapshot: Snapshot, principal: str, used: Collection[str], coverage: AccountCoverage
) -> tuple[str, ...]:
    """Services Access Advisor saw used during or after the logged period that the logs never show."""
    account = snapshot.accounts.get(coverage.account)
    used_services = {a.split(":", 1)[0] for a in used}
    out = []
    for entry in (account.service_last_accessed if account is not None else None) or ():
        at = entry.last_authenticated
        if entry.principal_arn != principal or at is None or entry.service_namespace in used_services:
            continue
        if coverage.first_seen is not None and at < coverage.first_seen:
            continue
        out.append(
            f"{entry.service_namespace}: no call in the logs ({coverage.period}), but Access Advisor "
            f"says used {at:%Y-%m-%d}: logs may be incomplete"
        )
    return tuple(sorted(out))


def principal_usage(
    snapshot: Snapshot,
    principal: str,
    catalog: Catalog,
    used: Collection[str],
    sources: Sequence[DataEventSource],
    coverage: Mapping[str, AccountCoverage],
    cache: LayerCache | None = None,
) -> PrincipalUsage:
    """Granted (after boundary and SCPs) versus used for one principal of the snapshot."""
    identity = granted_actions(identity_documents(snapshot, principal), catalog)
    granted = effective_actions(identity, guardrails(snapshot, principal), catalog, cache)
    parts = principal.split(":")
    account = parts[4] if len(parts) > 4 else ""
    logged = coverage.get(account)
    usage = compare_actions(
        principal,
        granted,
        used,
        invisible_actions(catalog, sources, account),
        not_visible_reason="" if logged is not None else NO_LOGS,
    )
    disagreements = _advisor_disagreements(snapshot, principal, used, logged) if logged else ()
    return replace(usage, identity_granted=len(identity), disagreements=disagreements)


def with_idle_verdicts(usages: Sequence[PrincipalUsage], report: IdleReport) -> tuple[PrincipalUsage, ...]:
    """Usages of principals whose silence in the logs IAM disputes, carrying that dispute."""
    disputed = {e.arn: e for e in report.entities if e.kind != "access-key" and not e.idle}
    return tuple(
        replace(
            usage,
            disagreements=(
                *usage.disagreements,
                f"the logs show no call, {entity.iam}: the unused verdicts above may be wrong",
            ),
        )
        if (entity := disputed.get(usage.principal)) is not None
        else usage
        for usage in usages
    )
