"""The few CloudTrail record fields iamscope needs, as msgspec Structs, so decoding skips the rest fast.

Every field declared costs decoding time on every event (and hashing time: a record's identity is
a cache key), so only fields something reads are declared.
"""

from __future__ import annotations

import msgspec

_NULL = msgspec.Raw(b"null")  # an absent field reads like JSON null

__all__ = [
    "Delivery",
    "LakeResults",
    "LookupEvent",
    "LookupResults",
    "OnBehalfOf",
    "Record",
    "ResourceRef",
    "SessionAttributes",
    "SessionContext",
    "SessionIssuer",
    "UserIdentity",
]


class SessionIssuer(msgspec.Struct, frozen=True, gc=False):
    """Who issued a temporary session: the role (or user, for federation tokens); its ARN is enough."""

    arn: str | None = None


class SessionAttributes(msgspec.Struct, frozen=True, gc=False):
    """Session attributes; CloudTrail writes ``mfaAuthenticated`` as the string "true"/"false"."""

    mfaAuthenticated: str | bool | None = None  # noqa: N815


class SessionContext(msgspec.Struct, frozen=True, gc=False):
    """The session part of a user identity."""

    sessionIssuer: SessionIssuer | None = None  # noqa: N815
    attributes: SessionAttributes | None = None


class OnBehalfOf(msgspec.Struct, frozen=True, gc=False):
    """Identity Center: the workforce user a call was made for."""

    userId: str | None = None  # noqa: N815
    identityStoreArn: str | None = None  # noqa: N815


class UserIdentity(msgspec.Struct, frozen=True, gc=False):
    """``userIdentity``: who made the call."""

    type: str | None = None
    principalId: str | None = None  # noqa: N815
    arn: str | None = None
    accountId: str | None = None  # noqa: N815
    accessKeyId: str | None = None  # noqa: N815
    userName: str | None = None  # noqa: N815
    sessionContext: SessionContext | None = None  # noqa: N815
    invokedBy: str | None = None  # noqa: N815
    identityProvider: str | None = None  # noqa: N815
    onBehalfOf: OnBehalfOf | None = None  # noqa: N815


class ResourceRef(msgspec.Struct, frozen=True, gc=False):
    """One entry of ``resources`` (data events and some management events)."""

    ARN: str | None = None
    type: str | None = None


class Record(msgspec.Struct, frozen=True, gc=False):
    """One CloudTrail event; ``requestParameters`` stays raw and is decoded only when a mapping needs it.

    Fields are declared in the order CloudTrail writes them: msgspec tries the next declared
    field first, so matching keys then costs one comparison each.
    """

    userIdentity: UserIdentity | None = None  # noqa: N815
    eventTime: str | None = None  # noqa: N815
    eventSource: str | None = None  # noqa: N815
    eventName: str | None = None  # noqa: N815
    awsRegion: str | None = None  # noqa: N815
    sourceIPAddress: str | None = None  # noqa: N815
    errorCode: str | None = None  # noqa: N815
    requestParameters: msgspec.Raw = _NULL  # noqa: N815
    requestID: str | None = None  # noqa: N815
    eventID: str | None = None  # noqa: N815
    readOnly: bool | str | None = None  # noqa: N815
    resources: list[ResourceRef] | None = None
    eventType: str | None = None  # noqa: N815
    recipientAccountId: str | None = None  # noqa: N815
    vpcEndpointId: str | None = None  # noqa: N815
    eventCategory: str | None = None  # noqa: N815


class Delivery(msgspec.Struct, frozen=True, gc=False):
    """A trail delivery file: ``{"Records": [...]}``."""

    Records: list[Record]


class LookupEvent(msgspec.Struct, frozen=True, gc=False):
    """One event of ``aws cloudtrail lookup-events`` (Event history); the record is a JSON string."""

    EventId: str | None = None
    CloudTrailEvent: str | None = None


class LookupResults(msgspec.Struct, frozen=True, gc=False):
    """``lookup-events`` output: ``{"Events": [...]}``."""

    Events: list[LookupEvent]


class LakeResults(msgspec.Struct, frozen=True, gc=False):
    """CloudTrail Lake ``get-query-results`` output: rows of one-key ``{column: value}`` cells."""

    QueryResultRows: list[list[dict[str, str]]]
