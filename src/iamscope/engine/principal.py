"""Who is asking: the request principal, its identities (account, role, session) and Principal matching.

A role session is also "its role" and "its account": a Principal element naming any of these
grants to it (with different effects on boundaries); a NotPrincipal element excludes it only when
every one of them is listed, as the NotPrincipal page of the IAM User Guide advises.
"""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass, field

from iamscope.model.policies import PrincipalSpec

__all__ = ["CompiledPrincipal", "Grant", "Principal", "PrincipalKind", "parse_principal"]

_ACCOUNT_ID = re.compile(r"^\d{12}$")


class PrincipalKind(enum.Enum):
    """The kinds of principal a request can come from."""

    USER = "User"
    ROLE = "Role"  # a role ARN given as principal: any session of that role
    ROLE_SESSION = "AssumedRole"
    FEDERATED_USER = "FederatedUser"
    ROOT = "Account"
    SERVICE = "Service"
    WEB_IDENTITY = "WebIdentity"  # an OIDC/SAML provider calling AssumeRoleWith*
    ANONYMOUS = "Anonymous"


class Grant(enum.IntEnum):
    """How a Principal element matched: the kind of grant decides which implicit denies still apply."""

    NONE = 0
    ACCOUNT = 1  # the account: delegates to the account's identity policies
    ROLE = 2  # the role ARN: limited by boundary and session policy
    DIRECT = 3  # the user, the session, a service, or "*": not limited by implicit denies


_IAM_KINDS = frozenset(
    {
        PrincipalKind.USER,
        PrincipalKind.ROLE,
        PrincipalKind.ROLE_SESSION,
        PrincipalKind.FEDERATED_USER,
        PrincipalKind.ROOT,
    }
)
_SESSION_KINDS = frozenset({PrincipalKind.ROLE, PrincipalKind.ROLE_SESSION, PrincipalKind.FEDERATED_USER})


