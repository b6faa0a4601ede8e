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
from iamscope.engine.context import normalise_context
from iamscope.engine.explain import (
    Explanation,
    Layer,
    MatchedStatement,
    NearMiss,
    near_misses,
    reason_and_remedy,
)
from iamscope.engine.matching import ContextValue
from iamscope.engine.principal import Grant, Principal, PrincipalKind, parse_principal
from iamscope.engine.protections import NO_PERMISSION_ACTIONS, PROTECTED_ACTIONS, protection
from iamscope.model.arn import parse_arn
from iamscope.user_error import UserError

__all__ = [
    "TRUST_ACTIONS",
    "Decision",
    "DecisionValue",
    "Explanation",
    "MatchedStatement",
    "PolicySet",
    "Request",
    "RequestError",
    "evaluate",
    "resource_owner",
]

DecisionValue = Literal["allowed", "explicitDeny", "implicitDeny"]

# The actions a role trust policy governs (it must allow them on its own).
TRUST_ACTIONS = frozenset(
    {
        "sts:assumerole",
        "sts:assumerolewithsaml",
        "sts:assumerolewithwebidentity",
        "sts:tagsession",
        "sts:setsourceidentity",
        "sts:setcontext",
    }
)


class RequestError(UserError, ValueError):
    """A request the engine cannot evaluate (an unreadable principal, for instance)."""


@dataclass(frozen=True, slots=True)
class Request:
    """One API request: who, what, on which resource, with which condition keys.

    ``resource_account`` owns the resource. When absent it is read from the ARN; an S3 ARN carries
    none, and whether the bucket is the caller's decides the answer, so :func:`evaluate` refuses
    (:class:`RequestError`) an IAM principal's request on an S3 ARN without it.
    """

    principal: str
    action: str
    resource: str
    resource_account: str | None = None
    context: Mapping[str, str | Sequence[str]] = field(default_factory=dict)


_Statements = tuple[CompiledStatement, ...]
_Hit = tuple[Layer, int | None, CompiledStatement]
_Deny = tuple[Layer, int | None, CompiledStatement, bool]  # bool: match the Principal element


def _select(policies: Sequence[CompiledPolicy], action: str, deny: bool) -> _Statements:
    return tuple(s for p in policies for s in p.for_action(action) if s.deny == deny)


@dataclass(frozen=True, slots=True)
class _Plan:
    """For one action and one set of applicable layers: the statements worth looking at."""

    denies: tuple[_Deny, ...]
    scps: tuple[_Statements, ...]  # Allow statements per level (empty when SCPs do not apply)
    vpc_endpoint: tuple[_Statements, ...]
    resource: _Statements
    identity: _Statements
    boundary: _Statements
    session: _Statements


