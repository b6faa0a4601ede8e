"""Per-region listings showing guardrails: Access Analyzer, Config, EventBridge, CloudTrail."""

from __future__ import annotations

from iamscope.collect.aws.calls import AccountCalls
from iamscope.collect.aws.session import AccountSession
from iamscope.collect.bundle import regional_file

__all__ = ["collect_regional"]


def collect_regional(calls: AccountCalls, session: AccountSession, region: str) -> None:
    """Write the regional listings of one account and region (paginated, one file per listing)."""
    account = calls.account
    analyzer = session.client("accessanalyzer", region)
    calls.call(
        "access-analyzer:ListAnalyzers",
        region,
        lambda: analyzer.get_paginator("list_analyzers").paginate().build_full_result(),
        file=regional_file(account, "accessanalyzer", region, "list-analyzers"),
    )
    config = session.client("config", region)
    calls.call(
        "config:DescribeConfigRules",
        region,
        lambda: config.get_paginator("describe_config_rules").paginate().build_full_result(),
        file=regional_file(account, "config", region, "describe-config-rules"),
    )
    events = session.client("events", region)
    calls.call(
        "events:ListRules",
        region,
        lambda: events.get_paginator("list_rules").paginate().build_full_result(),
        file=regional_file(account, "events", region, "list-rules"),
    )
    cloudtrail = session.client("cloudtrail", region)
    calls.call(
        "cloudtrail:DescribeTrails",
        region,
        cloudtrail.describe_trails,
        file=regional_file(account, "cloudtrail", region, "describe-trails"),
    )
    logs = session.client("logs", region)
    calls.call(
        "logs:DescribeMetricFilters",
        region,
        lambda: logs.get_paginator("describe_metric_filters").paginate().build_full_result(),
        file=regional_file(account, "logs", region, "describe-metric-filters"),
    )
