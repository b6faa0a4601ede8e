"""CloudTrail records -> activity rows and contexts for the store, with the repeated work done once.

Most of an event is shared with many others: the same principal calls the same API in the same
region with the same outcome. That part (its *shape*: identity, event source and name, type,
category, read-only flag, region, account, VPC endpoint, error code) is attributed and mapped once
and stored once as a context row, identified by a 64-bit digest of its values, so every process
names it the same. Per event only what varies is kept: eventID, time, source IP, the resources the
calls touched. Rows are msgspec Structs encoded as newline-delimited JSON, the fastest correct way
(quoting, nulls) to bulk-load rows from Python into DuckDB without extra dependencies.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass

import msgspec

from iamscope.activity.mapping import EventMapper, MappingTarget
from iamscope.activity.principals import attribute
from iamscope.activity.records import Record, UserIdentity
from iamscope.activity.store import CONTEXT_COLUMNS, ROW_COLUMNS, batch_key

__all__ = [
    "DENIED_ERROR_CODES",
    "ActivityRow",
    "ContextRow",
    "FileRows",
    "Normaliser",
    "outcome_of",
    "synthetic_event_id",
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
# Shapes kept per process: enough for every (session, API, region) of a large trail day; when
# full, the cache starts again (memory must not grow with the trail; contexts are re-sent, and
# the store keeps each once).
_SHAPES = 20_000


def _keys(columns: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return {name: batch_key(i) for i, (name, _) in enumerate(columns)}


class ActivityRow(msgspec.Struct, frozen=True, gc=False, rename=_keys(ROW_COLUMNS)):
    """One stored row: an event's call at position ``seq`` (or the event itself, when it has none)."""

    event_id: str
    event_time: str | None
    source_ip: str | None
    ctx: int
    resource: str | None
    seq: int


class ContextRow(msgspec.Struct, frozen=True, gc=False, rename=_keys(CONTEXT_COLUMNS)):
    """What many events share: who, what, where, how it ended, and one call's action."""

    ctx: int
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
    via_service: str | None
    mfa: bool | None
    vpce: str | None
    error_code: str | None
    outcome: str
    status: str
    access_key: str | None
    action: str | None
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


def synthetic_event_id(record: Record) -> str:
    """A stable id for a record without ``eventID`` (the same record always gets the same id)."""
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


_ENCODER = msgspec.json.Encoder()


def _digest(values: tuple[object, ...]) -> int:
    """A stable 64-bit id for context values (the same in every process and run)."""
    return int.from_bytes(hashlib.blake2b(_ENCODER.encode(values), digest_size=8).digest(), "little")


@dataclass(frozen=True, slots=True)
class _Shape:
    """One shape's context ids and how to find its calls' resources."""

    status: str
    region: str
    account: str  # the account a call's resources are in (recipient, else the caller's)
    bare: int  # context of an event row without a call
    plan: tuple[tuple[MappingTarget, int], ...]  # each action the event needed, and its context


@dataclass(frozen=True, slots=True)
class FileRows:
    """One file's rows and the contexts first seen in it (NDJSON), with mapping counts."""

    rows: bytes
    contexts: bytes
    statuses: Counter[str]
    unmapped: Counter[tuple[str, str]]


class _Caller:
    """One identity and the shapes of its events, by event name (most names have one shape)."""

    __slots__ = ("identity", "shapes")

    def __init__(self, identity: UserIdentity | None) -> None:
        self.identity = identity
        self.shapes: dict[str | None, list[tuple[tuple[object, ...], _Shape]]] = {}


