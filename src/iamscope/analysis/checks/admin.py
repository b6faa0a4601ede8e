"""Administrator-equivalence as AWS users mean it, decided through the engine.

A principal is administrator-equivalent when, after explicit denies, permissions boundaries, SCPs
and RCPs, both hold:

1. **It can grant itself anything** (a *route*): write an identity policy on itself
   (``iam:PutUserPolicy`` / ``iam:AttachUserPolicy`` / ``iam:PutRolePolicy`` /
   ``iam:AttachRolePolicy`` on its own ARN, AdministratorAccess as the policy to attach), on a
   group it is a member of, write a new default version of a customer managed policy attached to
   it (``iam:CreatePolicyVersion``), or create a new user or role with any policy and credentials
   for it.
2. **What it can grant itself reaches (almost) everything**: with an allow-everything identity
   policy added (its own denies, its boundary unless it may remove it, SCPs and RCPs kept; a new
   identity has no boundary), the engine allows at least ``ADMIN_COVERAGE`` of the breadth probes,
   one ordinary write action in each of many services.

``*`` on ``*`` passes both through the principal's own policies. A guardrail that denies a handful
of actions (``cloudtrail:StopLogging``, ``organizations:LeaveOrganization``) costs a probe or
none, not the verdict, and the verdict names which statement denies what. An SCP or boundary that
denies IAM writes (no route) or allows only a few services (little reach) makes the principal not
an administrator.

Where the policies condition on ``aws:RequestedRegion``, reach is measured in each region they
name (and each collected region) until one shows administrator reach: a region guardrail says
*where*, not *what*.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from iamscope.analysis.checks.access import AccountAccess, Subject
from iamscope.analysis.checks.probes import (
    ADMIN_COVERAGE,
    BREADTH_PROBES,
    GUARDRAIL_PROBES,
    PROBE_CONTEXT,
    PROBE_NAME,
    PROBE_REGION,
    probe_resource,
)
from iamscope.analysis.checks.registry import CheckContext
from iamscope.engine import (
    CompiledPolicy,
    CompiledStatement,
    Decision,
    PolicySet,
    Request,
    compile_policy,
    evaluate,
)
from iamscope.engine.catalog import load_catalog
from iamscope.model.document import JsonValue
from iamscope.model.snapshot import CredentialReportRow, Group, User

__all__ = ["AdminJudge", "AdminVerdict", "Denial", "Reach", "Route", "admin_judge"]

_MEMO_KEY = "admin"
_REGION_KEY = "aws:requestedregion"
# Every action a route step or a boundary removal asks about, except sts:AssumeRole (a role the
# principal made trusts it directly, so no identity policy needs to name it).
_ROUTE_ACTIONS = (
    "iam:PutUserPolicy",
    "iam:AttachUserPolicy",
    "iam:PutGroupPolicy",
    "iam:AttachGroupPolicy",
    "iam:PutRolePolicy",
    "iam:AttachRolePolicy",
    "iam:CreatePolicyVersion",
    "iam:CreateUser",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:CreateRole",
    "iam:DeleteUserPermissionsBoundary",
    "iam:PutUserPermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
    "iam:PutRolePermissionsBoundary",
)


@dataclass(frozen=True, slots=True)
class Route:
    """How the principal can grant itself anything: the engine allowed every step."""

    description: str
    actions: tuple[str, ...]  # the allowed action of each step
    resource: str  # what the first step acts on
    decided_by: tuple[str, ...]  # the statements that allowed the first step


@dataclass(frozen=True, slots=True)
class Denial:
    """Probe actions one guardrail denies (a Deny statement, or a layer that allows none of them)."""

    by: str
    actions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Reach:
    """Breadth probes allowed once the principal has granted itself everything, in one region."""

    region: str
    allowed: int
    probes: int
    denied: tuple[Denial, ...]

    @property
    def broad(self) -> bool:
        """Whether the share allowed makes the principal able to do (almost) everything."""
        return self.allowed >= ADMIN_COVERAGE * self.probes


@dataclass(frozen=True, slots=True)
class AdminVerdict:
    """An administrator-equivalent principal: its route and what it reaches."""

    route: Route
    reach: Reach


@dataclass(frozen=True, slots=True)
class _Step:
    actions: tuple[str, ...]  # any one of them will do
    resource: str
    trust_self: bool = False  # the resource is a role the principal made to trust itself


@dataclass(frozen=True, slots=True)
class _Candidate:
    description: str
    steps: tuple[_Step, ...]
    fresh: str | None = None  # "user" / "role": the grant goes to a new identity of that kind


@functools.cache
def _allow_all() -> CompiledPolicy:
    document: JsonValue = {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "GrantedToItself", "Effect": "Allow", "Action": "*", "Resource": "*"}],
    }
    return compile_policy(document, "iamscope-granted-to-itself", "identity")


@functools.cache
def _probe_actions() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The breadth and guardrail probes the catalogue knows."""
    catalog = load_catalog()
    breadth = tuple(a for a in BREADTH_PROBES if catalog.action(a) is not None)
    guardrails = tuple(a for a in GUARDRAIL_PROBES if catalog.action(a) is not None)
    return breadth, guardrails


