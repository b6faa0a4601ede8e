"""``replay``: evaluate every recorded successful call against a proposed policy, through the engine.

Calls are evaluated per group of identical action, resource and request context (with the first
and last time seen, so time conditions are checked at both ends). The rest of the policy set
(boundary, SCPs, resource policy) comes from a snapshot when one is given; the proposed documents
replace the principal's identity policies. Zero denials is the bar for a generated policy.
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from iamscope.engine import CompiledPolicy, PolicySet, Request, RequestError, evaluate, resource_owner
from iamscope.model.activity import RecordedCall

__all__ = ["BasePolicies", "ReplayDenial", "ReplayResult", "replay", "request_context"]

# Gives the policy set around a principal for one (resource, action): boundary, SCPs, resource
# policy... (``AccessModel.policy_set``); its identity side is replaced by the proposal.
BasePolicies = Callable[[str, str, str], PolicySet]


@dataclass(frozen=True, slots=True)
class ReplayDenial:
    """A recorded call the proposal would deny, and why."""

    call: RecordedCall
    decision: str
    at: datetime | None
    explanation: str


@dataclass(frozen=True, slots=True)
class ReplayResult:
    """Every recorded call evaluated; ``denials`` lists the ones the proposal would break."""

    principal: str
    calls: int
    groups: int
    denials: tuple[ReplayDenial, ...]
    errors: tuple[str, ...] = ()

    @property
    def denied_calls(self) -> int:
        """Recorded calls (not groups) that would have been denied."""
        return sum(d.call.calls for d in self.denials)

    @property
    def clean(self) -> bool:
        """No call would have been denied."""
        return not self.denials and not self.errors


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def request_context(call: RecordedCall, at: datetime | None) -> dict[str, str]:
    """The condition keys a recorded call carried (as far as CloudTrail tells)."""
    context: dict[str, str] = {"aws:ViaAWSService": "true" if call.via_service else "false"}
    if call.source_ip:
        # "AWS Internal" or a service name is no address: the request has no aws:SourceIp.
        with contextlib.suppress(ValueError):
            context["aws:SourceIp"] = str(ipaddress.ip_address(call.source_ip))
    if call.mfa is not None:
        context["aws:MultiFactorAuthPresent"] = "true" if call.mfa else "false"
    if call.region:
        context["aws:RequestedRegion"] = call.region
    if at is not None:
        context["aws:CurrentTime"] = _iso(at)
        context["aws:EpochTime"] = str(int(at.timestamp()))
    if call.passed_to:
        context["iam:PassedToService"] = call.passed_to
    return context


def replay(
    calls: Sequence[RecordedCall],
    principal: str,
    proposed: Sequence[CompiledPolicy],
    base: BasePolicies | None = None,
) -> ReplayResult:
    """Evaluate each recorded call of ``principal`` with ``proposed`` as its identity policies."""
    denials: list[ReplayDenial] = []
    errors: list[str] = []
    only_proposed = PolicySet(identity=tuple(proposed))
    cache: dict[tuple[str, str], PolicySet] = {}
    total = 0
    for call in calls:
        total += call.calls
        policies = only_proposed
        if base is not None:
            key = (call.resource, call.action)
            policies = cache.get(key) or replace(
                base(principal, call.resource, call.action), identity=tuple(proposed)
            )
            cache[key] = policies
        times: list[datetime | None] = [
            *sorted({t for t in (call.first_seen, call.last_seen) if t is not None})
        ]
        for at in times or [None]:
            request = Request(
                principal=principal,
                action=call.action,
                resource=call.resource,
                # An S3 ARN names no account: the one CloudTrail recorded the call in (the call
                # succeeded; replay asks only whether the principal's own policies allow it).
                resource_account=resource_owner(call.resource, call.account or resource_owner(principal)),
                context=request_context(call, at),
            )
            try:
                decision = evaluate(request, policies)
            except RequestError as exc:
                errors.append(f"{call.action} on {call.resource}: {exc}")
                break
            if not decision.allowed:
                denials.append(ReplayDenial(call, decision.decision, at, decision.explanation.text()))
                break
    return ReplayResult(principal, total, len(calls), tuple(denials), tuple(errors))
