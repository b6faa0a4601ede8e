"""Account-wide detective controls: server certificates, Access Analyzer, alerting and Config rules.

CIS 1.19 and 1.20, plus what CIS section 4 asks of IAM (alerts on root use and on IAM policy
changes, through an EventBridge rule or a CloudWatch Logs metric filter) and the Config rules
that watch IAM settings continuously.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from iamscope.analysis.checks.registry import Check, CheckContext, Hit, Outcome
from iamscope.model.document import JsonValue
from iamscope.model.snapshot import EventRule, MetricFilter

__all__ = ["CHECKS", "IAM_CONFIG_RULES", "IAM_POLICY_EVENTS"]

# The events CIS 4.4 asks to alert on.
IAM_POLICY_EVENTS: tuple[str, ...] = (
    "DeleteGroupPolicy",
    "DeleteRolePolicy",
    "DeleteUserPolicy",
    "PutGroupPolicy",
    "PutRolePolicy",
    "PutUserPolicy",
    "CreatePolicy",
    "DeletePolicy",
    "CreatePolicyVersion",
    "DeletePolicyVersion",
    "AttachRolePolicy",
    "DetachRolePolicy",
    "AttachUserPolicy",
    "DetachUserPolicy",
    "AttachGroupPolicy",
    "DetachGroupPolicy",
)

# AWS Config managed rules (source identifiers) that watch the IAM settings assessed here.
IAM_CONFIG_RULES: tuple[str, ...] = (
    "IAM_PASSWORD_POLICY",
    "ROOT_ACCOUNT_MFA_ENABLED",
    "IAM_ROOT_ACCESS_KEY_CHECK",
    "MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS",
    "ACCESS_KEYS_ROTATED",
    "IAM_USER_UNUSED_CREDENTIALS_CHECK",
    "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS",
)


def _expired_certificates(ctx: CheckContext) -> Outcome:
    certificates = ctx.account.server_certificates
    if certificates is None:
        return Outcome.not_collected("needs list-server-certificates")
    hits = [
        Hit(
            resource=cert.arn,
            message=f"Server certificate {cert.name} expired on {cert.expiration:%Y-%m-%d}.",
            evidence={"expiration": cert.expiration.isoformat()},
            params={"name": cert.name},
        )
        for cert in certificates
        if cert.expiration is not None and cert.expiration < ctx.as_of
    ]
    return Outcome.evaluated(hits)


def _access_analyzer(ctx: CheckContext) -> Outcome:
    analyzers = ctx.account.analyzers
    if analyzers is None:
        return Outcome.not_collected("needs accessanalyzer list-analyzers")
    regions = ctx.account.regions or ctx.account.analyzer_regions or ()
    if not regions:
        return Outcome.not_collected("the bundle names no regions to look for analyzers in")
    active = {a.region for a in analyzers if a.status.upper() == "ACTIVE"}
    read = set(ctx.account.analyzer_regions) if ctx.account.analyzer_regions is not None else None
    hits = []
    for region in sorted(regions):
        if region in active or (read is not None and region not in read):
            continue
        hits.append(
            Hit(
                resource=f"arn:{ctx.partition}:access-analyzer:{region}:{ctx.account_id}:analyzer",
                message=f"No active IAM Access Analyzer in {region}.",
                evidence={"region": region},
                params={"region": region},
            )
        )
    return Outcome.evaluated(hits)


def _pattern(rule: EventRule) -> dict[str, JsonValue] | None:
    if not rule.event_pattern or (rule.state or "ENABLED").upper() != "ENABLED":
        return None
    try:
        value: JsonValue = json.loads(rule.event_pattern)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def _strings(value: JsonValue) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [v for v in items if isinstance(v, str)]


def _field(pattern: dict[str, JsonValue], *path: str) -> JsonValue:
    current: JsonValue = pattern
    for key in path:
        if not isinstance(current, dict):
            return None
        current = current.get(key)
    return current


def _rule_alerts_root(pattern: dict[str, JsonValue]) -> bool:
    return "Root" in _strings(_field(pattern, "detail", "userIdentity", "type"))


def _rule_alerts_iam_changes(pattern: dict[str, JsonValue]) -> bool:
    sources = _strings(pattern.get("source"))
    event_sources = _strings(_field(pattern, "detail", "eventSource"))
    if "aws.iam" not in sources and "iam.amazonaws.com" not in event_sources:
        return False
    names = _field(pattern, "detail", "eventName")
    return names is None or set(IAM_POLICY_EVENTS) <= set(_strings(names))


def _filter_alerts_root(item: MetricFilter) -> bool:
    compact = item.pattern.replace(" ", "")
    return '$.userIdentity.type="Root"' in compact


def _filter_alerts_iam_changes(item: MetricFilter) -> bool:
    return all(f"eventName={name}" in item.pattern.replace(" ", "") for name in IAM_POLICY_EVENTS)


def _alerting(
    what: str,
    rule_test: Callable[[dict[str, JsonValue]], bool],
    filter_test: Callable[[MetricFilter], bool],
) -> Callable[[CheckContext], Outcome]:
    def run(ctx: CheckContext) -> Outcome:
        rules = ctx.account.event_rules
        filters = ctx.account.metric_filters
        if rules is None and filters is None:
            return Outcome.not_collected("needs events list-rules or logs metric filters")
        matching_rules = [r.name for r in rules or () if (p := _pattern(r)) is not None and rule_test(p)]
        matching_filters = [f.name for f in filters or () if filter_test(f)]
        if matching_rules or matching_filters:
            return Outcome.evaluated()
        hit = Hit(
            resource=ctx.account_arn(),
            message=f"No EventBridge rule or metric filter alerts on {what}.",
            evidence={
                "event_rules_examined": len(rules or ()),
                "metric_filters_examined": len(filters or ()),
            },
        )
        return Outcome.evaluated([hit])

    return run


def _config_rules(ctx: CheckContext) -> Outcome:
    rules = ctx.account.config_rules
    if rules is None:
        return Outcome.not_collected("needs config describe-config-rules")
    present = {r.source_identifier for r in rules if r.source_identifier}
    missing = [name for name in IAM_CONFIG_RULES if name not in present]
    if not missing:
        return Outcome.evaluated()
    hit = Hit(
        resource=ctx.account_arn(),
        message=f"{len(missing)} of {len(IAM_CONFIG_RULES)} AWS Config rules for IAM are missing"
        + (" (the account has no Config rules at all)." if not rules else "."),
        evidence={"missing": list(missing), "config_rules": len(rules)},
    )
    return Outcome.evaluated([hit])


CHECKS: tuple[Check, ...] = (
    Check("server-certificate-expired", _expired_certificates),
    Check("access-analyzer-disabled", _access_analyzer),
    Check(
        "root-use-alerting-missing",
        _alerting("root user activity", _rule_alerts_root, _filter_alerts_root),
    ),
    Check(
        "iam-policy-change-alerting-missing",
        _alerting("IAM policy changes", _rule_alerts_iam_changes, _filter_alerts_iam_changes),
    ),
    Check("config-rules-missing", _config_rules),
)
