"""External and public access through resource-based policies, decided by the engine.

For every collected resource policy (S3 buckets, KMS keys, SQS queues, SNS topics, Lambda functions,
Secrets Manager secrets, ECR repositories), the engine is asked whether callers from outside may act
on the resource: an anonymous caller, a principal of an account that is nobody's (so: any AWS
account), a service acting for such an account, and the accounts and organizations the policy
itself names. Each request carries an outsider's context (see :mod:`.outsiders`), so conditions on
aws:PrincipalOrgID, aws:SourceVpce, aws:SourceIp, aws:SourceArn or aws:SourceAccount narrow access
exactly as the engine applies them, and the RCPs of the resource's account count. A caller from
another account is assumed to be allowed by its own account (we cannot see its policies).

A public resource gets one finding; the cross-account check reports the others. A grant to an AWS
service that any account's resources can trigger (no aws:SourceAccount / aws:SourceArn of ours) is
a confused-deputy finding of its own. For S3 buckets, Block Public Access, Object Ownership and the
bucket ACL count as AWS applies them (see :mod:`.bucket_access`): a public policy that
RestrictPublicBuckets neutralises, or a public ACL grant that IgnorePublicAcls or disabled ACLs
neutralise, is reported at low severity naming the setting; a public ACL grant that nothing
neutralises is a finding of its own; settings that were not collected are said not to be considered.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from iamscope.analysis.access import AccessModel
from iamscope.analysis.checks.bucket_access import (
    PolicyGate,
    acl_hits,
    blocked_acl,
    bucket_params,
    policy_gate,
)
from iamscope.analysis.checks.outsiders import (
    STRANGER_ACCOUNT,
    caller_for,
    condition_values,
    named_principals,
    organization_accounts,
    outsider_context,
    stranger_arn,
)
from iamscope.analysis.checks.registry import Check, CheckContext, Hit, Outcome
from iamscope.analysis.checks.resource_actions import resource_actions
from iamscope.engine import (
    CompiledPolicy,
    Decision,
    PolicySet,
    Request,
    RequestError,
    compile_policy,
    evaluate,
)
from iamscope.model.document import JsonValue
from iamscope.model.snapshot import Bucket, ResourcePolicy

__all__ = ["CHECKS", "RESOURCE_KINDS", "ResourceExposure", "exposure_of"]

_SHOWN = 25
RESOURCE_KINDS: Mapping[str, str] = {
    "s3": "S3 bucket",
    "kms": "KMS key",
    "sqs": "SQS queue",
    "sns": "SNS topic",
    "lambda": "Lambda function",
    "secretsmanager": "Secrets Manager secret",
    "ecr": "ECR repository",
}
# How to read and replace the policy of each kind of resource (filled per finding).
_CLI: Mapping[str, tuple[str, str]] = {
    "s3": (
        "aws s3api get-bucket-policy --bucket {name}",
        "aws s3api put-bucket-policy --bucket {name} --policy file://policy.json",
    ),
    "kms": (
        "aws kms get-key-policy --key-id {arn} --policy-name default",
        "aws kms put-key-policy --key-id {arn} --policy-name default --policy file://policy.json",
    ),
    "sqs": (
        "aws sqs get-queue-attributes --queue-url {queue_url} --attribute-names Policy",
        "aws sqs set-queue-attributes --queue-url {queue_url} --attributes file://attributes.json",
    ),
    "sns": (
        "aws sns get-topic-attributes --topic-arn {arn}",
        "aws sns set-topic-attributes --topic-arn {arn} --attribute-name Policy --attribute-value file://policy.json",
    ),
    "lambda": (
        "aws lambda get-policy --function-name {arn}",
        "aws lambda remove-permission --function-name {arn} --statement-id {sid}",
    ),
    "secretsmanager": (
        "aws secretsmanager get-resource-policy --secret-id {arn}",
        "aws secretsmanager put-resource-policy --secret-id {arn} --resource-policy file://policy.json "
        "--block-public-policy",
    ),
    "ecr": (
        "aws ecr get-repository-policy --repository-name {name} --region {region}",
        "aws ecr set-repository-policy --repository-name {name} --region {region} --policy-text file://policy.json",
    ),
}


CallerKind = Literal["public", "deputy", "external"]


@dataclass(frozen=True, slots=True)
class _Caller:
    """One representative caller from outside."""

    label: str
    principal: str
    context: Mapping[str, str]
    kind: CallerKind  # anyone; a service acting for any account; a named account or organization
    iam: bool  # an IAM principal of another account: its own policies are assumed to allow


@dataclass(frozen=True, slots=True)
class ResourceExposure:
    """What callers from outside may do to one resource, per kind and caller (actions sorted)."""

    resource: ResourcePolicy
    public: Mapping[str, tuple[str, ...]]
    external: Mapping[str, tuple[str, ...]]
    deputy: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # The first allowed decision of each kind, for its explanation.
    decisions: Mapping[CallerKind, Decision] = field(default_factory=dict)


@functools.cache
def _outside_allowed() -> CompiledPolicy:
    """The caller's own account, assumed to allow everything (we cannot see its policies)."""
    return compile_policy(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
        "outside-caller-permissions",
    )


