"""``rightsize``: for each over-privileged principal, a proposal proven against its own history.

A principal is over-privileged when it holds wildcard grants (``*``, ``service:*``, NotAction) or
grants actions CloudTrail shows it never used. Each plan item carries the generated policy, its
replay over the recorded period (zero denials is the bar), the actions it removes, and a check that
it grants nothing the current policies did not (each proposed action and resource is evaluated
against the current policy set by the engine). ``verify`` replays activity newer than the plan:
the switch happens only after a clean parallel (shadow) run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from iamscope.analysis.access import AccessModel
from iamscope.analysis.leastpriv.generate import GeneratedPolicy, GenerateOptions, generate_policy
from iamscope.analysis.leastpriv.grants import (
    LayerCache,
    effective_actions,
    granted_actions,
    guardrails,
    identity_documents,
    is_wildcard_grant,
)
from iamscope.analysis.leastpriv.idle import judge, role_uses
from iamscope.analysis.leastpriv.replay import (
    BasePolicies,
    ReplayResult,
    replay,
    request_context,
)
from iamscope.analysis.leastpriv.unused import invisible_actions
from iamscope.engine import (
    PolicyError,
    PolicySet,
    Request,
    RequestError,
    compile_policy,
    evaluate,
    resource_owner,
)
from iamscope.engine.catalog import Catalog
from iamscope.model.activity import AccountCoverage, PrincipalEvidence, RecordedCall
from iamscope.model.document import JsonObject, JsonValue
from iamscope.model.snapshot import Snapshot

__all__ = [
    "PLAN_FORMAT",
    "RightsizeItem",
    "RightsizePlan",
    "plan_rightsize",
    "snapshot_base",
    "verify_plan",
]

PLAN_FORMAT = "iamscope-rightsize/1"


@dataclass(frozen=True, slots=True)
class RightsizeItem:
    """The plan for one principal."""

    principal: str
    granted: int
    used_actions: tuple[str, ...]
    proposal: GeneratedPolicy
    replay: ReplayResult
    removed: tuple[str, ...]
    new_grants: tuple[str, ...]
    blockers: tuple[str, ...] = ()

    @property
    def ready(self) -> bool:
        """Safe to start the shadow period: clean replay, nothing new granted, no blind spots."""
        return self.replay.clean and not self.new_grants and not self.blockers


@dataclass(frozen=True, slots=True)
class RightsizePlan:
    """Plans for every over-privileged principal, as of ``created_at`` (end of the evidence)."""

    created_at: datetime | None
    items: tuple[RightsizeItem, ...]
    skipped: tuple[str, ...] = field(default=())


def _pairs(documents: Sequence[JsonObject]) -> Iterable[tuple[str, str, str | None]]:
    """(action, resource, passed-to service) of every Allow statement of generated documents."""
    for document in documents:
        statements = document.get("Statement")
        for statement in statements if isinstance(statements, list) else []:
            if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
                continue
            actions = statement.get("Action")
            resources = statement.get("Resource")
            service: str | None = None
            condition = statement.get("Condition")
            if isinstance(condition, dict):
                equals = condition.get("StringEquals")
                if isinstance(equals, dict) and isinstance(equals.get("iam:PassedToService"), str):
                    service = str(equals["iam:PassedToService"])
            for action in actions if isinstance(actions, list) else [actions]:
                for resource in resources if isinstance(resources, list) else [resources]:
                    if isinstance(action, str) and isinstance(resource, str):
                        yield action, resource, service


def _new_grants(
    evidence: PrincipalEvidence, proposal: GeneratedPolicy, current: Callable[[str, str], PolicySet]
) -> tuple[str, ...]:
    """Proposed (action, resource) pairs the current policies do not allow."""
    contexts: dict[tuple[str, str], RecordedCall] = {}
    for call in evidence.recorded:
        contexts.setdefault((call.action, call.resource), call)
    found: list[str] = []
    for action, resource, service in _pairs(proposal.documents):
        seen = contexts.get((action, resource))
        context = request_context(seen, seen.last_seen) if seen is not None else {}
        if service:
            context["iam:PassedToService"] = service
        # An S3 ARN names no account: the one the call was recorded in, else the principal's.
        owner = resource_owner(
            resource, seen.account if seen is not None and seen.account else evidence.account
        )
        request = Request(evidence.principal, action, resource, owner, context)
        try:
            allowed = evaluate(request, current(resource, action)).allowed
        except RequestError:
            allowed = False
        if not allowed:
            found.append(f"{action} on {resource}")
    return tuple(found)


def snapshot_base(snapshot: Snapshot) -> BasePolicies:
    """The principal's policy set per (resource, action) from a snapshot (one compiled model)."""
    model = AccessModel(snapshot)

    def base(principal: str, resource: str, action: str) -> PolicySet:
        return model.policy_set(principal, resource_arn=resource, action=action)

    return base