@dataclass(frozen=True)
class PolicySet:
    """Every policy that can apply to a request, by type; build once, evaluate many requests."""

    identity: Sequence[CompiledPolicy] = ()
    permissions_boundary: Sequence[CompiledPolicy] | None = None
    session: CompiledPolicy | None = None
    resource: CompiledPolicy | None = None
    scps: Sequence[Sequence[CompiledPolicy]] | None = None
    rcps: Sequence[Sequence[CompiledPolicy]] | None = None
    vpc_endpoint: Sequence[CompiledPolicy] = ()
    management_account: str | None = None
    _plans: dict[tuple[str, int], _Plan] = field(default_factory=dict, init=False, repr=False, compare=False)
    _by_request: dict[tuple[str, str, object, str | None], _Plan] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def plan(self, action: str, layers: int) -> _Plan:
        """The statements per layer for a lower-cased action; ``layers`` is a bit set of _L_*."""
        key = (action, layers)
        found = self._plans.get(key)
        if found is not None:
            return found
        denies: list[_Deny] = []
        session = (self.session,) if self.session is not None else ()
        resource = (self.resource,) if self.resource is not None else ()
        if layers & _L_IDENTITY:
            denies += [("identity", None, s, False) for s in _select(self.identity, action, True)]
        if layers & _L_BOUNDARY:
            denies += [
                ("permissions-boundary", None, s, False)
                for s in _select(self.permissions_boundary or (), action, True)
            ]
        if layers & _L_SESSION:
            denies += [("session-policy", None, s, False) for s in _select(session, action, True)]
        denies += [("resource-policy", None, s, True) for s in _select(resource, action, True)]
        if layers & _L_SCP:
            for level, scps in enumerate(self.scps or ()):
                denies += [("scp", level, s, False) for s in _select(scps, action, True)]
        if layers & _L_RCP:
            for level, rcps in enumerate(self.rcps or ()):
                denies += [("rcp", level, s, True) for s in _select(rcps, action, True)]
        for policy in self.vpc_endpoint:
            denies += [("vpc-endpoint", None, s, True) for s in _select((policy,), action, True)]
        found = _Plan(
            denies=tuple(denies),
            scps=tuple(_select(level, action, False) for level in self.scps or ()) if layers & _L_SCP else (),
            vpc_endpoint=tuple(_select((p,), action, False) for p in self.vpc_endpoint),
            resource=_select(resource, action, False),
            identity=_select(self.identity, action, False),
            boundary=_select(self.permissions_boundary or (), action, False),
            session=_select(session, action, False),
        )
        if len(self._plans) < 65536:
            self._plans[key] = found
        return found


_L_IDENTITY, _L_BOUNDARY, _L_SESSION, _L_SCP, _L_RCP = 1, 2, 4, 8, 16


# What an explanation needs to look at the layers again: plan, resource, context, principal, and
# whether a boundary applies. A plain tuple: it is built for every decision.
_Basis = tuple[_Plan, str, Mapping[str, ContextValue], Principal, bool]


@dataclass(slots=True)
class Decision:
    """The decision; the explanation is built only when asked for."""

    decision: DecisionValue
    layer: Layer | None
    reason: str
    hits: tuple[_Hit, ...] = ()
    remedy: str | None = None
    # For an implicit deny by an SCP level or a VPC endpoint policy: which one.
    at: int | None = None
    # Evaluation stops at the first Allow of each layer; the explanation finds the others.
    _basis: _Basis | None = None

    @property
    def allowed(self) -> bool:
        """True for ``allowed``."""
        return self.decision == "allowed"

    def _all_hits(self) -> tuple[_Hit, ...]:
        basis = self._basis
        if basis is None:
            return self.hits
        plan, resource, context = basis[0], basis[1], basis[2]
        expanded: list[_Hit] = []
        for layer, level, statement in self.hits:
            pool: _Statements | None = {
                "identity": plan.identity,
                "permissions-boundary": plan.boundary,
                "session-policy": plan.session,
            }.get(layer)
            if layer == "scp" and level is not None:
                pool = plan.scps[level]
            if statement.deny or pool is None:
                expanded.append((layer, level, statement))
                continue
            expanded += [(layer, level, s) for s in pool if s.check(resource, context)]
        return tuple(dict.fromkeys(expanded))

    def _near_misses(self) -> tuple[NearMiss, ...]:
        """For an implicit deny: the deciding layer's Allow statements that name the action."""
        basis = self._basis
        if basis is None or self.decision != "implicitDeny" or self.layer is None:
            return ()
        plan, resource, context, principal, has_boundary = basis
        layer = self.layer
        bound: Principal | None = None
        level: int | None = None
        pool: _Statements = ()
        if layer == "identity":
            pool = plan.identity
        elif layer == "permissions-boundary":
            pool = plan.boundary
        elif layer == "session-policy":
            pool = plan.session
        elif layer == "scp" and self.at is not None:
            pool, level = plan.scps[self.at], self.at
        elif layer == "vpc-endpoint" and self.at is not None:
            pool, bound = plan.vpc_endpoint[self.at], principal
        elif layer == "resource-policy":
            pool, bound = plan.resource, principal
        return near_misses(layer, level, pool, resource, context, bound, has_boundary)

    @property
    def explanation(self) -> Explanation:
        """The deciding layer and matched statements, named by policy and Sid or index; for an
        implicit deny, the statements that name the action but did not apply, and why."""
        matched = tuple(
            MatchedStatement(
                layer=layer,
                policy=s.policy.name,
                statement=s.statement.label,
                effect="Deny" if s.deny else "Allow",
                level=level,
            )
            for layer, level, s in self._all_hits()
        )
        misses = self._near_misses()
        reason, remedy = reason_and_remedy(self.reason, self.remedy, misses)
        return Explanation(self.layer, reason, matched, remedy, misses)


