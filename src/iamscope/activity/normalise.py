"""One CloudTrail record -> one event row and its call rows (action, resource), ready for the store.

Rows are msgspec Structs because they travel to DuckDB as newline-delimited JSON written by msgspec:
the fastest correct way (quoting, nulls) to bulk-load rows from Python without extra dependencies.
"""

from __future__ import annotations

import hashlib
from collections import Counter

import msgspec

from iamscope.activity.mapping import EventMapper
from iamscope.activity.principals import Attribution, attribute
from iamscope.activity.records import Record, UserIdentity
from iamscope.activity.store import CALL_COLUMNS, EVENT_COLUMNS, batch_key

__all__ = [
    "CALL_FIELDS",
    "DENIED_ERROR_CODES",
    "EVENT_FIELDS",
    "CallRow",
    "EventRow",
    "Normaliser",
    "outcome_of",
]

DENIED_ERROR_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "Client.UnauthorizedOperation",
        "UnauthorizedOperation",
        "Client.AccessDenied",
        "UnauthorizedAccess",
        "Unauthorized",
    }
)


EVENT_FIELDS = tuple(name for name, _ in EVENT_COLUMNS)
CALL_FIELDS = tuple(name for name, _ in CALL_COLUMNS)


def json_key(field: str, fields: tuple[str, ...]) -> str:
    """The short key a row field has in the NDJSON transport (keeps batches small)."""
    return batch_key(fields.index(field))


class EventRow(
    msgspec.Struct,
    frozen=True,
    gc=False,
    rename={f: json_key(f, EVENT_FIELDS) for f in EVENT_FIELDS},
):
    """One stored event: who, what, when, from where, and how it ended."""

    event_id: str
    event_time: str | None
    event_source: str
    event_name: str
    event_type: str | None
    category: str | None
    read_only: bool | None
    region: str | None
    account_id: str | None
    principal_arn: str
    principal_kind: str
    principal_account: str
    session_name: str | None
    source_ip: str | None
    via_service: str | None
    mfa: bool | None
    vpce: str | None
    error_code: str | None
    outcome: str
    status: str
    access_key: str | None


class CallRow(
    msgspec.Struct,
    frozen=True,
    gc=False,
    rename={f: json_key(f, CALL_FIELDS) for f in CALL_FIELDS},
):
    """One action an event needed on one resource (denormalised for fast per-principal queries)."""

    event_id: str
    event_time: str | None
    principal_arn: str
    outcome: str
    action: str
    resource: str
    passed_to: str | None


def outcome_of(error_code: str | None) -> str:
    """``success``; ``denied`` for authorisation failures (kept as denied attempts); else ``failed``."""
    if not error_code:
        return "success"
    if error_code in DENIED_ERROR_CODES or "AccessDenied" in error_code:
        return "denied"
    return "failed"


def _long_term_key(identity: UserIdentity | None) -> str | None:
    """The access key id when it is a long-term user key (AKIA...); session keys are not kept."""
    key = identity.accessKeyId if identity is not None else None
    return key if key is not None and key.startswith("AKIA") else None


def _synthetic_id(record: Record) -> str:
    identity = record.userIdentity.arn if record.userIdentity else ""
    key = "|".join(
        (
            record.eventTime or "",
            record.eventSource or "",
            record.eventName or "",
            record.requestID or "",
            identity or "",
            bytes(record.requestParameters).decode("utf-8", "replace"),
        )
    )
    return "synthetic-" + hashlib.blake2b(key.encode(), digest_size=16).hexdigest()


class Normaliser:
    """Turns records into rows; attribution is cached per identity (sessions repeat a lot)."""

    def __init__(self, mapper: EventMapper) -> None:
        self._mapper = mapper
        self._attributions: dict[tuple[object, ...], Attribution] = {}
        self.statuses: Counter[str] = Counter()
        self.unmapped: Counter[tuple[str, str]] = Counter()

    def _attribute(self, identity: UserIdentity | None, source: str) -> Attribution:
        if identity is None:
            key: tuple[object, ...] = (None, source)
        else:
            context = identity.sessionContext
            attributes = context.attributes if context is not None else None
            mfa = attributes.mfaAuthenticated if attributes is not None else None
            key = (
                identity.arn,
                identity.type,
                identity.invokedBy,
                mfa,
                identity.principalId,
                source,
            )
        who = self._attributions.get(key)
        if who is None:
            who = attribute(identity, source)
            if len(self._attributions) > 100_000:
                self._attributions.clear()  # bounded: memory must not grow with the trail
            self._attributions[key] = who
        return who

    def rows(self, record: Record) -> tuple[EventRow, list[CallRow]]:
        """The event row and call rows of one record."""
        source = record.eventSource or ""
        name = record.eventName or ""
        who = self._attribute(record.userIdentity, source)
        status, actions = self._mapper.map(record)
        self.statuses[status] += 1
        if status == "unmapped":
            self.unmapped[(source, name)] += 1
        outcome = "success" if not record.errorCode else outcome_of(record.errorCode)
        event_id = record.eventID or _synthetic_id(record)
        read_only = record.readOnly
        event = EventRow(
            event_id,
            record.eventTime,
            source,
            name,
            record.eventType,
            record.eventCategory,
            read_only if not isinstance(read_only, str) else read_only.lower() == "true",
            record.awsRegion,
            record.recipientAccountId,
            who.arn,
            who.kind,
            who.account,
            who.session,
            record.sourceIPAddress,
            who.via_service,
            who.mfa,
            record.vpcEndpointId,
            record.errorCode,
            outcome,
            status,
            _long_term_key(record.userIdentity),
        )
        if not actions:
            return event, []
        time = record.eventTime
        arn = who.arn
        return event, [
            CallRow(event_id, time, arn, outcome, a.action, a.resource, a.passed_to) for a in actions
        ]