def _idle_roles(
    snapshot: Snapshot,
    active: set[str],
    catalog: Catalog,
    coverage: Mapping[str, AccountCoverage],
    skipped: list[str],
    cache: LayerCache,
) -> list[RightsizeItem]:
    """Roles with grants but no recorded call, when IAM's own last-used data agrees they were idle."""
    items = []
    for account_id, account in snapshot.accounts.items():
        logged = coverage.get(account_id)
        if logged is None:
            skipped.append(
                f"account {account_id}: not visible: no logs for this account in the store, not planned"
            )
            continue
        for role in account.roles or ():
            if role.is_service_linked or role.arn in active:
                continue
            granted = _granted(snapshot, role.arn, catalog, cache)
            if not granted:
                continue
            verdict = judge("role", role.arn, logged, role_uses(account, role))
            if not verdict.idle:
                skipped.append(f"{role.arn}: {verdict.logs}, {verdict.iam}")
                continue
            note = f"{verdict.logs}; {verdict.iam}: detach every policy (or delete the role)"
            items.append(
                RightsizeItem(
                    principal=role.arn,
                    granted=len(granted),
                    used_actions=(),
                    proposal=GeneratedPolicy((), (), (note,)),
                    replay=ReplayResult(role.arn, 0, 0, ()),
                    removed=tuple(sorted(granted)),
                    new_grants=(),
                )
            )
    return items


def _granted(snapshot: Snapshot, principal: str, catalog: Catalog, cache: LayerCache) -> frozenset[str]:
    """What the principal's identity policies grant, after its boundary and the SCPs above it."""
    identity = granted_actions(identity_documents(snapshot, principal), catalog)
    return effective_actions(identity, guardrails(snapshot, principal), catalog, cache)


def plan_rightsize(
    snapshot: Snapshot,
    evidence: Iterable[PrincipalEvidence],
    catalog: Catalog,
    options: GenerateOptions | None = None,
    created_at: datetime | None = None,
    coverage: Mapping[str, AccountCoverage] | None = None,
) -> RightsizePlan:
    """A plan item for every over-privileged principal among ``evidence``, and idle roles.

    Current grants (after boundary and SCPs), boundary, SCPs and resource policies come from
    ``snapshot``; the proposal is replayed with all of them, its own documents standing in for
    the identity policies. A role with grants and no recorded call, in an account the logs cover
    (``coverage``), gets an empty proposal when IAM's last-used data agrees it was idle.
    """
    options = options or GenerateOptions()
    base = snapshot_base(snapshot)
    items: list[RightsizeItem] = []
    skipped: list[str] = []
    cache: LayerCache = {}
    evidence = tuple(evidence)
    for item in evidence:
        current = identity_documents(snapshot, item.principal)
        if not current:
            skipped.append(f"{item.principal}: not in the snapshot (no policies to compare)")
            continue
        granted = _granted(snapshot, item.principal, catalog, cache)
        invisible = invisible_actions(catalog, item.data_sources, item.account)
        used = {c.action for c in item.used}
        unused_visible = granted - used - invisible
        if not (is_wildcard_grant(current) or unused_visible):
            skipped.append(f"{item.principal}: already uses everything it is granted")
            continue
        if not item.used:
            continue  # no successful call: handled with the idle roles below
        proposal = generate_policy(item.used, catalog, options)
        try:
            compiled = [
                compile_policy(d, f"proposed-{i + 1}", "identity") for i, d in enumerate(proposal.documents)
            ]
        except PolicyError as exc:
            skipped.append(f"{item.principal}: generated policy rejected by the engine: {exc}")
            continue
        used_services = {a.split(":", 1)[0] for a in used}
        blockers = (
            *proposal.warnings,
            *(
                f"{action} is granted but CloudTrail could not show its use here (data events off): "
                "enable data events for a full period, or keep it by hand"
                for action in sorted((granted & invisible) - used)
                if action.split(":", 1)[0] in used_services
            ),
        )

        def current_set(resource: str, action: str, principal: str = item.principal) -> PolicySet:
            return base(principal, resource, action)

        items.append(
            RightsizeItem(
                principal=item.principal,
                granted=len(granted),
                used_actions=tuple(sorted(used)),
                proposal=proposal,
                replay=replay(item.recorded, item.principal, compiled, base),
                removed=tuple(sorted(granted - set(proposal.actions))),
                new_grants=_new_grants(item, proposal, current_set),
                blockers=blockers,
            )
        )
    active = {e.principal for e in evidence if e.used or e.recorded}
    items += _idle_roles(snapshot, active, catalog, coverage or {}, skipped, cache)
    items.sort(key=lambda i: i.principal)
    return RightsizePlan(created_at, tuple(items), tuple(skipped))


def verify_plan(
    proposals: Mapping[str, Sequence[JsonValue]],
    recorded: Callable[[str], Sequence[RecordedCall]],
    base: BasePolicies | None = None,
) -> dict[str, ReplayResult]:
    """Replay newer activity of each planned principal against its proposal (the shadow run)."""
    results: dict[str, ReplayResult] = {}
    for principal, documents in proposals.items():
        compiled = [compile_policy(d, f"proposed-{i + 1}", "identity") for i, d in enumerate(documents)]
        results[principal] = replay(recorded(principal), principal, compiled, base)
    return results


def removed_by_service(item: RightsizeItem) -> dict[str, int]:
    """How many granted actions the proposal removes, per service."""
    return dict(sorted(Counter(a.split(":", 1)[0] for a in item.removed).items()))