def _denier(decision: Decision, action: str) -> str:
    """What denied one probe: the Deny statements, or the layer that allows none."""
    if decision.decision == "explicitDeny":
        return ", ".join(str(m) for m in decision.explanation.matched if m.effect == "Deny")
    return "implicit deny: " + decision.reason.replace(action, "the action")


@dataclass(slots=True)
class AdminJudge:
    """Administrator verdicts for one account's subjects, asked once each and shared by checks."""

    access: AccountAccess
    _verdicts: dict[str, AdminVerdict | None] = field(default_factory=dict)
    _reach: dict[Hashable, Reach] = field(default_factory=dict)
    _unprotected: dict[str, tuple[Subject, AdminVerdict, CredentialReportRow]] | None = None
    _groups: dict[str, Group] | None = None

    def verdict(self, subject: Subject) -> AdminVerdict | None:
        """The subject's route and reach when it is administrator-equivalent, else None."""
        if subject.arn not in self._verdicts:
            self._verdicts[subject.arn] = self._judge(subject)
        return self._verdicts[subject.arn]

    def without_mfa(self) -> dict[str, tuple[Subject, AdminVerdict, CredentialReportRow]]:
        """Administrator-equivalent users with a console password and no MFA, by ARN (one
        critical finding each, instead of an administrator and a missing-MFA finding)."""
        if self._unprotected is None:
            rows = {r.arn: r for r in self.access.ctx.account.credential_report or () if not r.is_root}
            found = {}
            for subject in self.access.subjects:
                row = rows.get(subject.arn)
                if subject.kind != "user" or row is None or not row.password_enabled or row.mfa_active:
                    continue
                verdict = self.verdict(subject)
                if verdict is not None:
                    found[subject.arn] = (subject, verdict, row)
            self._unprotected = found
        return self._unprotected

    # -- routes ---------------------------------------------------------------------------------

    def _judge(self, subject: Subject) -> AdminVerdict | None:
        named = self._named(subject)
        if named is not None and not named:
            return None  # no identity Allow names any route action: no route
        removable: bool | None = None
        for candidate in self._candidates(subject):
            route = self._route(subject, candidate, named)
            if route is None:
                continue
            if candidate.fresh is None and removable is None:
                removable = self._boundary_removable(subject, named)
            for reach in self._reaches(subject, candidate.fresh, bool(removable)):
                if reach.broad:
                    return AdminVerdict(route, reach)
        return None

    def _candidates(self, subject: Subject) -> Iterator[_Candidate]:
        ctx = self.access.ctx
        partition, account = ctx.partition, ctx.account_id
        entity = subject.principal
        if isinstance(entity, User):
            yield _Candidate(
                "write an inline policy on itself", (_Step(("iam:PutUserPolicy",), subject.arn),)
            )
            yield _Candidate(
                "attach any managed policy to itself", (_Step(("iam:AttachUserPolicy",), subject.arn),)
            )
            for name in entity.groups:
                group = self._group(name)
                if group is not None:
                    yield _Candidate(
                        f"change the policies of its group {name}",
                        (_Step(("iam:PutGroupPolicy", "iam:AttachGroupPolicy"), group.arn),),
                    )
        else:
            yield _Candidate(
                "write an inline policy on itself", (_Step(("iam:PutRolePolicy",), subject.arn),)
            )
            yield _Candidate(
                "attach any managed policy to itself", (_Step(("iam:AttachRolePolicy",), subject.arn),)
            )
        for arn, name in self._own_customer_policies(subject):
            yield _Candidate(
                f"write a new default version of its policy {name}",
                (_Step(("iam:CreatePolicyVersion",), arn),),
            )
        new_user = f"arn:{partition}:iam::{account}:user/{PROBE_NAME}"
        yield _Candidate(
            "create a user with any policy and credentials for it",
            (
                _Step(("iam:CreateUser",), new_user),
                _Step(("iam:PutUserPolicy", "iam:AttachUserPolicy"), new_user),
                _Step(("iam:CreateAccessKey", "iam:CreateLoginProfile"), new_user),
            ),
            fresh="user",
        )
        new_role = f"arn:{partition}:iam::{account}:role/{PROBE_NAME}"
        yield _Candidate(
            "create a role with any policy that trusts itself, and assume it",
            (
                _Step(("iam:CreateRole",), new_role),
                _Step(("iam:PutRolePolicy", "iam:AttachRolePolicy"), new_role),
                _Step(("sts:AssumeRole",), new_role, trust_self=True),
            ),
            fresh="role",
        )

    def _group(self, name: str) -> Group | None:
        if self._groups is None:
            self._groups = {g.name: g for g in self.access.ctx.account.groups or ()}
        return self._groups.get(name)

    def _own_customer_policies(self, subject: Subject) -> list[tuple[str, str]]:
        """(ARN, name) of the customer managed policies attached to the subject or its groups."""
        entity = subject.principal
        attached = list(entity.attached_policies)
        if isinstance(entity, User):
            for name in entity.groups:
                group = self._group(name)
                if group is not None:
                    attached += group.attached_policies
        found = {
            a.arn: a.name or a.arn.rpartition("/")[2] for a in attached if ":iam::aws:policy/" not in a.arn
        }
        return sorted(found.items())

    def _named(self, subject: Subject) -> frozenset[str] | None:
        """The route actions (lower-cased) some identity Allow statement of the subject covers;
        an action none covers can only be implicitly denied. None: sharing is off, ask them all."""
        access = self.access
        if not access.share:
            return None
        table = access.index.table(_ROUTE_ACTIONS)
        named: set[str] = set()
        for policy in subject.policies.identity:
            for item in access.index.coverage(policy, table):
                if not item.deny:
                    named.update(table.lowered[i] for i in item.actions)
        return frozenset(named)

    def _route(self, subject: Subject, candidate: _Candidate, named: frozenset[str] | None) -> Route | None:
        allowed: list[str] = []
        first: Decision | None = None
        for step in candidate.steps:
            chosen = None
            for action in step.actions:
                if named is not None and not step.trust_self and action.lower() not in named:
                    continue
                decision = self._ask(subject, action, step.resource, step.trust_self)
                if decision.allowed:
                    chosen = (action, decision)
                    break
            if chosen is None:
                return None
            allowed.append(chosen[0])
            first = first or chosen[1]
        if first is None:
            return None
        described = f"{candidate.description} ({', '.join(allowed)})"
        matched = tuple(str(m) for m in first.explanation.matched)
        return Route(described, tuple(allowed), candidate.steps[0].resource, matched)

    def _ask(self, subject: Subject, action: str, resource: str, trust_self: bool = False) -> Decision:
        """The engine's decision on one concrete request of the subject."""
        policies = subject.policies
        lowered = action.lower()
        if trust_self:
            # The trust names the subject itself: it may allow without an identity policy.
            policies = replace(policies, resource=_trusting(subject.arn))
        context = dict(PROBE_CONTEXT)
        if lowered.startswith("iam:attach"):
            context["iam:PolicyARN"] = f"arn:{self.access.ctx.partition}:iam::aws:policy/AdministratorAccess"
        if lowered.endswith("permissionsboundary"):
            context["iam:PermissionsBoundary"] = (
                f"arn:{self.access.ctx.partition}:iam::aws:policy/AdministratorAccess"
            )
        request = Request(
            principal=subject.arn,
            action=action,
            resource=resource,
            resource_account=self.access.ctx.account_id,
            context=context,
        )
        return evaluate(request, policies)

    def _boundary_removable(self, subject: Subject, named: frozenset[str] | None) -> bool:
        """Whether the subject may delete or replace its own permissions boundary."""
        if subject.policies.permissions_boundary is None:
            return False
        kind = "User" if subject.kind == "user" else "Role"
        for action in (f"iam:Delete{kind}PermissionsBoundary", f"iam:Put{kind}PermissionsBoundary"):
            if named is not None and action.lower() not in named:
                continue
            if self._ask(subject, action, subject.arn).allowed:
                return True
        return False

    # -- reach ----------------------------------------------------------------------------------

    def _reaches(self, subject: Subject, fresh: str | None, removable: bool) -> Iterator[Reach]:
        """Reach in the probe region, then in each other region the policies name."""
        ctx = self.access.ctx
        if fresh is not None:
            principal = f"arn:{ctx.partition}:iam::{ctx.account_id}:{fresh}/{PROBE_NAME}"
            base = subject.policies
            policies = PolicySet(
                identity=(_allow_all(),),
                scps=base.scps,
                rcps=base.rcps,
                management_account=base.management_account,
            )
            key: Hashable | None = (
                ("fresh", fresh, id(base.scps), id(base.rcps), base.management_account)
                if self.access.share
                else None
            )
        else:
            principal = subject.arn
            base = subject.policies
            boundary = None if removable else base.permissions_boundary
            policies = replace(base, identity=(*base.identity, _allow_all()), permissions_boundary=boundary)
            key = self._self_key(subject, boundary)
        for region in self._regions_of(policies):
            cache_key = None if key is None else (key, region)
            found = None if cache_key is None else self._reach.get(cache_key)
            if found is None:
                found = _measure(principal, policies, ctx, region)
                if cache_key is not None:
                    self._reach[cache_key] = found
            yield found

    def _self_key(self, subject: Subject, boundary: Sequence[CompiledPolicy] | None) -> Hashable | None:
        """Subjects with this key reach the same once they grant themselves everything: same
        group (kind, SCPs, RCPs), the same Deny statements, the same boundary, and nothing in
        them reads the principal. None: measure this subject on its own."""
        access = self.access
        if not access.share:
            return None
        policies = subject.policies
        denies = [s for p in policies.identity for s in p.statements if s.deny]
        bounding = [s for p in boundary or () for s in p.statements]
        if any(access.index.describe(s)[1] for s in (*denies, *bounding, *_organization(policies))):
            return None
        return (
            access.group_number(subject),
            tuple(id(s) for s in denies),
            None if boundary is None else tuple(id(p) for p in boundary),
        )

    def _regions_of(self, policies: PolicySet) -> tuple[str, ...]:
        """The probe region, then the other regions worth trying (only when a policy conditions
        on aws:RequestedRegion)."""
        statements = [
            s
            for group in (policies.identity, policies.permissions_boundary or ())
            for p in group
            for s in p.statements
        ]
        statements += _organization(policies)
        named: set[str] = set()
        for statement in statements:
            named |= _region_values(statement)
        if not named:
            return (PROBE_REGION,)
        named |= set(self.access.ctx.account.regions or ())
        named.discard(PROBE_REGION)
        return (PROBE_REGION, *sorted(named))