def _service_callers(service: str, partition: str, account: str, kind: CallerKind) -> _Caller:
    prefix = service.split(".", 1)[0]
    source = f"arn:{partition}:{prefix}:us-east-1:{account}:iamscope-probe"
    context = outsider_context(organization=None) | {
        "aws:SourceAccount": account,
        "aws:SourceOwner": account,
        "aws:SourceArn": source,
    }
    label = f"any account through {service}" if kind == "deputy" else f"account {account} through {service}"
    return _Caller(label, service, context, kind, iam=False)


def _callers(ctx: CheckContext, resource: ResourcePolicy) -> list[_Caller]:
    """Anyone, any account, services for any account, then the outsiders the policy names."""
    partition = ctx.partition
    document = resource.document
    services = [s for s in named_principals(document, "Service") if "." in s]
    callers = [
        _Caller("anyone (anonymous)", "anonymous", outsider_context(organization=None), "public", iam=False),
        _Caller("any AWS account", stranger_arn(partition), outsider_context(), "public", iam=True),
    ]
    callers += [_service_callers(s, partition, STRANGER_ACCOUNT, "deputy") for s in services]
    members = organization_accounts(ctx.snapshot)
    inside = members if members is not None else {ctx.account_id}
    inside = inside | {ctx.account_id}
    named: dict[str, str] = {}
    for value in named_principals(document, "AWS"):
        caller = caller_for(value, partition)
        if caller is not None and caller[0] not in inside:
            named.setdefault(caller[0], caller[1])
    for account in condition_values(document, "aws:PrincipalAccount"):
        if account.isdigit() and account not in inside:
            named.setdefault(account, stranger_arn(partition, account))
    callers += [
        _Caller(f"account {account}", arn, outsider_context(), "external", iam=True)
        for account, arn in named.items()
    ]
    organization = ctx.snapshot.organization
    ours = organization.id if organization is not None else None
    for org in condition_values(document, "aws:PrincipalOrgID"):
        if org != ours and "*" not in org and "?" not in org:
            context = outsider_context(organization=org)
            callers.append(
                _Caller(f"organization {org}", stranger_arn(partition), context, "external", iam=True)
            )
    for account in condition_values(document, "aws:SourceAccount"):
        if account.isdigit() and account not in inside:
            callers += [_service_callers(s, partition, account, "external") for s in services]
    return callers


def exposure_of(ctx: CheckContext, access: AccessModel, resource: ResourcePolicy) -> ResourceExposure:
    """Ask the engine, for every outside caller and every action on the resource, whether it may."""
    sets: dict[tuple[str, str], PolicySet] = {}
    found: dict[CallerKind, dict[str, list[str]]] = {"public": {}, "deputy": {}, "external": {}}
    first: dict[CallerKind, Decision] = {}
    actions = resource_actions(resource.arn)
    for caller in _callers(ctx, resource):
        for action, target in actions:
            key = (caller.principal, target)
            policies = sets.get(key)
            if policies is None:
                policies = access.policy_set(caller.principal, resource_arn=target, action=action)
                if caller.iam:
                    policies = replace(policies, identity=(_outside_allowed(),))
                sets[key] = policies
            granting = policies.resource
            if granting is None:
                return ResourceExposure(resource, {}, {})
            if not any(not s.deny for s in granting.for_action(action.lower())):
                continue  # only the resource policy can let an outsider in
            request = Request(caller.principal, action, target, ctx.account_id, caller.context)
            try:
                decision = evaluate(request, policies)
            except RequestError:
                break  # a Principal value no request can come from (a group ARN...): no caller

            if decision.allowed:
                found[caller.kind].setdefault(caller.label, []).append(action)
                first.setdefault(caller.kind, decision)

    def sorted_by_caller(kind: CallerKind) -> dict[str, tuple[str, ...]]:
        return {k: tuple(sorted(v)) for k, v in found[kind].items()}

    return ResourceExposure(
        resource,
        sorted_by_caller("public"),
        sorted_by_caller("external"),
        sorted_by_caller("deputy"),
        first,
    )


