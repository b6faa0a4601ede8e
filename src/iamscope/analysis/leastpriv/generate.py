"""``generate-policy``: the smallest identity policy covering what a principal did successfully.

Actions are grouped by service, and within a service by identical resource sets. Resources are the
ARNs seen; ``*`` only for actions that take no resource in the catalogue (``wildcard_only``) or
calls that named none. A per-call id (a session, request, token) becomes its stable pattern
(``session/alice-*``). A privilege-escalation action never gets ``*`` (or every resource of its
type) unless the caller allows it by name: it is left out with a warning. ``iam:PassRole`` is
scoped to the roles passed and conditioned on ``iam:PassedToService``. ``--generalize prefix``
replaces the S3 object keys of one bucket with their longest common folder + ``*``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from iamscope.analysis.checks.probes import category_actions
from iamscope.analysis.leastpriv.conditions import (
    PolicyConditions,
    allow_condition,
    source_ip_statement,
)
from iamscope.analysis.leastpriv.resource_patterns import is_whole_type_wildcard, stable_resources
from iamscope.analysis.leastpriv.size import (
    MANAGED_POLICY_LIMIT,
    MAX_MANAGED_POLICIES_PER_ROLE,
    split_policies,
)
from iamscope.engine.catalog import ActionInfo, Catalog
from iamscope.model.activity import UsedCall
from iamscope.model.document import JsonObject, JsonValue

__all__ = ["DEPENDENT_ACTIONS", "GenerateOptions", "GeneratedPolicy", "generate_policy"]

Generalize = Literal["none", "prefix"]

# Actions a call needs that CloudTrail does not show as their own event (AWS documentation):
# - EC2 "Grant permission to tag resources during creation": RunInstances with TagSpecifications
#   needs ec2:CreateTags, limited with ec2:CreateAction.
DEPENDENT_ACTIONS: dict[str, tuple[tuple[str, JsonObject], ...]] = {
    "ec2:RunInstances": (("ec2:CreateTags", {"StringEquals": {"ec2:CreateAction": "RunInstances"}}),),
}


@dataclass(frozen=True, slots=True)
class GenerateOptions:
    """How to build the policy."""

    generalize: Generalize = "none"
    conditions: PolicyConditions = field(default_factory=PolicyConditions)
    size_limit: int = MANAGED_POLICY_LIMIT
    # Privilege-escalation actions that may get "*" (case-insensitive ``service:Action`` names).
    allow_wildcard: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class GeneratedPolicy:
    """One or more policy documents (split to fit the size limit) and notes for the reader."""

    documents: tuple[JsonObject, ...]
    actions: tuple[str, ...]
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()  # what the policy leaves out on purpose and the caller must decide


_SID_CLEAN = re.compile(r"[^A-Za-z0-9]")


def _sid(service: str, index: int) -> str:
    name = "".join(part.capitalize() for part in _SID_CLEAN.split(service) if part)
    return f"{name}{index}"


def _s3_object(arn: str) -> tuple[str, str] | None:
    """(bucket ARN, key) for an S3 object ARN, else None."""
    head, sep, rest = arn.partition(":::")
    bucket, slash, key = rest.partition("/")
    if sep and slash and head.startswith("arn:") and head.endswith(":s3"):
        return f"{head}:::{bucket}", key
    return None


def _generalize_s3_objects(resources: set[str]) -> set[str]:
    """Per bucket: one key stays exact; several become their common folder + ``*``."""
    buckets: dict[str, list[list[str]]] = defaultdict(list)
    out: set[str] = set()
    for arn in resources:
        split = _s3_object(arn)
        if split is None:
            out.add(arn)
        else:
            buckets[split[0]].append(split[1].split("/"))
    for bucket, keys in buckets.items():
        if len({"/".join(k) for k in keys}) == 1:
            out.add(f"{bucket}/{'/'.join(keys[0])}")
            continue
        common: list[str] = []
        for parts in zip(*(k[:-1] for k in keys), strict=False):
            if len(set(parts)) != 1:
                break
            common.append(parts[0])
        folder = "/".join(common)
        out.add(f"{bucket}/{folder}/*" if folder else f"{bucket}/*")
    return out


def _statement(sid: str, actions: Iterable[str], resources: Iterable[str]) -> JsonObject:
    action_list: list[JsonValue] = [*sorted(actions)]
    # A literal "$" (an S3 key, say) would start a policy variable: write it as ${$}.
    resource_list: list[JsonValue] = [*sorted(r.replace("$", "${$}") for r in resources)]
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": action_list[0] if len(action_list) == 1 else action_list,
        "Resource": resource_list[0] if len(resource_list) == 1 else resource_list,
    }


@dataclass(slots=True)
class _Grants:
    """Actions to resources, roles passed per service, and dependent actions with conditions."""

    actions: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    passed: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    dependent: dict[str, JsonObject] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _collect(calls: Sequence[UsedCall], catalog: Catalog, options: GenerateOptions) -> _Grants:
    grants = _Grants()
    for call in calls:
        info = catalog.action(call.action)
        if info is None:
            grants.notes.append(f"{call.action} is not in the action catalogue ({catalog.version}): left out")
            continue
        if info.full_name == "iam:PassRole":
            grants.passed[call.passed_to or ""].add(call.resource)
            continue
        grants.actions[info.full_name].add("*" if info.wildcard_only else call.resource)
        for dependent, condition in DEPENDENT_ACTIONS.get(info.full_name, ()):
            dep = catalog.action(dependent)
            if dep is not None and dep.full_name not in grants.actions:
                resource = "*" if dep.wildcard_only else _account_wide(call.resource, dep.service)
                grants.actions[dep.full_name].add(resource)
                grants.dependent[dep.full_name] = condition
                grants.notes.append(
                    f"added {dep.full_name}: {info.full_name} needs it (not logged by CloudTrail)"
                )
    escalation = {a.lower() for a in category_actions("privilege-escalation")}
    allowed = {a.lower() for a in options.allow_wildcard}
    for action, seen in list(grants.actions.items()):
        info = catalog.action(action)
        if info is None:
            continue
        wildcard_ok = action.lower() not in escalation or action.lower() in allowed
        shaped = _shape(info, seen, catalog, options.generalize, wildcard_ok, grants)
        if shaped:
            grants.actions[action] = shaped
        else:
            del grants.actions[action]
            grants.dependent.pop(action, None)
    return grants


def _shape(
    info: ActionInfo,
    seen: set[str],
    catalog: Catalog,
    generalize: Generalize,
    wildcard_ok: bool,
    grants: _Grants,
) -> set[str]:
    """The resources to grant one action: wildcards checked, S3 keys generalised, per-call ids made stable."""
    action = info.full_name
    resources = seen if wildcard_ok else _without_wildcards(action, seen, info, catalog, grants.warnings)
    if "*" in resources:
        return {"*"}
    if generalize == "prefix" and action.startswith("s3:"):
        resources = _generalize_s3_objects(resources)
    stable = stable_resources(info, resources, catalog)
    for pattern, arns in sorted(stable.replaced.items()):
        more = ", ..." if len(arns) > 1 else ""
        grants.notes.append(
            f"{action}: {len(arns)} per-call resource(s) ({arns[0]}{more}) generalised to {pattern}"
        )
    return set(stable.resources)


def _without_wildcards(
    action: str, resources: set[str], info: ActionInfo, catalog: Catalog, warnings: list[str]
) -> set[str]:
    """A privilege-escalation action's resources without ``*`` or whole-type wildcards (warned)."""
    wide = {r for r in resources if is_whole_type_wildcard(r, info, catalog)}
    if not wide:
        return resources
    kept = resources - wide
    outcome = f"kept on the {len(kept)} resource(s) named" if kept else "left out"
    warnings.append(
        f"{action} can escalate privileges and some recorded calls name no resource "
        f"({', '.join(sorted(wide))}): {outcome}; grant it by hand on the resources it needs, "
        f"or pass --allow-wildcard {action}"
    )
    return kept