@dataclass(frozen=True, slots=True)
class Principal:
    """A request principal with what AWS knows about it."""

    kind: PrincipalKind
    arn: str
    account: str | None = None
    partition: str = "aws"
    name: str = ""  # user name, role name, federated user name, service name
    session_name: str | None = None
    path: str | None = None  # user or role path when the ARN gives it
    # Computed once: evaluation reads these for every request.
    ids: tuple[str, ...] = field(init=False, repr=False, compare=False)
    is_iam: bool = field(init=False, repr=False, compare=False)
    is_session: bool = field(init=False, repr=False, compare=False)
    is_service_linked_role: bool = field(init=False, repr=False, compare=False)
    condition_keys: tuple[tuple[str, str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "ids", self.identities())
        # Identity-based policies, boundaries and SCPs can apply only to these.
        object.__setattr__(self, "is_iam", self.kind in _IAM_KINDS)
        # Role sessions and federated user sessions can carry session policies.
        object.__setattr__(self, "is_session", self.kind in _SESSION_KINDS)
        object.__setattr__(self, "is_service_linked_role", self._service_linked())
        object.__setattr__(self, "condition_keys", self._condition_keys())

    @property
    def role_arn(self) -> str | None:
        """The role ARN of a role or role session (with its path when known)."""
        if self.kind not in (PrincipalKind.ROLE, PrincipalKind.ROLE_SESSION):
            return None
        path = self.path or "/"
        return f"arn:{self.partition}:iam::{self.account}:role{path}{self.name}"

    @property
    def principal_arn(self) -> str:
        """The value AWS puts in ``aws:PrincipalArn`` (the role, not the session)."""
        if self.kind == PrincipalKind.ROLE_SESSION:
            return self.role_arn or self.arn
        return self.arn

    def _service_linked(self) -> bool:
        """Service-linked roles live under /aws-service-role/; their sessions keep the name prefix."""
        if self.kind not in (PrincipalKind.ROLE, PrincipalKind.ROLE_SESSION):
            return False
        if self.path is not None and self.path.startswith("/aws-service-role/"):
            return True
        return self.name.startswith("AWSServiceRoleFor")

    def _condition_keys(self) -> tuple[tuple[str, str], ...]:
        """The condition keys AWS derives from the principal alone (lower-cased names).

        ``aws:PrincipalArn``, ``aws:PrincipalAccount``, ``aws:username`` (users only),
        ``aws:PrincipalType``, ``aws:PrincipalIsAWSService``, ``aws:PrincipalServiceName`` and
        ``aws:userid`` where AWS documents a value that does not need an id we cannot know.
        """
        kind = self.kind
        if kind == PrincipalKind.ANONYMOUS:
            return (("aws:principaltype", "Anonymous"),)
        if kind == PrincipalKind.SERVICE:
            return (("aws:principalisawsservice", "true"), ("aws:principalservicename", self.name))
        if kind == PrincipalKind.WEB_IDENTITY:
            return ()
        keys = [
            ("aws:principalarn", self.principal_arn),
            ("aws:principalisawsservice", "false"),
            ("aws:principaltype", "AssumedRole" if kind == PrincipalKind.ROLE else kind.value),
        ]
        if self.account:
            keys.append(("aws:principalaccount", self.account))
            if kind == PrincipalKind.ROOT:
                keys.append(("aws:userid", self.account))
            if kind == PrincipalKind.FEDERATED_USER:
                keys.append(("aws:userid", f"{self.account}:{self.name}"))
        if kind == PrincipalKind.USER:
            keys.append(("aws:username", self.name))
        return tuple(keys)

    def identities(self) -> tuple[str, ...]:
        """Every identity the principal is: account, then role, then session (canonical forms)."""
        if self.kind == PrincipalKind.ANONYMOUS:
            return ("*anonymous*",)
        if self.kind in (PrincipalKind.SERVICE, PrincipalKind.WEB_IDENTITY):
            return (self.arn,)
        account = f"account:{self.account}"
        if self.kind == PrincipalKind.ROOT:
            return (account,)
        if self.kind == PrincipalKind.USER:
            return (account, f"user:{self.account}:{self.name}")  # names are unique per account
        if self.kind == PrincipalKind.FEDERATED_USER:
            return (account, f"federated:{self.account}:{self.name}")
        role = f"role:{self.account}:{self.name}"
        if self.kind == PrincipalKind.ROLE:
            return (account, role)
        return (account, role, f"session:{self.account}:{self.name}/{self.session_name}")


@functools.lru_cache(maxsize=16384)
def parse_principal(text: str, principal_arn: str | None = None) -> Principal | None:
    """Read a request principal; ``principal_arn`` (``aws:PrincipalArn``) may add a role's path.

    Returns None when ``text`` is not a principal AWS can authenticate.
    """
    if text in ("anonymous", "*"):
        return Principal(PrincipalKind.ANONYMOUS, "anonymous")
    if not text.startswith("arn:"):
        if _ACCOUNT_ID.match(text):
            return Principal(PrincipalKind.ROOT, f"arn:aws:iam::{text}:root", account=text, name=text)
        if "." in text and " " not in text:
            kind = (
                PrincipalKind.SERVICE
                if text.endswith(".amazonaws.com") or text.endswith(".amazonaws.com.cn")
                else PrincipalKind.WEB_IDENTITY
            )
            if text == "cognito-identity.amazonaws.com":
                kind = PrincipalKind.WEB_IDENTITY
            return Principal(kind, text, name=text)
        return None
    parts = text.split(":", 5)
    if len(parts) != 6:
        return None
    _, partition, service, _region, account, resource = parts
    if service == "iam":
        if resource == "root":
            return Principal(PrincipalKind.ROOT, text, account, partition, name=account)
        kind_name, _, rest = resource.partition("/")
        path, _, name = ("/" + rest).rpartition("/")
        path = path + "/"
        if kind_name == "user" and name:
            return Principal(PrincipalKind.USER, text, account, partition, name, path=path)
        if kind_name == "role" and name:
            return Principal(PrincipalKind.ROLE, text, account, partition, name, path=path)
        if kind_name in ("saml-provider", "oidc-provider"):
            return Principal(PrincipalKind.WEB_IDENTITY, text, account, partition, name=text)
        return None
    if service == "sts":
        kind_name, _, rest = resource.partition("/")
        if kind_name == "assumed-role":
            role_name, _, session = rest.partition("/")
            if not role_name or not session:
                return None
            role_path: str | None = None
            if principal_arn:
                known = parse_principal(principal_arn)
                if known is not None and known.kind == PrincipalKind.ROLE and known.name == role_name:
                    role_path = known.path
            return Principal(
                PrincipalKind.ROLE_SESSION,
                text,
                account,
                partition,
                role_name,
                session_name=session,
                path=role_path,
            )
        if kind_name == "federated-user" and rest:
            return Principal(PrincipalKind.FEDERATED_USER, text, account, partition, rest)
    return None


def _canonical(value: str) -> str | None:
    """The identity a Principal element value names, in the form of :meth:`Principal.identities`."""
    if _ACCOUNT_ID.match(value):
        return f"account:{value}"
    named = parse_principal(value)
    if named is None:
        return None
    if named.kind == PrincipalKind.ROOT:
        return f"account:{named.account}"
    if named.kind == PrincipalKind.USER:
        return f"user:{named.account}:{named.name}"
    if named.kind == PrincipalKind.ROLE:
        return f"role:{named.account}:{named.name}"
    if named.kind == PrincipalKind.ROLE_SESSION:
        return f"session:{named.account}:{named.name}/{named.session_name}"
    if named.kind == PrincipalKind.FEDERATED_USER:
        return f"federated:{named.account}:{named.name}"
    return value


@dataclass(frozen=True, slots=True)
class CompiledPrincipal:
    """A Principal/NotPrincipal element turned into a set of canonical identities."""

    wildcard: bool
    identities: frozenset[str]

    @classmethod
    def build(cls, spec: PrincipalSpec) -> CompiledPrincipal:
        """Canonicalise every listed value; ``"*"`` anywhere in AWS makes it a wildcard."""
        wildcard = spec.wildcard or "*" in spec.aws
        names: set[str] = set()
        for value in spec.aws:
            canonical = _canonical(value)
            if canonical is not None:
                names.add(canonical)
        names.update(spec.service)
        names.update(spec.federated)
        names.update(spec.canonical_user)
        return cls(wildcard, frozenset(names))

    def grant(self, principal: Principal) -> Grant:
        """How this element grants to ``principal`` (the strongest match wins)."""
        if self.wildcard:
            return Grant.DIRECT
        identities = principal.ids
        best = Grant.NONE
        for index, identity in enumerate(identities):
            if identity in self.identities:
                best = max(best, _grant_for(principal.kind, index, len(identities)))
        return best

    def names(self, principal: Principal) -> bool:
        """Whether any identity of the principal (account, role, session...) is listed."""
        return self.wildcard or any(identity in self.identities for identity in principal.ids)

    def excludes(self, principal: Principal) -> bool:
        """For NotPrincipal: the principal is excluded only when every identity of it is listed."""
        if self.wildcard:
            return True
        return all(identity in self.identities for identity in principal.ids)


def _grant_for(kind: PrincipalKind, index: int, count: int) -> Grant:
    if kind in (PrincipalKind.ANONYMOUS, PrincipalKind.SERVICE, PrincipalKind.WEB_IDENTITY):
        return Grant.DIRECT
    if kind == PrincipalKind.ROOT:
        return Grant.DIRECT
    if index == 0:
        return Grant.ACCOUNT
    if kind == PrincipalKind.ROLE or (kind == PrincipalKind.ROLE_SESSION and index == 1):
        return Grant.ROLE
    return Grant.DIRECT if index == count - 1 else Grant.ROLE