def _exposures(ctx: CheckContext) -> list[ResourceExposure] | Outcome:
    policies = ctx.account.resource_policies
    if policies is None:
        return Outcome.not_collected("needs resource-policies/ (bucket, key, queue, topic... policies)")
    key = "exposure"
    cached = ctx.memo.get(key)
    if isinstance(cached, list):
        return cached
    access = ctx.access_model()
    found = [exposure_of(ctx, access, p) for p in policies if p.service != "iam"]
    ctx.memo[key] = found
    return found


def _buckets(ctx: CheckContext) -> Mapping[str, Bucket]:
    return {b.name: b for b in ctx.account.buckets or ()}


def _gate(ctx: CheckContext, exposure: ResourceExposure) -> PolicyGate | None:
    """Block Public Access for an S3 bucket's policy (None for other resources)."""
    resource = exposure.resource
    if resource.service != "s3":
        return None
    bucket = _buckets(ctx).get(resource.name)
    return policy_gate(ctx.account.s3_public_access_block, bucket, engine_public=bool(exposure.public))


def _params(ctx: CheckContext, resource: ResourcePolicy, sid: str) -> dict[str, str]:
    read, write = _CLI.get(resource.service, ("<read the resource policy>", "<replace the resource policy>"))
    values = {
        "sid": sid,
        "name": resource.name,
        "arn": resource.arn,
        "region": resource.region,
        "account": ctx.account_id,
        "queue_url": f"https://sqs.{resource.region}.amazonaws.com/{resource.arn.split(':')[4]}/{resource.name}"
        if resource.service == "sqs" and resource.arn.count(":") >= 5
        else "<queue-url>",
    }
    return {
        "kind": RESOURCE_KINDS.get(resource.service, f"{resource.service} resource"),
        **values,
        "read_policy": read.format_map(values),
        "write_policy": write.format_map(values),
    }


def _actions(who: Mapping[str, tuple[str, ...]]) -> list[str]:
    return sorted({a for listed in who.values() for a in listed})


def _hit(
    ctx: CheckContext,
    resource: ResourcePolicy,
    who: Mapping[str, tuple[str, ...]],
    decision: Decision | None,
    extra: Mapping[str, JsonValue],
    message: str | None = None,
) -> Hit:
    why = decision.explanation if decision is not None else None
    # The Sid of the granting statement (Lambda permissions are removed by it).
    sid = next(
        (
            m.statement
            for m in (why.matched if why is not None else ())
            if m.layer == "resource-policy" and not m.statement.startswith("Statement[")
        ),
        "<statement-id>",
    )
    params = _params(ctx, resource, sid)
    actions = _actions(who)
    return Hit(
        resource=resource.arn,
        message=message
        or f"The {params['kind']} {resource.name} can be used from outside by {', '.join(who)}: "
        f"{len(actions)} action(s), e.g. {', '.join(actions[:3])}.",
        evidence={
            "service": resource.service,
            "region": resource.region,
            "callers": {label: list(listed[:_SHOWN]) for label, listed in who.items()},
            "count": len(actions),
            "request_context": dict(outsider_context()),
            "decided_by": [str(m) for m in why.matched] if why is not None else [],
            **extra,
            "policy": resource.document,
        },
        params=params,
    )


def _public(ctx: CheckContext) -> Outcome:
    found = _exposures(ctx)
    if isinstance(found, Outcome):
        return found
    hits: list[Hit] = []
    for e in found:
        gate = _gate(ctx, e)
        if not e.public or (gate is not None and gate.restricted):
            continue
        hit = _hit(ctx, e.resource, e.public, e.decisions.get("public"), {})
        if gate is not None:
            hit = replace(
                hit,
                message=hit.message + gate.note(),
                evidence={**hit.evidence, "block_public_access": gate.evidence()},
            )
        hits.append(hit)
    return Outcome.evaluated(hits)