class Normaliser:
    """Turns records into rows; shapes are cached (bounded), so repeated work is done once.

    Finding a record's shape is the hot path, so it hashes little: the caller is found by its
    ARN and confirmed by comparing the whole identity; its shapes by event name, confirmed by
    comparing the other fields. Hashing every field of a fresh record costs more than comparing.
    """

    def __init__(self, mapper: EventMapper) -> None:
        self._mapper = mapper
        self._callers: dict[UserIdentity | None, _Caller] = {}
        self._by_arn: dict[str | None, _Caller] = {}  # the caller last seen with each ARN
        self._count = 0
        self._new: list[ContextRow] = []

    def fresh(self) -> Normaliser:
        """A normaliser with the same mapper and no memory of contexts sent (for a new run)."""
        return Normaliser(self._mapper)

    def _context(self, template: ContextRow, action: str | None, passed_to: str | None) -> int:
        """The id of the template's context with this call; queued to be sent with the file."""
        values = msgspec.structs.replace(template, action=action, passed_to=passed_to)
        ctx = _digest(msgspec.structs.astuple(values))
        self._new.append(msgspec.structs.replace(values, ctx=ctx))
        return ctx

    def _caller(self, identity: UserIdentity | None, arn: str | None) -> _Caller:
        caller = self._callers.get(identity)
        if caller is None:
            caller = self._callers[identity] = _Caller(identity)
        self._by_arn[arn] = caller
        return caller

    def _shape(self, caller: _Caller, key: tuple[object, ...], record: Record) -> _Shape:
        if self._count >= _SHAPES:
            self._callers.clear()
            self._by_arn.clear()
            caller.shapes.clear()
            self._callers[caller.identity] = caller
            self._count = 0
        identity = record.userIdentity
        source = record.eventSource or ""
        name = record.eventName or ""
        who = attribute(identity, source)
        rule = self._mapper.rule(source, name, record.eventType)
        read_only = record.readOnly
        template = ContextRow(
            ctx=0,
            event_source=source,
            event_name=name,
            event_type=record.eventType,
            category=record.eventCategory,
            read_only=read_only if not isinstance(read_only, str) else read_only.lower() == "true",
            region=record.awsRegion,
            account_id=record.recipientAccountId,
            principal_arn=who.arn,
            principal_kind=who.kind,
            principal_account=who.account,
            session_name=who.session,
            via_service=who.via_service,
            mfa=who.mfa,
            vpce=record.vpcEndpointId,
            error_code=record.errorCode,
            outcome=outcome_of(record.errorCode),
            status=rule.status,
            access_key=_long_term_key(identity),
            action=None,
            passed_to=None,
        )
        account = record.recipientAccountId or (identity.accountId if identity else None) or ""
        plan = (
            tuple(
                (target, self._context(template, target.name, self._mapper.passed_to(target, source)))
                for target in rule.targets
            )
            if rule.status == "mapped"
            else ()
        )
        shape = _Shape(
            rule.status, record.awsRegion or "", account, self._context(template, None, None), plan
        )
        caller.shapes.setdefault(record.eventName, []).append((key, shape))
        self._count += 1
        return shape

    def normalise(self, records: list[Record]) -> FileRows:
        """The rows of one file's records, and the contexts this process has not sent before."""
        by_arn = self._by_arn
        resources_of = self._mapper.resources
        rows: list[ActivityRow] = []
        append = rows.append
        statuses: Counter[str] = Counter()
        unmapped: Counter[tuple[str, str]] = Counter()
        for record in records:
            identity = record.userIdentity
            arn = identity.arn if identity is not None else None
            caller = by_arn.get(arn)
            if caller is None or caller.identity != identity:
                caller = self._caller(identity, arn)
            key = (
                record.eventSource,
                record.eventType,
                record.eventCategory,
                record.readOnly,
                record.awsRegion,
                record.recipientAccountId,
                record.vpcEndpointId,
                record.errorCode,
            )
            shape = None
            for known, candidate in caller.shapes.get(record.eventName, ()):
                if known == key:
                    shape = candidate
                    break
            if shape is None:
                shape = self._shape(caller, key, record)
            status = shape.status
            statuses[status] += 1
            event_id = record.eventID or synthetic_event_id(record)
            time = record.eventTime
            ip = record.sourceIPAddress
            if shape.plan:
                seq = 0
                for target, ctx in shape.plan:
                    for resource in resources_of(record, target, shape.region, shape.account):
                        append(ActivityRow(event_id, time, ip, ctx, resource, seq))
                        seq += 1
                if seq:
                    continue
            elif status == "unmapped":
                unmapped[(record.eventSource or "", record.eventName or "")] += 1
            append(ActivityRow(event_id, time, ip, shape.bare, None, 0))
        contexts = _ENCODER.encode_lines(self._new) if self._new else b""
        self._new.clear()
        return FileRows(_ENCODER.encode_lines(rows), contexts, statuses, unmapped)
