"""The engine's view of a snapshot: each principal's compiled policies, boundary, SCPs and RCPs.

Every analysis that asks "can X do Y" (assess checks, replay, who-can, right-sizing) builds its
:class:`~iamscope.engine.PolicySet` here. Documents compile once per account and are shared by
every principal. They are what AWS stores, so they compile leniently: an odd element matches
nothing and is recorded in :attr:`AccessModel.problems` by policy and JSON path, while the rest of
the document (its denies above all) still counts.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from iamscope.engine import CompiledPolicy, PolicyError, PolicySet, compile_policy
from iamscope.engine.evaluate import TRUST_ACTIONS
from iamscope.engine.parse import PolicyKind
from iamscope.model.arn import parse_arn
from iamscope.model.document import JsonValue
from iamscope.model.snapshot import (
    AccountSnapshot,
    AttachedPolicy,
    InlinePolicy,
    ResourcePolicy,
    Role,
    Snapshot,
    User,
)

__all__ = ["AccessModel", "Identity", "policy_set_for"]


@dataclass(frozen=True, slots=True)
class Identity:
    """A user or role of one account, as a principal the engine can evaluate."""

    account_id: str
    entity: User | Role

    @property
    def arn(self) -> str:
        """The user or role ARN (the request principal for evaluation)."""
        return self.entity.arn

    @property
    def kind(self) -> str:
        """``user`` or ``role``."""
        return "user" if isinstance(self.entity, User) else "role"


@dataclass(slots=True)
class _Account:
    snapshot: AccountSnapshot
    managed: dict[str, CompiledPolicy | None] = field(default_factory=dict)
    inline: dict[tuple[str, str], CompiledPolicy | None] = field(default_factory=dict)
    scps: tuple[tuple[CompiledPolicy, ...], ...] | None = None
    rcps: tuple[tuple[CompiledPolicy, ...], ...] | None = None
    resources: dict[str, ResourcePolicy] | None = None


class AccessModel:
    """Compiled policies of a whole snapshot, shared by every question asked of it."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.problems: list[str] = []
        self._accounts: dict[str, _Account] = {}
        self._compiled_resource: dict[tuple[str, str], CompiledPolicy | None] = {}
        self._bucket_owners: dict[str, str] | None = None
        organization = snapshot.organization
        self.management_account = organization.management_account_id if organization else None

    # -- lookup ---------------------------------------------------------------------------------

    def identities(self) -> Iterator[Identity]:
        """Every user and role of every account, in snapshot order."""
        for account_id, account in self.snapshot.accounts.items():
            for user in account.users or ():
                yield Identity(account_id, user)
            for role in account.roles or ():
                yield Identity(account_id, role)

    def identity(self, principal_arn: str) -> Identity | None:
        """The user or role behind a user, role or assumed-role session ARN."""
        arn = parse_arn(principal_arn)
        if arn is None:
            return None
        account = self.snapshot.accounts.get(arn.account)
        if account is None:
            return None
        kind, _, rest = arn.resource.partition("/")
        if arn.service == "sts" and kind == "assumed-role":
            name = rest.partition("/")[0]
            kind = "role"
        else:
            name = rest.rpartition("/")[2]
        if kind == "user":
            user = next((u for u in account.users or () if u.name == name), None)
            return Identity(arn.account, user) if user is not None else None
        if kind == "role":
            role = next((r for r in account.roles or () if r.name == name), None)
            return Identity(arn.account, role) if role is not None else None
        return None

    def resource_policy(self, resource_arn: str, action: str = "") -> ResourcePolicy | None:
        """The resource-based policy governing ``resource_arn`` (a bucket's for its objects, a
        role's trust policy for ``sts:AssumeRole``), or None when none was collected."""
        arn = parse_arn(resource_arn)
        if arn is None:
            return None
        if arn.service == "iam" and arn.resource.startswith("role/") and action.lower() in TRUST_ACTIONS:
            identity = self.identity(resource_arn)
            if identity is not None and isinstance(identity.entity, Role):
                role = identity.entity
                return ResourcePolicy(role.arn, "iam", "global", role.trust_policy, role.name)
            return None
        if arn.service == "s3" and "/" in arn.resource:
            resource_arn = f"arn:{arn.partition}:s3:::{arn.resource.split('/', 1)[0]}"
        for account_id in self.snapshot.accounts:
            found = self._account(account_id).resources
            if found and resource_arn in found:
                return found[resource_arn]
        return None

    def resource_account(self, resource_arn: str) -> str | None:
        """The account that owns ``resource_arn``: from the ARN, or for an S3 bucket or object (whose
        ARN carries none) the collected account that lists the bucket or holds its policy; None
        when no collected account does (it is not assumed to be the caller's)."""
        arn = parse_arn(resource_arn)
        if arn is None:
            return None
        if arn.account and arn.account != "aws":
            return arn.account
        if arn.service != "s3" or not arn.resource:
            return None
        if self._bucket_owners is None:
            owners: dict[str, str] = {}
            for account_id, account in self.snapshot.accounts.items():
                for policy in account.resource_policies or ():
                    if policy.service == "s3":
                        owners.setdefault(policy.arn, account_id)
                for bucket in account.buckets or ():
                    owners.setdefault(bucket.arn, account_id)
            self._bucket_owners = owners
        return self._bucket_owners.get(f"arn:{arn.partition}:s3:::{arn.resource.split('/', 1)[0]}")

    # -- policy sets ----------------------------------------------------------------------------

    def policy_set(
        self,
        principal: Identity | str,
        *,
        resource_arn: str | None = None,
        action: str = "",
        resource_policy: JsonValue | CompiledPolicy | None = None,
        session_policy: JsonValue | CompiledPolicy | None = None,
    ) -> PolicySet:
        """Everything that applies when ``principal`` acts on ``resource_arn``.

        The resource policy is looked up in the snapshot from ``resource_arn`` (and ``action``,
        for trust policies) unless one is given. Unknown principals get an empty identity side.
        """
        identity = self.identity(principal) if isinstance(principal, str) else principal
        identity_policies: list[CompiledPolicy] = []
        boundary: tuple[CompiledPolicy, ...] | None = None
        scps = None
        principal_account = None
        if identity is not None:
            account = self._account(identity.account_id)
            principal_account = identity.account_id
            entity = identity.entity
            identity_policies = self._attached(
                account, entity.name, entity.attached_policies, entity.inline_policies
            )
            if isinstance(entity, User):
                groups = {g.name: g for g in account.snapshot.groups or ()}
                for name in entity.groups:
                    group = groups.get(name)
                    if group is not None:
                        identity_policies += self._attached(
                            account, f"group/{group.name}", group.attached_policies, group.inline_policies
                        )
            if entity.permissions_boundary:
                compiled = self._managed(account, entity.permissions_boundary, "boundary")
                boundary = (compiled,) if compiled is not None else None
            scps = self._levels(account, "SERVICE_CONTROL_POLICY")
        resource = self._resource(resource_arn, action, resource_policy)
        # RCPs are the resource account's; a bucket of an account not collected has unknown RCPs.
        resource_account = self.resource_account(resource_arn) if resource_arn else principal_account
        rcps = None
        if resource_account is not None and resource_account in self.snapshot.accounts:
            rcps = self._levels(self._account(resource_account), "RESOURCE_CONTROL_POLICY")
        return PolicySet(
            identity=tuple(identity_policies),
            permissions_boundary=boundary,
            session=self._given(session_policy, "session", "session"),
            resource=resource,
            scps=scps,
            rcps=rcps,
            management_account=self.management_account,
        )

    def scp_levels(self, account_id: str) -> tuple[tuple[CompiledPolicy, ...], ...] | None:
        """The SCPs attached at each level from the organization root to the account (None: no
        organization known, or the account is not a member)."""
        return self._levels(self._account(account_id), "SERVICE_CONTROL_POLICY")

    # -- compilation ----------------------------------------------------------------------------

    def compile(self, document: JsonValue, name: str, kind: PolicyKind = "any") -> CompiledPolicy | None:
        """Compile one stored document leniently; only a document that is not a JSON object at all
        is left out. Each element that matches nothing is recorded with its JSON path."""
        try:
            compiled = compile_policy(document, name, kind, lenient=True)
        except PolicyError as error:
            self.problems.append(f"policy {name} left out: {error}")
            return None
        self.problems += [
            f"policy {name}: {problem} (the rest of the policy still applies)"
            for problem in compiled.problems
        ]
        return compiled

    def _given(
        self, value: JsonValue | CompiledPolicy | None, name: str, kind: PolicyKind
    ) -> CompiledPolicy | None:
        if value is None or isinstance(value, CompiledPolicy):
            return value
        return self.compile(value, name, kind)

    def _account(self, account_id: str) -> _Account:
        found = self._accounts.get(account_id)
        if found is None:
            snapshot = self.snapshot.accounts.get(account_id) or AccountSnapshot(account_id)
            found = _Account(snapshot)
            found.resources = {p.arn: p for p in snapshot.resource_policies or ()}
            self._accounts[account_id] = found
        return found

    def _managed(self, account: _Account, arn: str, kind: PolicyKind) -> CompiledPolicy | None:
        if arn not in account.managed:
            policy = (account.snapshot.policies or {}).get(arn)
            if policy is None:
                self.problems.append(
                    f"account {account.snapshot.account_id}: managed policy {arn} is attached but its "
                    "document was not collected; left out"
                )
                account.managed[arn] = None
            else:
                name = policy.name or arn.rpartition("/")[2]
                account.managed[arn] = self.compile(policy.document, name, kind)
        return account.managed[arn]

    def _attached(
        self,
        account: _Account,
        owner: str,
        attached: Sequence[AttachedPolicy],
        inline: Sequence[InlinePolicy],
    ) -> list[CompiledPolicy]:
        found = [p for a in attached if (p := self._managed(account, a.arn, "identity")) is not None]
        for item in inline:
            key = (owner, item.name)
            if key not in account.inline:
                account.inline[key] = self.compile(item.document, f"{owner}/{item.name}", "identity")
            compiled = account.inline[key]
            if compiled is not None:
                found.append(compiled)
        return found

    def _levels(self, account: _Account, kind: str) -> tuple[tuple[CompiledPolicy, ...], ...] | None:
        organization = self.snapshot.organization
        if organization is None:
            return None
        cached = account.scps if kind == "SERVICE_CONTROL_POLICY" else account.rcps
        if cached is not None:
            return cached
        policy_kind: PolicyKind = "scp" if kind == "SERVICE_CONTROL_POLICY" else "rcp"
        levels = organization.levels(account.snapshot.account_id, kind)  # type: ignore[arg-type]
        if not levels:
            return None
        compiled = tuple(
            tuple(c for p in level if (c := self.compile(p.document, p.name, policy_kind)) is not None)
            for level in levels
        )
        if kind == "SERVICE_CONTROL_POLICY":
            account.scps = compiled
        else:
            account.rcps = compiled
        return compiled

    def _resource(
        self, resource_arn: str | None, action: str, given: JsonValue | CompiledPolicy | None
    ) -> CompiledPolicy | None:
        if given is not None:
            return self._given(given, "resource-policy", "resource")
        if resource_arn is None:
            return None
        found = self.resource_policy(resource_arn, action)
        if found is None:
            return None
        key = (found.arn, "trust" if found.service == "iam" else "resource")
        if key not in self._compiled_resource:
            kind: PolicyKind = "trust" if found.service == "iam" else "resource"
            self._compiled_resource[key] = self.compile(found.document, found.name or found.arn, kind)
        return self._compiled_resource[key]


def policy_set_for(
    snapshot: Snapshot,
    principal_arn: str,
    resource_policy: JsonValue | CompiledPolicy | None = None,
) -> PolicySet:
    """One principal's policy set (for many principals, keep one :class:`AccessModel`)."""
    return AccessModel(snapshot).policy_set(principal_arn, resource_policy=resource_policy)
