"""Who made a call: CloudTrail's ``userIdentity`` turned into the principal whose policies allowed it.

A role session is attributed to its role (session name kept apart), an IAM user to itself, an
Identity Center session to its permission-set role (with the workforce user as session), a
federated user to its federated-user ARN, and a call made by an AWS service to that service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from iamscope.activity.records import UserIdentity

__all__ = ["Attribution", "PrincipalKind", "attribute", "role_from_session_arn"]

PrincipalKind = Literal[
    "user",
    "role",
    "identity-center",
    "root",
    "federated",
    "saml",
    "web-identity",
    "service",
    "account",
    "anonymous",
    "unknown",
]


@dataclass(frozen=True, slots=True)
class Attribution:
    """The principal a call is attributed to."""

    arn: str
    kind: PrincipalKind
    account: str
    session: str | None = None
    mfa: bool | None = None
    via_service: str | None = None


def role_from_session_arn(arn: str) -> str:
    """arn:aws:sts::A:assumed-role/Name/session -> arn:aws:iam::A:role/Name (the path is not in it)."""
    head, _, resource = arn.partition(":assumed-role/")
    name = resource.split("/", 1)[0]
    partition_and_account = head.split(":")
    partition = partition_and_account[1] if len(partition_and_account) > 1 else "aws"
    account = partition_and_account[-1]
    return f"arn:{partition}:iam::{account}:role/{name}"


def _mfa(identity: UserIdentity) -> bool | None:
    context = identity.sessionContext
    if context is None or context.attributes is None:
        return None
    value = context.attributes.mfaAuthenticated
    if value is None:
        return None
    return value is True or (isinstance(value, str) and value.lower() == "true")


def attribute(identity: UserIdentity | None, event_source: str = "") -> Attribution:
    """Attribute one ``userIdentity`` (None: the record had none, e.g. a service event)."""
    if identity is None:
        service = event_source or "unknown"
        return Attribution(service, "service", "")
    kind = identity.type or ""
    account = identity.accountId or ""
    arn = identity.arn or ""
    via = identity.invokedBy
    mfa = _mfa(identity)
    if kind == "IAMUser":
        return Attribution(
            arn or f"arn:aws:iam::{account}:user/{identity.userName}",
            "user",
            account,
            None,
            mfa,
            via,
        )
    if kind == "AssumedRole":
        issuer = identity.sessionContext.sessionIssuer if identity.sessionContext else None
        role_arn = issuer.arn if issuer is not None and issuer.arn else role_from_session_arn(arn)
        session = arn.rsplit("/", 1)[1] if "/" in arn else None
        role_name = role_arn.rsplit("/", 1)[-1]
        principal_kind: PrincipalKind = (
            "identity-center" if role_name.startswith("AWSReservedSSO_") else "role"
        )
        return Attribution(role_arn, principal_kind, account, session, mfa, via)
    if kind == "Root":
        return Attribution(arn or f"arn:aws:iam::{account}:root", "root", account, None, mfa, via)
    if kind == "FederatedUser":
        session = arn.rsplit("/", 1)[1] if "/" in arn else None
        return Attribution(arn, "federated", account, session, mfa, via)
    if kind == "IdentityCenterUser":
        user = identity.onBehalfOf.userId if identity.onBehalfOf else None
        store = identity.onBehalfOf.identityStoreArn if identity.onBehalfOf else None
        partition = store.split(":")[1] if store and store.count(":") > 1 else "aws"
        return Attribution(
            f"arn:{partition}:identitystore:::user/{user or identity.principalId or 'unknown'}",
            "identity-center",
            account,
            user,
            mfa,
            via,
        )
    if kind == "AWSService":
        return Attribution(via or identity.principalId or event_source or "unknown", "service", account)
    if kind == "AWSAccount":
        other = account or (identity.principalId or "").split(":")[0]
        return Attribution(f"arn:aws:iam::{other}:root", "account", other, None, None, via)
    if kind in {"SAMLUser", "WebIdentityUser"}:
        provider = identity.identityProvider or "unknown-provider"
        subject = identity.userName or identity.principalId or "unknown"
        return Attribution(
            f"{provider}:{subject}",
            "saml" if kind == "SAMLUser" else "web-identity",
            account,
            subject,
        )
    if kind == "Role":
        return Attribution(arn, "role", account, None, mfa, via)
    if kind == "Unknown" and not arn:
        return Attribution(
            identity.principalId or "anonymous",
            "anonymous" if not identity.principalId else "unknown",
            account,
        )
    return Attribution(arn or identity.principalId or "unknown", "unknown", account, None, mfa, via)
