"""Per-region bundle files (analyzers, rules, trails, resource policies) read into the model."""

from __future__ import annotations

from iamscope.collect.shape import (
    ShapeError,
    as_bool,
    as_object,
    field_list,
    field_text,
    optional_text,
    policy_document,
)
from iamscope.model.document import JsonValue
from iamscope.model.snapshot import (
    Analyzer,
    ConfigRule,
    EventRule,
    MetricFilter,
    ResourcePolicy,
    Trail,
)

__all__ = [
    "parse_analyzers",
    "parse_config_rules",
    "parse_event_rules",
    "parse_metric_filters",
    "parse_resource_policy",
    "parse_trails",
]


def parse_analyzers(document: JsonValue, region: str) -> tuple[Analyzer, ...]:
    """accessanalyzer list-analyzers output."""
    root = as_object(document, "the document")
    result: list[Analyzer] = []
    for position, entry in enumerate(field_list(root, "analyzers", "the document", required=True)):
        where = f"analyzers[{position}]"
        item = as_object(entry, where)
        result.append(
            Analyzer(
                name=field_text(item, "name", where),
                arn=field_text(item, "arn", where),
                region=region,
                type=optional_text(item, "type") or "",
                status=optional_text(item, "status") or "",
            )
        )
    return tuple(result)


def parse_config_rules(document: JsonValue, region: str) -> tuple[ConfigRule, ...]:
    """config describe-config-rules output."""
    root = as_object(document, "the document")
    result: list[ConfigRule] = []
    for position, entry in enumerate(field_list(root, "ConfigRules", "the document", required=True)):
        where = f"ConfigRules[{position}]"
        item = as_object(entry, where)
        source = item.get("Source")
        result.append(
            ConfigRule(
                name=field_text(item, "ConfigRuleName", where),
                region=region,
                source_identifier=optional_text(source, "SourceIdentifier")
                if isinstance(source, dict)
                else None,
                state=optional_text(item, "ConfigRuleState"),
            )
        )
    return tuple(result)


def parse_event_rules(document: JsonValue, region: str) -> tuple[EventRule, ...]:
    """events list-rules output."""
    root = as_object(document, "the document")
    result: list[EventRule] = []
    for position, entry in enumerate(field_list(root, "Rules", "the document", required=True)):
        where = f"Rules[{position}]"
        item = as_object(entry, where)
        result.append(
            EventRule(
                name=field_text(item, "Name", where),
                region=region,
                event_pattern=optional_text(item, "EventPattern"),
                state=optional_text(item, "State"),
                arn=optional_text(item, "Arn") or "",
            )
        )
    return tuple(result)


def parse_trails(document: JsonValue, region: str) -> tuple[Trail, ...]:
    """cloudtrail describe-trails output."""
    root = as_object(document, "the document")
    result: list[Trail] = []
    for position, entry in enumerate(field_list(root, "trailList", "the document", required=True)):
        where = f"trailList[{position}]"
        item = as_object(entry, where)
        result.append(
            Trail(
                name=field_text(item, "Name", where),
                arn=optional_text(item, "TrailARN") or "",
                region=region,
                home_region=optional_text(item, "HomeRegion"),
                is_multi_region=as_bool(item.get("IsMultiRegionTrail")),
                is_organization=as_bool(item.get("IsOrganizationTrail")),
                log_group_arn=optional_text(item, "CloudWatchLogsLogGroupArn"),
                s3_bucket=optional_text(item, "S3BucketName"),
            )
        )
    return tuple(result)


def parse_metric_filters(document: JsonValue, region: str) -> tuple[MetricFilter, ...]:
    """logs describe-metric-filters output."""
    root = as_object(document, "the document")
    result: list[MetricFilter] = []
    for position, entry in enumerate(field_list(root, "metricFilters", "the document", required=True)):
        where = f"metricFilters[{position}]"
        item = as_object(entry, where)
        names = tuple(
            name
            for transformation in field_list(item, "metricTransformations", where)
            if isinstance(transformation, dict) and isinstance(name := transformation.get("metricName"), str)
        )
        result.append(
            MetricFilter(
                name=field_text(item, "filterName", where),
                region=region,
                log_group=optional_text(item, "logGroupName") or "",
                pattern=optional_text(item, "filterPattern") or "",
                metric_names=names,
            )
        )
    return tuple(result)


def parse_resource_policy(document: JsonValue, service: str, region: str) -> ResourcePolicy:
    """A resource-policies/<service>/<region>/<name>.json file: ``{"Arn": ..., "Policy": ...}``."""
    root = as_object(document, "the document")
    arn = field_text(root, "Arn", "the document")
    if "Policy" not in root:
        raise ShapeError("the document has no 'Policy'")
    return ResourcePolicy(
        arn=arn,
        service=service,
        region=region,
        document=policy_document(root["Policy"]),
        name=optional_text(root, "Name") or arn.rsplit(":", 1)[-1].rsplit("/", 1)[-1],
    )
