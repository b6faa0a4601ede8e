"""AWS's authorization decision for one request, following the IAM User Guide's evaluation logic.

Order (reference_policies_evaluation-logic.html): explicit deny in any applicable policy; RCPs;
SCPs level by level; VPC endpoint policies; then the resource-based policy, whose effect depends on
which principal it names and on whether the request crosses accounts; identity-based policies;
permissions boundary; session policy. Role trust policies and KMS key policies must allow on their own.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from iamscope.engine.compiled import CompiledPolicy, CompiledStatement
from iamscope.engine.context import build_context
from iamscope.engine.matching import ContextValue
from iamscope.engine.principal import Grant, Principal, PrincipalKind, parse_principal
from iamscope.model.arn import parse_arn

__all__ = [
    "Decision",
    "DecisionValue",
    "Explanation",
    "MatchedStatement",
    "PolicySet",
    "Request",
    "RequestError",
    "evaluate",
]

DecisionValue = Literal["allowed", "explicitDeny", "implicitDeny"]
Layer = Literal[
    "identity",
    "permissions-boundary",
    "session-policy",
    "resource-policy",
    "scp",
    "rcp",
    "vpc-endpoint",
    "root",
]

_TRUST_ACTIONS = frozenset(
    {
        "sts:assumerole",
        "sts:assumerolewithsaml",
        "sts:assumerolewithwebidentity",
        "sts:tagsession",
        "sts:setsourceidentity",
        "sts:setcontext",
    }
)


class RequestError(ValueError):
    """A request the engine cannot evaluate (an unreadable principal, for instance)."""


@dataclass(frozen=True, slots=True)
class Request:
    """One API request: who, what, on which resource, with which condition keys."""

    principal: str
    action: str
    resource: str
    resource_account: str | None = None
    context: Mapping[str, str | Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PolicySet:
    """Every policy that can apply to a request, by type."""

    identity: Sequence[CompiledPolicy] = ()
    permissions_boundary: Sequence[CompiledPolicy] | None = None
    session: CompiledPolicy | None = None
    resource: CompiledPolicy | None = None
    scps: Sequence[Sequence[CompiledPolicy]] | None = None
    rcps: Sequence[Sequence[CompiledPolicy]] | None = None
    vpc_endpoint: Sequence[CompiledPolicy] = ()
    management_account: str | None = None


@dataclass(frozen=True, slots=True)
class MatchedStatement:
    """A statement that took part in the decision."""

    layer: Layer
    policy: str
    statement: str
    effect: Literal["Allow", "Deny"]
    level: int | None = None

    def __str__(self) -> str:
        level = f" level {self.level}" if self.level is not None else ""
        name = f"{self.policy}:" if self.policy else ""
        return f"{self.effect} by {self.layer}{level} {name}{self.statement}"


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why: the deciding layer, the statements that matched, and what would change a deny."""

    layer: Layer | None
    reason: str
    matched: tuple[MatchedStatement, ...]
    remedy: str | None = None

    def text(self) -> str:
        """A few lines for people."""
        lines = [self.reason]
        lines += [f"  - {m}" for m in self.matched]
        if self.remedy:
            lines.append(f"  to change: {self.remedy}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, object]:
        """The explanation object of the decision-cases output."""
        return {
            "layer": self.layer,
            "reason": self.reason,
            "matched": [
                {
                    "layer": m.layer,
                    "policy": m.policy,
                    "statement": m.statement,
                    "effect": m.effect,
                    **({"level": m.level} if m.level is not None else {}),
                }
                for m in self.matched
            ],
            **({"remedy": self.remedy} if self.remedy else {}),
        }


_Hit = tuple[Layer, int | None, CompiledStatement]


@dataclass(frozen=True, slots=True)
class Decision:
    """The decision; the explanation is built only when asked for."""

    decision: DecisionValue
    layer: Layer | None
    reason: str
    hits: tuple[_Hit, ...] = ()
    remedy: str | None = None

    @property
    def allowed(self) -> bool:
        """True for ``allowed``."""
        return self.decision == "allowed"

    @property
    def explanation(self) -> Explanation:
        """The deciding layer and matched statements, named by policy and Sid or index."""
        matched = tuple(
            MatchedStatement(
                layer=layer,
                policy=s.policy.name,
                statement=s.statement.label,
                effect="Deny" if s.deny else "Allow",
                level=level,
            )
            for layer, level, s in self.hits
        )
        return Explanation(self.layer, self.reason, matched, self.remedy)


@functools.cache
def _rcp_services() -> frozenset[str]:
    from iamscope.engine.catalog import load_catalog

    return load_catalog().rcp_services()


class _Evaluation:
    """State of one evaluation: the request, its context and the compiled policies."""

    __slots__ = ("action", "context", "has_boundary", "principal", "resource")

    def __init__(
        self, principal: Principal, action: str, resource: str, context: dict[str, ContextValue]
    ) -> None:
        self.principal = principal
        self.action = action
        self.resource = resource
        self.context = context
        self.has_boundary = False

    def statements(
        self, policy: CompiledPolicy, deny: bool, with_principal: bool
    ) -> list[tuple[CompiledStatement, Grant]]:
        """Statements of one effect that apply to this request, with how they grant."""
        found: list[tuple[CompiledStatement, Grant]] = []
        for statement in policy.for_action(self.action):
            if statement.deny != deny:
                continue
            if not statement.matches_resource(self.resource, self.context):
                continue
            grant = statement.grant(self.principal, self.has_boundary) if with_principal else Grant.DIRECT
            if grant == Grant.NONE:
                continue
            if not statement.matches_conditions(self.context):
                continue
            found.append((statement, grant))
        return found

    def allows(
        self, policies: Sequence[CompiledPolicy], with_principal: bool = False
    ) -> list[CompiledStatement]:
        """Allow statements of these policies that apply."""
        return [s for p in policies for s, _ in self.statements(p, False, with_principal)]


def _account_of(resource: str, given: str | None, principal: Principal) -> str | None:
    if given:
        return given
    arn = parse_arn(resource)
    if arn is not None and arn.account and arn.account != "aws":
        return arn.account
    return principal.account


def evaluate(request: Request, policies: PolicySet) -> Decision:
    """Decide one request as AWS would; raises :class:`RequestError` for an unreadable principal."""
    given_arn = None
    for key, value in request.context.items():
        if key.lower() == "aws:principalarn" and isinstance(value, str):
            given_arn = value
    principal = parse_principal(request.principal, given_arn)
    if principal is None:
        raise RequestError(f"principal {request.principal!r} is not an IAM ARN, service or 'anonymous'")
    action = request.action.lower()
    if ":" not in action:
        raise RequestError(f"action {request.action!r} is not service:action")
    context = build_context(request.context, principal)
    state = _Evaluation(principal, action, request.resource, context)
    state.has_boundary = policies.permissions_boundary is not None
    resource_account = _account_of(request.resource, request.resource_account, principal)
    service = action.partition(":")[0]

    is_iam = principal.is_iam
    identity_applies = is_iam and principal.kind != PrincipalKind.ROOT
    boundary_applies = identity_applies and policies.permissions_boundary is not None
    session_applies = principal.is_session and policies.session is not None
    management = policies.management_account
    scp_applies = (
        policies.scps is not None
        and is_iam
        and not principal.is_service_linked_role
        and (management is None or principal.account != management)
    )
    rcp_applies = (
        policies.rcps is not None
        and not principal.is_service_linked_role
        and (management is None or resource_account != management)
        and service in _rcp_services()
    )

    # 1. Explicit deny anywhere.
    denies: list[_Hit] = []
    if identity_applies:
        for policy in policies.identity:
            denies += [("identity", None, s) for s, _ in state.statements(policy, True, False)]
    if boundary_applies:
        for policy in policies.permissions_boundary or ():
            denies += [("permissions-boundary", None, s) for s, _ in state.statements(policy, True, False)]
    if session_applies and policies.session is not None:
        denies += [("session-policy", None, s) for s, _ in state.statements(policies.session, True, False)]
    if policies.resource is not None:
        denies += [("resource-policy", None, s) for s, _ in state.statements(policies.resource, True, True)]
    if scp_applies:
        for level, scps in enumerate(policies.scps or ()):
            for policy in scps:
                denies += [("scp", level, s) for s, _ in state.statements(policy, True, False)]
    if rcp_applies:
        for level, rcps in enumerate(policies.rcps or ()):
            for policy in rcps:
                denies += [("rcp", level, s) for s, _ in state.statements(policy, True, True)]
    for policy in policies.vpc_endpoint:
        denies += [("vpc-endpoint", None, s) for s, _ in state.statements(policy, True, True)]
    if denies:
        first = denies[0]
        return Decision(
            "explicitDeny",
            first[0],
            f"explicitly denied by {len(denies)} statement(s); an explicit deny overrides every allow",
            tuple(denies),
            "remove or narrow the Deny statement(s) listed, or change the request so they do not match",
        )

    # 2. RCPs: AWS attaches RCPFullAWSAccess at every level, so only their denies can decide.
    # 3. SCPs: an Allow is needed at every level of the organization path.
    allows: list[_Hit] = []
    if scp_applies:
        for level, scps in enumerate(policies.scps or ()):
            found = state.allows(scps)
            if not found:
                return Decision(
                    "implicitDeny",
                    "scp",
                    f"no SCP attached at level {level} of the organization path allows {request.action}",
                    tuple(allows),
                    f"allow {request.action} in an SCP attached at level {level} (root=0)",
                )
            allows += [("scp", level, s) for s in found]

    # 4. VPC endpoint policies must allow requests that pass through the endpoint.
    for policy in policies.vpc_endpoint:
        found = state.allows([policy], with_principal=True)
        if not found:
            return Decision(
                "implicitDeny",
                "vpc-endpoint",
                "the VPC endpoint policy does not allow this request",
                tuple(allows),
                f"allow {request.action} for this principal in the VPC endpoint policy",
            )
        allows += [("vpc-endpoint", None, s) for s in found]

    return _permissions(state, policies, request, principal, resource_account, allows)


def _permissions(
    state: _Evaluation,
    policies: PolicySet,
    request: Request,
    principal: Principal,
    resource_account: str | None,
    allows: list[_Hit],
) -> Decision:
    """Resource-based, identity, boundary and session policies (after denies, RCPs, SCPs, VPCE)."""
    action = state.action
    resource_grants: list[tuple[CompiledStatement, Grant]] = []
    if policies.resource is not None:
        resource_grants = state.statements(policies.resource, False, True)
    grant = max((g for _, g in resource_grants), default=Grant.NONE)
    resource_hits: list[_Hit] = [("resource-policy", None, s) for s, _ in resource_grants]
    resource_arn = parse_arn(request.resource)
    is_trust = (
        action in _TRUST_ACTIONS
        and resource_arn is not None
        and (resource_arn.service == "iam" and resource_arn.resource.startswith("role/"))
    )
    is_kms_key = (
        action.startswith("kms:")
        and resource_arn is not None
        and resource_arn.service == "kms"
        and resource_arn.resource.startswith("key/")
    )
    must_allow = "role trust policy" if is_trust else "key policy" if is_kms_key else None

    if not principal.is_iam:
        # Anonymous callers, AWS services and identity providers have only resource-based policies.
        if grant != Grant.NONE:
            return Decision(
                "allowed",
                "resource-policy",
                "allowed by the resource-based policy",
                tuple(allows + resource_hits),
            )
        who = "anonymous requests" if principal.kind == PrincipalKind.ANONYMOUS else principal.name
        return Decision(
            "implicitDeny",
            "resource-policy",
            f"only a resource-based policy can allow {who}, and none does",
            tuple(allows),
            f"allow {request.action} for {who} in the resource-based policy",
        )

    if must_allow and grant == Grant.NONE:
        return Decision(
            "implicitDeny",
            "resource-policy",
            f"the {must_allow} does not allow this principal; it must allow on its own",
            tuple(allows),
            f"allow this principal (or its account) in the {must_allow}",
        )
    if is_trust and principal.kind == PrincipalKind.ROOT:
        return Decision(
            "implicitDeny",
            "root",
            "the root user cannot assume a role",
            tuple(allows),
            "assume the role from an IAM user or role session",
        )

    cross_account = resource_account is not None and resource_account != principal.account
    if cross_account and grant == Grant.NONE:
        return Decision(
            "implicitDeny",
            "resource-policy",
            "cross-account access needs the resource-based policy of the other account to allow",
            tuple(allows),
            f"allow this principal or account {principal.account} in the resource-based policy",
        )

    if not cross_account:
        if principal.kind == PrincipalKind.ROOT:
            return Decision(
                "allowed",
                "root",
                "the account root user has full access in its own account",
                tuple(allows + resource_hits),
            )
        if grant == Grant.DIRECT:
            return Decision(
                "allowed",
                "resource-policy",
                "the resource-based policy names this principal directly (same account), "
                "which implicit denies in identity, boundary or session policies do not limit",
                tuple(allows + resource_hits),
            )
        if grant == Grant.ROLE:
            limit = _limits(state, policies, principal, request, allows)
            if limit is not None:
                return limit
            return Decision(
                "allowed",
                "resource-policy",
                "the resource-based policy names the role (same account); "
                "the boundary and session policy allow too",
                tuple(allows + resource_hits),
            )

    # The identity path: identity policies, then boundary, then session policy.
    if principal.kind == PrincipalKind.ROOT:
        identity_hits: list[_Hit] = []
    else:
        found = state.allows(policies.identity)
        if not found:
            reason = "no identity-based policy allows the request"
            if resource_grants:
                reason += (
                    " (the resource-based policy names only the account,"
                    " which delegates to identity policies)"
                )
            return Decision(
                "implicitDeny",
                "identity",
                reason,
                tuple(allows),
                f"allow {request.action} on this resource in an identity-based policy",
            )
        identity_hits = [("identity", None, s) for s in found]
    limit = _limits(state, policies, principal, request, allows + identity_hits)
    if limit is not None:
        return limit
    layer: Layer = "resource-policy" if cross_account else "identity"
    reason = (
        "allowed by the identity-based policy and the other account's resource-based policy"
        if cross_account
        else "allowed by an identity-based policy"
    )
    return Decision("allowed", layer, reason, tuple(allows + identity_hits + resource_hits))


def _limits(
    state: _Evaluation,
    policies: PolicySet,
    principal: Principal,
    request: Request,
    allows: list[_Hit],
) -> Decision | None:
    """The implicit deny of a permissions boundary or session policy, if any."""
    if policies.permissions_boundary is not None and principal.kind != PrincipalKind.ROOT:
        found = state.allows(policies.permissions_boundary)
        if not found:
            return Decision(
                "implicitDeny",
                "permissions-boundary",
                "the permissions boundary does not allow the request",
                tuple(allows),
                f"allow {request.action} in the permissions boundary",
            )
        allows = allows + [("permissions-boundary", None, s) for s in found]
    if principal.is_session:
        if policies.session is not None:
            found = state.allows([policies.session])
            if not found:
                return Decision(
                    "implicitDeny",
                    "session-policy",
                    "the session policy does not allow the request",
                    tuple(allows),
                    f"allow {request.action} in the session policy passed when the session was created",
                )
        elif principal.kind == PrincipalKind.FEDERATED_USER:
            return Decision(
                "implicitDeny",
                "session-policy",
                "a federated user session without a session policy has no permissions",
                tuple(allows),
                "pass a session policy to GetFederationToken",
            )
    return None
