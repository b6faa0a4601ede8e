"""Who outside the organization a policy might let in, and what a request from outside looks like.

Trust and resource-policy checks ask the engine whether a caller from outside may act. The
candidate callers are read from the policy itself (accounts and ARNs in Principal elements, account
and organization ids in the conditions that name them), plus a stranger: an account that is
nobody's, so a policy letting it in lets anyone in. The request context is what a caller on the
internet brings: a public source IP, TLS, no VPC endpoint, no source ARN or account of ours, and
membership of some other organization.
"""

from __future__ import annotations

from collections.abc import Mapping

from iamscope.model.arn import parse_arn
from iamscope.model.document import JsonValue
from iamscope.model.snapshot import Snapshot

__all__ = [
    "OUTSIDE_ORGANIZATION",
    "PUBLIC_SOURCE_IP",
    "STRANGER_ACCOUNT",
    "caller_for",
    "condition_values",
    "named_principals",
    "organization_accounts",
    "outsider_context",
    "stranger_arn",
]

# An account that is nobody's: a policy that lets it in lets anyone in.
STRANGER_ACCOUNT = "000000000000"
# Another organization (the caller's, when it has one): never the assessed organization.
OUTSIDE_ORGANIZATION = "o-iamscopeprobe0"
# TEST-NET-3 (RFC 5737): an address on the internet, inside nobody's network ranges.
PUBLIC_SOURCE_IP = "203.0.113.7"


def stranger_arn(partition: str, account: str = STRANGER_ACCOUNT) -> str:
    """A role in ``account`` that stands for any principal of that account."""
    return f"arn:{partition}:iam::{account}:role/iamscope-probe"


def outsider_context(*, organization: str | None = OUTSIDE_ORGANIZATION) -> dict[str, str]:
    """Condition keys of a request from outside: over TLS, from the internet, no VPC endpoint."""
    context = {"aws:SourceIp": PUBLIC_SOURCE_IP, "aws:SecureTransport": "true"}
    if organization is not None:
        context["aws:PrincipalOrgID"] = organization
    return context


def _as_list(value: JsonValue) -> list[JsonValue]:
    return value if isinstance(value, list) else [value]


def _allow_statements(document: JsonValue) -> list[Mapping[str, JsonValue]]:
    if not isinstance(document, dict):
        return []
    return [
        s for s in _as_list(document.get("Statement")) if isinstance(s, dict) and s.get("Effect") == "Allow"
    ]


def named_principals(document: JsonValue, kind: str) -> list[str]:
    """Principal values of one kind (AWS, Service, Federated) named by Allow statements (``*`` for
    ``"Principal": "*"`` when ``kind`` is AWS), in order, without repeats."""
    found: list[str] = []
    for statement in _allow_statements(document):
        principal = statement.get("Principal")
        if principal == "*" and kind == "AWS":
            found.append("*")
        elif isinstance(principal, dict):
            found += [v for v in _as_list(principal.get(kind)) if isinstance(v, str)]
    return list(dict.fromkeys(found))


def condition_values(document: JsonValue, key: str) -> list[str]:
    """Values that Allow statements compare ``key`` with (any operator; key names are
    case-insensitive), in order, without repeats. Candidates only: the engine decides."""
    wanted = key.lower()
    found: list[str] = []
    for statement in _allow_statements(document):
        condition = statement.get("Condition")
        if not isinstance(condition, dict):
            continue
        for block in condition.values():
            if not isinstance(block, dict):
                continue
            for name, values in block.items():
                if name.lower() == wanted:
                    found += [v for v in _as_list(values) if isinstance(v, str)]
    return list(dict.fromkeys(found))


def caller_for(value: str, partition: str) -> tuple[str, str] | None:
    """(account, caller ARN) for a Principal AWS value: an account id, a root ARN or an IAM ARN."""
    if value.isdigit() and len(value) == 12:
        return value, stranger_arn(partition, value)
    arn = parse_arn(value)
    if arn is None or not arn.account.isdigit():
        return None
    if arn.resource == "root":
        return arn.account, stranger_arn(partition, arn.account)
    return arn.account, value


def organization_accounts(snapshot: Snapshot) -> set[str] | None:
    """Member and management account ids of the organization (None: no organization known)."""
    organization = snapshot.organization
    if organization is None:
        return None
    return {a.id for a in organization.accounts} | {organization.management_account_id}
