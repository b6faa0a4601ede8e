"""What recorded activity says about principals: the summaries analysis and reports consume."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = [
    "AccountCoverage",
    "ActionUse",
    "ActivitySummary",
    "CallContext",
    "DataEventSource",
    "PrincipalActivity",
    "PrincipalEvidence",
    "RecordedCall",
    "StoreProblem",
    "UnmappedEvent",
    "UsedCall",
]


@dataclass(frozen=True, slots=True)
class ActionUse:
    """One IAM action a principal used (or tried), with the resources seen most often."""

    action: str
    calls: int
    first_seen: datetime | None
    last_seen: datetime | None
    resource_count: int = 0
    resources: tuple[str, ...] = ()

    @property
    def service(self) -> str:
        """The service prefix of the action."""
        return self.action.split(":", 1)[0]


@dataclass(frozen=True, slots=True)
class AccountCoverage:
    """What the logs hold for one account (by recipient): how many events, when, from which regions."""

    account: str
    events: int
    first_seen: datetime | None
    last_seen: datetime | None
    regions: tuple[str, ...] = ()

    @property
    def period(self) -> str:
        """``2025-12-01 to 2026-01-14 in eu-west-1, us-east-1`` (days, UTC)."""
        first = f"{self.first_seen:%Y-%m-%d}" if self.first_seen else "?"
        last = f"{self.last_seen:%Y-%m-%d}" if self.last_seen else "?"
        return f"{first} to {last} in {', '.join(self.regions) or 'no region'}"


@dataclass(frozen=True, slots=True)
class PrincipalActivity:
    """Everything one principal did in the recorded period."""

    arn: str
    kind: str
    account: str
    events: int
    first_seen: datetime | None
    last_seen: datetime | None
    actions: tuple[ActionUse, ...] = ()
    denied: tuple[ActionUse, ...] = ()
    failed_calls: int = 0
    sessions: int = 0

    @property
    def services(self) -> tuple[str, ...]:
        """Services the principal used successfully, sorted."""
        return tuple(sorted({a.service for a in self.actions}))


@dataclass(frozen=True, slots=True)
class DataEventSource:
    """A data-event source (S3 object, Lambda invoke, DynamoDB item) and whether the logs have it."""

    name: str
    event_source: str
    events: int
    actions: tuple[str, ...]
    missing_accounts: tuple[str, ...] = ()

    @property
    def present(self) -> bool:
        """True when at least one event of this source was recorded."""
        return self.events > 0

    @property
    def why(self) -> str:
        """Why an absent source matters for least privilege."""
        return (
            f"no {self.name} data events recorded: trails log them only when data events are "
            f"enabled, so a policy generated from these logs would leave out "
            f"{', '.join(self.actions)} and break callers that use them"
        )


@dataclass(frozen=True, slots=True)
class UnmappedEvent:
    """Events whose IAM action is unknown: counted and listed, never dropped."""

    event_source: str
    event_name: str
    count: int


@dataclass(frozen=True, slots=True)
class StoreProblem:
    """A file (or record) ingest had to skip, and why."""

    name: str
    message: str


@dataclass(frozen=True, slots=True)
class ActivitySummary:
    """The activity store at a glance, optionally for one principal."""

    events: int
    files: int
    first_seen: datetime | None
    last_seen: datetime | None
    principals: tuple[PrincipalActivity, ...]
    data_sources: tuple[DataEventSource, ...]
    unmapped: tuple[UnmappedEvent, ...] = ()
    problems: tuple[StoreProblem, ...] = ()
    statuses: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class UsedCall:
    """An action a principal used successfully on one resource (``*``: none named)."""

    action: str
    resource: str
    calls: int
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    passed_to: str | None = None


@dataclass(frozen=True, slots=True)
class CallContext:
    """Request context seen on a principal's successful calls (for checking proposed conditions)."""

    event_source: str
    event_name: str
    source_ip: str | None
    mfa: bool | None
    via_service: str | None
    calls: int
    first_seen: datetime | None = None
    last_seen: datetime | None = None


@dataclass(frozen=True, slots=True)
class RecordedCall:
    """Successful calls sharing action, resource and request context (the unit replay evaluates)."""

    principal: str
    action: str
    resource: str
    passed_to: str | None
    source_ip: str | None
    mfa: bool | None
    via_service: str | None
    region: str | None
    account: str | None
    calls: int
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    example_event: str = ""


@dataclass(frozen=True, slots=True)
class PrincipalEvidence:
    """What the activity store says about one principal, for right-sizing."""

    principal: str
    account: str
    used: tuple[UsedCall, ...]
    recorded: tuple[RecordedCall, ...]
    data_sources: tuple[DataEventSource, ...] = ()