@functools.cache
def _rcp_services() -> frozenset[str]:
    from iamscope.engine.catalog import load_catalog

    return load_catalog().rcp_services()


def resource_owner(resource: str, default: str | None = None) -> str | None:
    """The account in a resource ARN, or ``default`` when the ARN carries none (S3 buckets and
    objects, ``*``, AWS managed policies under the ``aws`` account)."""
    parts = resource.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and parts[4] and parts[4] != "aws":
        return parts[4]
    return default


def _account_of(resource: str, given: str | None, principal: Principal) -> str | None:
    """The resource's account: as given, else from its ARN.

    An ARN without an account names either something every account has its own of (``*``, a
    Route 53 zone, an AWS managed policy: the caller's view) or an S3 bucket or object, which may
    be another account's: for an IAM principal that decides same- versus cross-account, so it
    must be given.
    """
    if given:
        return given
    parts = resource.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn":
        if parts[4] and parts[4] != "aws":
            return parts[4]
        if parts[2] == "s3" and principal.is_iam:
            raise RequestError(
                f"the resource {resource} carries no account: give the bucket owner's account "
                "(Request.resource_account); same- or cross-account access depends on it"
            )
    return principal.account


def _layers(policies: PolicySet, principal: Principal, service: str, resource_account: str | None) -> int:
    """Which policy layers apply to this principal and resource (a bit set of _L_*)."""
    management = policies.management_account
    layers = 0
    if principal.is_iam and principal.kind != PrincipalKind.ROOT:
        layers |= _L_IDENTITY
        if policies.permissions_boundary is not None:
            layers |= _L_BOUNDARY
    if principal.is_session and policies.session is not None:
        layers |= _L_SESSION
    # SCPs: not for service-linked roles, nor for the management account's principals.
    if (
        policies.scps is not None
        and principal.is_iam
        and not principal.is_service_linked_role
        and (management is None or principal.account != management)
    ):
        layers |= _L_SCP
    # RCPs: not for resources of the management account, nor for services they do not support.
    if (
        policies.rcps is not None
        and not principal.is_service_linked_role
        and (management is None or resource_account != management)
        and service in _rcp_services()
    ):
        layers |= _L_RCP
    return layers


def _allowing(
    statements: _Statements, resource: str, context: Mapping[str, ContextValue]
) -> list[CompiledStatement]:
    """The first statement that allows (one is enough to decide; explanations find the rest)."""
    for statement in statements:
        if statement.check(resource, context):
            return [statement]
    return []


def evaluate(request: Request, policies: PolicySet) -> Decision:
    """Decide one request as AWS would; raises :class:`RequestError` for an unreadable principal."""
    given = normalise_context(request.context)
    principal_arn = given.get("aws:principalarn")
    principal = parse_principal(request.principal, principal_arn if isinstance(principal_arn, str) else None)
    if principal is None:
        raise RequestError(f"principal {request.principal!r} is not an IAM ARN, service or 'anonymous'")
    action = request.action.lower()
    service, colon, _ = action.partition(":")
    if not colon:
        raise RequestError(f"action {request.action!r} is not service:action")
    if action in NO_PERMISSION_ACTIONS and principal.is_iam:
        return Decision(
            "allowed",
            "no-permission-needed",
            f"{request.action} needs no permission: AWS answers it for any signed request, "
            "and no deny in any policy stops it",
        )
    context: dict[str, ContextValue] = dict(principal.condition_keys)
    context.update(given)
    resource = request.resource
    resource_account = _account_of(resource, request.resource_account, principal)
    plan_key = (action, request.principal, principal_arn, resource_account)
    plan = policies._by_request.get(plan_key)
    if plan is None:
        plan = policies.plan(action, _layers(policies, principal, service, resource_account))
        if len(policies._by_request) < 65536:
            policies._by_request[plan_key] = plan
    decision = _decide(plan, policies, request, action, principal, context, resource_account)
    decision._basis = (plan, resource, context, principal, policies.permissions_boundary is not None)
    return decision


