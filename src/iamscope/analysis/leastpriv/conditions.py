"""Conditions a user can ask a generated policy to carry, and which recorded calls each would break.

``--require-mfa`` and ``--not-before/--not-after`` become conditions on every Allow statement
(Bool ``aws:MultiFactorAuthPresent``; DateGreaterThan / DateLessThan ``aws:CurrentTime``).
``--source-ip`` becomes the Deny statement of AWS's documented example "Denies access to AWS based
on the source IP": NotIpAddress ``aws:SourceIp`` together with Bool ``aws:ViaAWSService`` false, so
calls AWS services make for the principal keep working.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from iamscope.model.activity import CallContext
from iamscope.model.document import JsonObject, JsonValue

__all__ = [
    "ConditionWarning",
    "PolicyConditions",
    "allow_condition",
    "check_conditions",
    "source_ip_statement",
]

_EXAMPLES = 5


@dataclass(frozen=True, slots=True)
class PolicyConditions:
    """Conditions to add to a generated policy."""

    require_mfa: bool = False
    source_ips: tuple[str, ...] = ()
    not_before: datetime | None = None
    not_after: datetime | None = None

    def __post_init__(self) -> None:
        for cidr in self.source_ips:
            ipaddress.ip_network(cidr, strict=False)  # raises ValueError for a bad CIDR


@dataclass(frozen=True, slots=True)
class ConditionWarning:
    """Recorded calls a proposed condition would have denied."""

    condition: str
    calls: int
    examples: tuple[str, ...]

    def text(self) -> str:
        """One paragraph for people."""
        lines = [f"{self.condition} would have denied {self.calls:,} recorded call(s), e.g.:"]
        lines += [f"  - {e}" for e in self.examples]
        return "\n".join(lines)


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def allow_condition(conditions: PolicyConditions) -> JsonObject | None:
    """The Condition element every Allow statement gets (None when nothing is asked)."""
    out: JsonObject = {}
    if conditions.require_mfa:
        out["Bool"] = {"aws:MultiFactorAuthPresent": "true"}
    if conditions.not_before is not None:
        out["DateGreaterThan"] = {"aws:CurrentTime": _iso(conditions.not_before)}
    if conditions.not_after is not None:
        out["DateLessThan"] = {"aws:CurrentTime": _iso(conditions.not_after)}
    return out or None


def source_ip_statement(conditions: PolicyConditions) -> JsonObject | None:
    """The Deny statement that limits calls to the given networks (None without --source-ip)."""
    if not conditions.source_ips:
        return None
    cidrs: list[JsonValue] = [*conditions.source_ips]
    return {
        "Sid": "DenyOutsideSourceIp",
        "Effect": "Deny",
        "Action": "*",
        "Resource": "*",
        "Condition": {
            "NotIpAddress": {"aws:SourceIp": cidrs if len(cidrs) > 1 else cidrs[0]},
            "Bool": {"aws:ViaAWSService": "false"},
        },
    }


def _in_networks(ip: str | None, networks: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    if ip is None:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False  # "AWS Internal" and similar: aws:SourceIp is not an address there
    return any(address.version == n.version and address in n for n in networks)


def _example(context: CallContext) -> str:
    when = _iso(context.last_seen) if context.last_seen else "?"
    return (
        f"{context.event_source} {context.event_name} from {context.source_ip or '-'} "
        f"(mfa={context.mfa}, via={context.via_service or '-'}) x{context.calls}, last {when}"
    )


def check_conditions(
    contexts: Sequence[CallContext], conditions: PolicyConditions
) -> tuple[ConditionWarning, ...]:
    """Which recorded successful calls each asked-for condition would have denied."""
    warnings: list[ConditionWarning] = []

    def add(name: str, hits: list[CallContext]) -> None:
        if hits:
            hits.sort(key=lambda c: -c.calls)
            warnings.append(
                ConditionWarning(
                    name, sum(c.calls for c in hits), tuple(_example(c) for c in hits[:_EXAMPLES])
                )
            )

    if conditions.require_mfa:
        add("--require-mfa", [c for c in contexts if c.mfa is not True])
    if conditions.source_ips:
        networks = [ipaddress.ip_network(c, strict=False) for c in conditions.source_ips]
        add(
            "--source-ip " + " ".join(conditions.source_ips),
            [
                c
                for c in contexts
                if c.via_service is None
                and not (c.source_ip or "").endswith(".amazonaws.com")
                and not _in_networks(c.source_ip, networks)
            ],
        )
    if conditions.not_before is not None:
        nb = conditions.not_before
        add(
            f"--not-before {_iso(nb)}",
            [c for c in contexts if c.first_seen is not None and c.first_seen <= nb],
        )
    if conditions.not_after is not None:
        na = conditions.not_after
        add(
            f"--not-after {_iso(na)}",
            [c for c in contexts if c.last_seen is not None and c.last_seen >= na],
        )
    return tuple(warnings)
