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

__all__ = [
    "BasePolicies",
    "ContextDifference",
    "DenialGroup",
    "ReplayDenial",
    "ReplayResult",
    "replay",
    "request_context",
]

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


# Keys whose values are a time: shown as the period of the requests, never as a difference.
_TIME_KEYS = frozenset({"aws:CurrentTime", "aws:EpochTime"})


@dataclass(frozen=True, slots=True)
class ContextDifference:
    """A request-context key whose values vary among one action and resource's requests."""

    key: str
    denied: tuple[str, ...]  # values in the denied requests ("(absent)" when the key was missing)
    allowed: tuple[str, ...]  # values in the requests the proposal allows


@dataclass(frozen=True, slots=True)
class DenialGroup:
    """Every denied request of one (action, resource), beside the allowed ones, and what differs."""

    action: str
    resource: str
    denials: tuple[ReplayDenial, ...]
    allowed: tuple[RecordedCall, ...] = ()

    @property
    def calls(self) -> int:
        """Recorded calls denied."""
        return sum(d.call.calls for d in self.denials)

    @property
    def allowed_calls(self) -> int:
        """Recorded calls of the same action and resource that the proposal allows."""
        return sum(c.calls for c in self.allowed)

    @property
    def first_seen(self) -> datetime | None:
        """The first denied call."""
        return min((d.call.first_seen for d in self.denials if d.call.first_seen), default=None)

    @property
    def last_seen(self) -> datetime | None:
        """The last denied call."""
        return max((d.call.last_seen for d in self.denials if d.call.last_seen), default=None)

    def _values(self) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
        denied = [request_context(d.call, d.at) for d in self.denials]
        allowed = [request_context(c, c.last_seen) for c in self.allowed]
        return denied, allowed

    @property
    def differences(self) -> tuple[ContextDifference, ...]:
        """Keys with more than one value across the requests (denied and allowed), sorted."""
        denied, allowed = self._values()
        every = denied + allowed
        keys = sorted({k for c in every for k in c} - _TIME_KEYS)
        out = []
        for key in keys:
            if len({c.get(key) for c in every}) > 1:
                out.append(
                    ContextDifference(
                        key,
                        tuple(sorted({c.get(key, "(absent)") for c in denied})),
                        tuple(sorted({c.get(key, "(absent)") for c in allowed})),
                    )
                )
        return tuple(out)

    @property
    def same(self) -> dict[str, str]:
        """Keys with one value in every request (time keys left out)."""
        denied, allowed = self._values()
        every = denied + allowed
        keys = set.intersection(*(set(c) for c in every)) - _TIME_KEYS if every else set()
        return {k: every[0][k] for k in sorted(keys) if len({c[k] for c in every}) == 1}


@dataclass(frozen=True, slots=True)
class ReplayResult:
    """Every recorded call evaluated; ``denials`` lists the ones the proposal would break.

    ``denied_groups`` holds the same denials by (action, resource), with that pair's allowed
    requests beside them.
    """

    principal: str
    calls: int
    groups: int
    denials: tuple[ReplayDenial, ...]
    errors: tuple[str, ...] = ()
    denied_groups: tuple[DenialGroup, ...] = ()

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
    allowed: dict[tuple[str, str], list[RecordedCall]] = {}
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
        else:
            allowed.setdefault((call.action, call.resource), []).append(call)
    return ReplayResult(principal, total, len(calls), tuple(denials), tuple(errors), _group(denials, allowed))


def _group(
    denials: Sequence[ReplayDenial], allowed: dict[tuple[str, str], list[RecordedCall]]
) -> tuple[DenialGroup, ...]:
    by_pair: dict[tuple[str, str], list[ReplayDenial]] = {}
    for denial in denials:
        by_pair.setdefault((denial.call.action, denial.call.resource), []).append(denial)
    return tuple(
        DenialGroup(action, resource, tuple(found), tuple(allowed.get((action, resource), ())))
        for (action, resource), found in sorted(by_pair.items())
    )