def _decide(
    plan: _Plan,
    policies: PolicySet,
    request: Request,
    action: str,
    principal: Principal,
    context: Mapping[str, ContextValue],
    resource_account: str | None,
) -> Decision:
    """Explicit denies, SCPs and VPC endpoint policies, then the permission policies."""
    resource = request.resource
    has_boundary = policies.permissions_boundary is not None

    # 1. Explicit deny anywhere (RCPs decide only here: AWS attaches RCPFullAWSAccess everywhere).
    if plan.denies:
        denies: list[_Hit] = []
        for layer, level, statement, principal_bound in plan.denies:
            if principal_bound and statement.grant(principal, has_boundary) == Grant.NONE:
                continue
            if statement.check(resource, context):
                denies.append((layer, level, statement))
        if denies:
            return Decision(
                "explicitDeny",
                denies[0][0],
                f"explicitly denied by {len(denies)} statement(s); an explicit deny overrides every allow",
                tuple(denies),
                "remove or narrow the Deny statement(s) listed, or change the request so they do not match",
            )

    # AWS protects some resources whatever the policies say (engine.protections).
    if action in PROTECTED_ACTIONS:
        found_protection = protection(action, resource, principal.arn if principal.is_iam else principal.name)
        if found_protection is not None:
            return Decision(
                "implicitDeny",
                "aws-protection",
                f"AWS protects this resource: {found_protection.reason}",
                (),
                f"none in any policy: AWS refuses {request.action} on it ({found_protection.doc})",
            )

    # 2. SCPs: an Allow is needed at every level of the organization path.
    allows: list[_Hit] = []
    for level, statements in enumerate(plan.scps):
        found = _allowing(statements, resource, context)
        if not found:
            return Decision(
                "implicitDeny",
                "scp",
                f"no SCP attached at level {level} of the organization path allows {request.action}",
                tuple(allows),
                f"allow {request.action} in an SCP attached at level {level} (root=0)",
                at=level,
            )
        allows += [("scp", level, s) for s in found]

    # 3. VPC endpoint policies must allow requests that pass through the endpoint.
    for index, statements in enumerate(plan.vpc_endpoint):
        found = [
            s
            for s in statements
            if s.grant(principal, has_boundary) != Grant.NONE and s.check(resource, context)
        ]
        if not found:
            return Decision(
                "implicitDeny",
                "vpc-endpoint",
                "the VPC endpoint policy does not allow this request",
                tuple(allows),
                f"allow {request.action} for this principal in the VPC endpoint policy",
                at=index,
            )
        allows += [("vpc-endpoint", None, s) for s in found]

    return _permissions(plan, policies, request, principal, context, resource_account, allows)