def _statements(grants: _Grants) -> list[JsonObject]:
    by_service: dict[str, dict[frozenset[str], set[str]]] = defaultdict(lambda: defaultdict(set))
    for action, resources in grants.actions.items():
        if action not in grants.dependent:
            by_service[action.split(":", 1)[0]][frozenset(resources)].add(action)
    statements: list[JsonObject] = []
    for service in sorted(by_service):
        groups = sorted(by_service[service].items(), key=lambda item: sorted(item[1]))
        for index, (resource_set, actions) in enumerate(groups, start=1):
            statements.append(_statement(_sid(service, index), actions, resource_set))
    for index, (action, condition) in enumerate(sorted(grants.dependent.items()), start=1):
        statement = _statement(f"Dependent{index}", [action], grants.actions[action])
        statement["Condition"] = dict(condition)
        statements.append(statement)
    for index, (service, roles) in enumerate(sorted(grants.passed.items()), start=1):
        statement = _statement(f"PassRole{index}", ["iam:PassRole"], roles)
        if service:
            statement["Condition"] = {"StringEquals": {"iam:PassedToService": service}}
        else:
            grants.notes.append("iam:PassRole seen without the receiving service: not conditioned")
        statements.append(statement)
    return statements


def generate_policy(
    calls: Sequence[UsedCall], catalog: Catalog, options: GenerateOptions | None = None
) -> GeneratedPolicy:
    """Build the policy for the successful calls of one principal."""
    options = options or GenerateOptions()
    grants = _collect(calls, catalog, options)
    statements = _statements(grants)
    notes = grants.notes
    allow = allow_condition(options.conditions)
    if allow is not None:
        for statement in statements:
            merged: JsonObject = dict(allow)
            existing = statement.get("Condition")
            if isinstance(existing, dict):
                merged.update(existing)
            statement["Condition"] = merged
    deny = source_ip_statement(options.conditions)
    if deny is not None:
        notes.append(
            "--source-ip is enforced by a Deny statement (NotIpAddress aws:SourceIp with "
            "aws:ViaAWSService false) so that AWS services acting for the principal keep working"
        )
    documents = split_policies(statements, [deny] if deny is not None else [], options.size_limit)
    if len(documents) > 1:
        notes.append(
            f"split into {len(documents)} policies to stay under {options.size_limit:,} characters each"
        )
    if len(documents) > MAX_MANAGED_POLICIES_PER_ROLE:
        notes.append(
            f"{len(documents)} policies exceed the default quota of {MAX_MANAGED_POLICIES_PER_ROLE} "
            "managed policies per role: try --generalize prefix"
        )
    if not statements:
        notes.append("no successful calls recorded: the policy grants nothing")
    actions = tuple(sorted({*grants.actions, *(["iam:PassRole"] if grants.passed else [])}))
    return GeneratedPolicy(tuple(documents), actions, tuple(notes), tuple(grants.warnings))


def _account_wide(resource: str, service: str) -> str:
    """``arn:partition:service:region:account:*`` from a resource ARN of the same call."""
    parts = resource.split(":")
    if len(parts) >= 5 and parts[0] == "arn":
        return f"arn:{parts[1]}:{service}:{parts[3]}:{parts[4]}:*"
    return "*"