def _organization(policies: PolicySet) -> list[CompiledStatement]:
    """Every SCP and RCP statement on the principal's path."""
    return [
        s
        for levels in (policies.scps, policies.rcps)
        for level in levels or ()
        for p in level
        for s in p.statements
    ]


def _region_values(statement: CompiledStatement) -> set[str]:
    """Literal regions a statement's aws:RequestedRegion conditions name."""
    return {
        value
        for clause in statement.statement.conditions
        if clause.key.lower() == _REGION_KEY
        for value in clause.values
        if not any(c in value for c in "*?$")
    }


def _trusting(arn: str) -> CompiledPolicy:
    """A trust policy that names ``arn`` (the creator of a new role writes its trust)."""
    statement: JsonValue = {"Effect": "Allow", "Principal": {"AWS": arn}, "Action": "sts:AssumeRole"}
    return compile_policy({"Version": "2012-10-17", "Statement": [statement]}, "trust-of-new-role", "trust")


def _measure(principal: str, policies: PolicySet, ctx: CheckContext, region: str) -> Reach:
    """Ask the engine every breadth and guardrail probe in one region."""
    breadth, guardrails = _probe_actions()
    context = {**PROBE_CONTEXT, "aws:RequestedRegion": region}
    allowed = 0
    denied: dict[str, list[str]] = {}
    for index, action in enumerate((*breadth, *guardrails)):
        request = Request(
            principal=principal,
            action=action,
            resource=probe_resource(action, ctx.partition, ctx.account_id, region),
            resource_account=ctx.account_id,
            context=context,
        )
        decision = evaluate(request, policies)
        if not decision.allowed:
            denied.setdefault(_denier(decision, action), []).append(action)
        elif index < len(breadth):
            allowed += 1
    return Reach(
        region=region,
        allowed=allowed,
        probes=len(breadth),
        denied=tuple(Denial(by, tuple(actions)) for by, actions in denied.items()),
    )


def admin_judge(ctx: CheckContext, access: AccountAccess) -> AdminJudge:
    """The account's judge (made once per account and shared by the checks)."""
    cached = ctx.memo.get(_MEMO_KEY)
    if isinstance(cached, AdminJudge) and cached.access is access:
        return cached
    judge = AdminJudge(access)
    ctx.memo[_MEMO_KEY] = judge
    return judge