def _permissions(
    plan: _Plan,
    policies: PolicySet,
    request: Request,
    principal: Principal,
    context: Mapping[str, ContextValue],
    resource_account: str | None,
    allows: list[_Hit],
) -> Decision:
    """Resource-based, identity, boundary and session policies (after denies, SCPs and VPCE)."""
    resource = request.resource
    has_boundary = policies.permissions_boundary is not None
    grant = Grant.NONE
    resource_hits: list[_Hit] = []
    for statement in plan.resource:
        statement_grant = statement.grant(principal, has_boundary)
        if statement_grant != Grant.NONE and statement.check(resource, context):
            grant = max(grant, statement_grant)
            resource_hits.append(("resource-policy", None, statement))
    must_allow = _must_allow(request.action.lower(), resource)

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
    if must_allow == "role trust policy" and principal.kind == PrincipalKind.ROOT:
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
        if grant == Grant.DIRECT and must_allow == "role trust policy":
            # id_roles_update-role-trust-policy: a user named in the trust policy still needs
            # its permissions boundary to allow sts:AssumeRole.
            limit = _boundary(plan, policies, principal, request, context, allows)
            if isinstance(limit, Decision):
                return limit
        if grant == Grant.DIRECT:
            return Decision(
                "allowed",
                "resource-policy",
                "the resource-based policy names this principal directly (same account), "
                "which implicit denies in identity, boundary or session policies do not limit",
                tuple(allows + resource_hits),
            )
        if grant == Grant.ROLE:
            limits = _limits(plan, policies, principal, request, context, allows)
            if isinstance(limits, Decision):
                return limits
            return Decision(
                "allowed",
                "resource-policy",
                "the resource-based policy names the role (same account); "
                "the boundary and session policy allow too",
                tuple(allows + resource_hits + limits),
            )

    # The identity path: identity policies, then boundary, then session policy.
    identity_hits: list[_Hit] = []
    if principal.kind != PrincipalKind.ROOT:
        found = _allowing(plan.identity, resource, context)
        if not found:
            reason = "no identity-based policy allows the request"
            if resource_hits:
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
    limits = _limits(plan, policies, principal, request, context, allows + identity_hits)
    if isinstance(limits, Decision):
        return limits
    layer: Layer = "resource-policy" if cross_account else "identity"
    reason = (
        "allowed by the identity-based policy and the other account's resource-based policy"
        if cross_account
        else "allowed by an identity-based policy"
    )
    return Decision("allowed", layer, reason, tuple(allows + identity_hits + limits + resource_hits))


def _must_allow(action: str, resource: str) -> str | None:
    """Role trust policies and KMS key policies must allow on their own."""
    if action in TRUST_ACTIONS:
        arn = parse_arn(resource)
        if arn is not None and arn.service == "iam" and arn.resource.startswith("role/"):
            return "role trust policy"
    elif action.startswith("kms:"):
        arn = parse_arn(resource)
        if arn is not None and arn.service == "kms" and arn.resource.startswith("key/"):
            return "key policy"
    return None


def _boundary(
    plan: _Plan,
    policies: PolicySet,
    principal: Principal,
    request: Request,
    context: Mapping[str, ContextValue],
    allows: list[_Hit],
) -> Decision | list[_Hit]:
    """The boundary's implicit deny, or the boundary statements that allow (none without one)."""
    if policies.permissions_boundary is None or principal.kind == PrincipalKind.ROOT:
        return []
    found = _allowing(plan.boundary, request.resource, context)
    if not found:
        return Decision(
            "implicitDeny",
            "permissions-boundary",
            "the permissions boundary does not allow the request",
            tuple(allows),
            f"allow {request.action} in the permissions boundary",
        )
    return [("permissions-boundary", None, s) for s in found]


def _limits(
    plan: _Plan,
    policies: PolicySet,
    principal: Principal,
    request: Request,
    context: Mapping[str, ContextValue],
    allows: list[_Hit],
) -> Decision | list[_Hit]:
    """The implicit deny of a permissions boundary or session policy, or what they allowed with."""
    hits = _boundary(plan, policies, principal, request, context, allows)
    if isinstance(hits, Decision) or not principal.is_session:
        return hits
    if policies.session is not None:
        found = _allowing(plan.session, request.resource, context)
        if not found:
            return Decision(
                "implicitDeny",
                "session-policy",
                "the session policy does not allow the request",
                tuple(allows + hits),
                f"allow {request.action} in the session policy passed when the session was created",
            )
        return hits + [("session-policy", None, s) for s in found]
    if principal.kind == PrincipalKind.FEDERATED_USER:
        return Decision(
            "implicitDeny",
            "session-policy",
            "a federated user session without a session policy has no permissions",
            tuple(allows + hits),
            "pass a session policy to GetFederationToken",
        )
    return hits
