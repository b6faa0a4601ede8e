"""Per-region listings that show guardrails: Analyzer, Config, EventBridge, trails, metric filters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from iamscope.collect.aws.calls import AccountCalls
from iamscope.collect.aws.session import AccountSession
from iamscope.collect.bundle import regional_file

__all__ = ["REGIONAL_LISTINGS", "collect_regional"]

# (boto3 service and bundle folder, IAM action as the manifest records it, boto3 operation,
# bundle call name). describe-trails has no paginator; the others are paginated in full.
REGIONAL_LISTINGS: tuple[tuple[str, str, str, str], ...] = (
    ("accessanalyzer", "access-analyzer:ListAnalyzers", "list_analyzers", "list-analyzers"),
    ("config", "config:DescribeConfigRules", "describe_config_rules", "describe-config-rules"),
    ("events", "events:ListRules", "list_rules", "list-rules"),
    ("cloudtrail", "cloudtrail:DescribeTrails", "describe_trails", "describe-trails"),
    ("logs", "logs:DescribeMetricFilters", "describe_metric_filters", "describe-metric-filters"),
)


def collect_regional(calls: AccountCalls, session: AccountSession, region: str) -> None:
    """Write the regional listings of one account and region (paginated, one file per listing)."""
    for service, action, operation, name in REGIONAL_LISTINGS:
        client = session.client(service, region)
        calls.call(
            action,
            region,
            _reader(client, operation),
            file=regional_file(calls.account, service, region, name),
        )


def _reader(client: Any, operation: str) -> Callable[[], Any]:
    """A call that reads every page afresh each time it runs (retries start over)."""
    if client.can_paginate(operation):
        return lambda: client.get_paginator(operation).paginate().build_full_result()
    return cast(Callable[[], Any], getattr(client, operation))