def _external(ctx: CheckContext) -> Outcome:
    found = _exposures(ctx)
    if isinstance(found, Outcome):
        return found
    known: dict[str, JsonValue] = {"organization_known": ctx.snapshot.organization is not None}
    hits = []
    for e in found:
        gate = _gate(ctx, e)
        if e.external and not e.public and not (gate is not None and gate.restricted):
            hits.append(_hit(ctx, e.resource, e.external, e.decisions.get("external"), known))
    return Outcome.evaluated(hits)


def _deputy(ctx: CheckContext) -> Outcome:
    found = _exposures(ctx)
    if isinstance(found, Outcome):
        return found
    hits = []
    for e in found:
        if not e.deputy:
            continue
        services = [label.removeprefix("any account through ") for label in e.deputy]
        kind = RESOURCE_KINDS.get(e.resource.service, f"{e.resource.service} resource")
        actions = _actions(e.deputy)
        message = (
            f"The {kind} {e.resource.name} lets {', '.join(services)} act on it for any AWS account "
            f"(no aws:SourceAccount or aws:SourceArn of yours): {len(actions)} action(s), "
            f"e.g. {', '.join(actions[:3])}."
        )
        hit = _hit(
            ctx, e.resource, e.deputy, e.decisions.get("deputy"), {"services": list(services)}, message
        )
        hits.append(replace(hit, params={**hit.params, "rescope": _rescope(hit.params, services[0])}))
    return Outcome.evaluated(hits)


def _rescope(params: Mapping[str, str], service: str) -> str:
    """The command that grants the service again, tied to the account (Lambda has one)."""
    if params.get("kind") == RESOURCE_KINDS["lambda"]:
        action = "lambda:InvokeFunction"
        return (
            f"aws lambda add-permission --function-name {params['arn']} --statement-id {params['sid']} "
            f"--action {action} --principal {service} --source-account {params['account']} "
            "--source-arn <arn-of-your-calling-resource>"
        )
    return "# then write the policy back with the aws:SourceAccount / aws:SourceArn condition shown below"


def _acl_public(ctx: CheckContext) -> Outcome:
    buckets = ctx.account.buckets
    if buckets is None or not any(b.acl is not None for b in buckets):
        return Outcome.not_collected("needs s3/ bucket ACLs (get-bucket-acl)")
    return Outcome.evaluated(acl_hits(ctx.account.s3_public_access_block, buckets, ctx.account_id))


def _blocked(ctx: CheckContext) -> Outcome:
    found = _exposures(ctx)
    buckets = _buckets(ctx)
    if isinstance(found, Outcome) and ctx.account.buckets is None:
        return found
    account = ctx.account.s3_public_access_block
    parts: dict[str, list[str]] = {}
    evidence: dict[str, dict[str, JsonValue]] = {}
    for e in found if isinstance(found, list) else []:
        gate = _gate(ctx, e)
        if gate is None or not gate.restricted or not (e.public or e.external):
            continue
        who = {**e.public, **e.external}
        actions = _actions(who)
        parts.setdefault(e.resource.name, []).append(
            f"its policy would let {', '.join(who)} use it ({len(actions)} action(s), e.g. "
            f"{', '.join(actions[:3])}), but {gate.restrict.describe()} limits it to AWS services "
            "and the bucket owner's account"
        )
        evidence.setdefault(e.resource.name, {}).update(
            {"policy_callers": {k: list(v[:_SHOWN]) for k, v in who.items()}, "policy": gate.evidence()}
        )
    for bucket in buckets.values():
        neutralised = blocked_acl(account, bucket)
        if neutralised is not None:
            parts.setdefault(bucket.name, []).append(neutralised[0])
            evidence.setdefault(bucket.name, {})["acl"] = neutralised[1]
    hits = []
    for name, said in parts.items():
        hits.append(
            Hit(
                resource=f"arn:{ctx.partition}:s3:::{name}",
                message=f"S3 bucket {name}: " + "; ".join(said) + ".",
                evidence={"bucket": name, **evidence.get(name, {})},
                params=bucket_params(name, ctx.account_id),
            )
        )
    return Outcome.evaluated(hits)


CHECKS: tuple[Check, ...] = (
    Check("resource-policy-public", _public),
    Check("s3-bucket-acl-public", _acl_public),
    Check("resource-policy-confused-deputy", _deputy),
    Check("resource-policy-cross-account", _external),
    Check("s3-public-access-blocked", _blocked),
)
