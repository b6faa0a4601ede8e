"""Which IAM action(s) a CloudTrail event needed, and on which resources.

Most event names equal the action (``<prefix>:<eventName>``, checked against the catalogue); the
rest come from the generated exceptions table ``data/event_actions.json`` (see
``scripts/gen_event_actions.py``). Lambda's dated event names (``GetFunction20150331v2``) are undated
first. Resource ARNs come from the event's ``resources`` when they match one of the action's
resource types, else from ``requestParameters`` (ARN values, and every ARN format the parameters
complete: see :mod:`iamscope.activity.request_resources`); when no ARN can be completed the
unknown parts become ``*`` so a generated policy still covers the call.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Literal, cast

import msgspec

from iamscope.activity.records import Record
from iamscope.activity.request_resources import named_resources
from iamscope.engine.catalog import ActionInfo, Catalog, ResourceTypeInfo

__all__ = [
    "CallTuple",
    "EventActionTable",
    "EventMapper",
    "MappedAction",
    "MappingRule",
    "MappingStatus",
    "MappingTarget",
    "load_event_action_table",
]

MappingStatus = Literal["mapped", "permissionless", "service-event", "unmapped"]
# One call an event needed: (action, resource, passed_to); plain tuples keep the hot path cheap.
CallTuple = tuple[str, str, str | None]

_LAMBDA_DATED = re.compile(r"\d{8}(?:v\d+)?$")
# Request parameters that carry the role a call passes to a service (iam:PassRole).
_ROLE_PARAMETERS = (
    "role",
    "roleArn",
    "roleARN",
    "executionRoleArn",
    "serviceRoleArn",
    "taskRoleArn",
    "iamRoleArn",
)
_PARAMETER_CACHE = 50_000
_SERVICE_EVENT_TYPES = frozenset({"AwsServiceEvent", "AwsCloudTrailInsight"})
_ANY = ["*"]  # the resource of actions that take none (shared: callers only read it)


@dataclass(frozen=True, slots=True)
class MappedAction:
    """One action a call needed, on one resource (``*`` for actions that take none)."""

    action: str
    resource: str
    passed_to: str | None = None


@dataclass(frozen=True, slots=True)
class EventActionTable:
    """The generated exceptions table: event source -> event name -> actions, and more."""

    sources: Mapping[str, str]
    events: Mapping[str, Mapping[str, tuple[str, ...]]]
    permissionless: Mapping[str, frozenset[str]]
    catalog_version: str


def load_event_action_table() -> EventActionTable:
    """Read the table shipped with the package."""
    text = (
        resources.files("iamscope.activity")
        .joinpath("data", "event_actions.json")
        .read_text(encoding="utf-8")
    )
    raw = cast(dict[str, object], json.loads(text))
    events = cast(dict[str, dict[str, list[str]]], raw["events"])
    permissionless = cast(dict[str, list[str]], raw["permissionless"])
    return EventActionTable(
        sources=cast(dict[str, str], raw["sources"]),
        events={s: {n: tuple(a) for n, a in names.items()} for s, names in events.items()},
        permissionless={s: frozenset(n) for s, n in permissionless.items()},
        catalog_version=str(raw.get("catalog_version", "")),
    )


@dataclass(frozen=True, slots=True)
class MappingTarget:
    """One action of a rule, with what resource extraction needs precomputed."""

    name: str
    types: tuple[ResourceTypeInfo, ...]
    passes_role: bool
    required: frozenset[str]  # lower-case names of the required resource types: a request names one
    # CloudTrail resource type (AWS::S3::Object...) -> whether its ARNs fit the action, learnt
    # from the first ARN of that type seen (ARNs of one type share a shape).
    fits: dict[str, bool] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class MappingRule:
    """How events of one (source, name, type) map: a status, and the actions when ``mapped``."""

    status: MappingStatus
    actions: tuple[ActionInfo, ...] = ()
    targets: tuple[MappingTarget, ...] = ()


def partition_of(region: str) -> str:
    """The partition a region belongs to."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


class EventMapper:
    """Maps records to actions; rules are cached per (source, name), so the hot path is a dict hit."""

    def __init__(self, catalog: Catalog, table: EventActionTable) -> None:
        self._catalog = catalog
        self._table = table
        self._rules: dict[tuple[str, str, str | None], MappingRule] = {}
        self._types: dict[str, tuple[ResourceTypeInfo, ...]] = {}
        self._by_parameters: dict[tuple[str, str, str, bytes], list[str]] = {}

    def prefix_of(self, source: str) -> str:
        """The IAM service prefix of an event source (``monitoring.amazonaws.com`` -> ``cloudwatch``)."""
        return self._table.sources.get(source) or source.split(".", 1)[0]

    def rule(self, source: str, name: str, event_type: str | None = None) -> MappingRule:
        """How events of this source, name and type map (cached)."""
        key = (source, name, event_type)
        cached = self._rules.get(key)
        if cached is None:
            if event_type in _SERVICE_EVENT_TYPES:
                cached = MappingRule("service-event")
            else:
                cached = self._compute_rule(source, name)
                cached = MappingRule(
                    cached.status,
                    cached.actions,
                    tuple(
                        MappingTarget(
                            i.full_name,
                            self._resource_types(i),
                            i.full_name == "iam:PassRole",
                            frozenset(r.name.lower() for r in i.resource_types if r.required),
                        )
                        for i in cached.actions
                    ),
                )
            self._rules[key] = cached
        return cached

    def _compute_rule(self, source: str, name: str) -> MappingRule:
        if source == "lambda.amazonaws.com":
            name = _LAMBDA_DATED.sub("", name)
        if name in self._table.permissionless.get(source, frozenset()):
            return MappingRule("permissionless")
        listed = self._table.events.get(source, {}).get(name)
        if listed is not None:
            infos = tuple(i for a in listed if (i := self._catalog.action(a)) is not None)
            return MappingRule("mapped", infos) if infos else MappingRule("unmapped")
        info = self._catalog.action(f"{self.prefix_of(source)}:{name}")
        return MappingRule("mapped", (info,)) if info is not None else MappingRule("unmapped")

    def map(self, record: Record) -> tuple[MappingStatus, tuple[MappedAction, ...]]:
        """The mapping status of one record and the (action, resource) pairs it needed."""
        rule = self.rule(record.eventSource or "", record.eventName or "", record.eventType)
        if rule.status != "mapped":
            return rule.status, ()
        region = record.awsRegion or ""
        account = (
            record.recipientAccountId
            or (record.userIdentity.accountId if record.userIdentity else None)
            or ""
        )
        return "mapped", tuple(MappedAction(*call) for call in self.calls(record, rule, region, account))

    def calls(self, record: Record, rule: MappingRule, region: str, account: str) -> list[CallTuple]:
        """The (action, resource, passed_to) calls of a record whose rule is ``mapped``.

        ``region`` and ``account`` are the record's (``awsRegion``; ``recipientAccountId``, else
        the caller's account).
        """
        source = record.eventSource or ""
        return [
            (target.name, resource, self.passed_to(target, source))
            for target in rule.targets
            for resource in self.resources(record, target, region, account)
        ]

    def passed_to(self, target: MappingTarget, source: str) -> str | None:
        """The service a passed role goes to (``iam:PassRole`` targets), else None."""
        return f"{self.prefix_of(source)}.amazonaws.com" if target.passes_role else None

    def resources(self, record: Record, target: MappingTarget, region: str, account: str) -> list[str]:
        """The resources one target action of a ``mapped`` record was called on (hot path).

        Callers that see many records of one shape compute ``region`` and ``account`` once.
        """
        if target.passes_role:
            return _passed_roles(_params(record), region, account)
        types = target.types
        if not types:
            return _ANY
        if record.resources:
            found = _from_resources(record, target)
            if found:
                return found
        # Calls repeat their parameters (the same table, the same role...): cache by the raw
        # parameter bytes, bounded.
        key = (target.name, region, account, bytes(record.requestParameters))
        known = self._by_parameters.get(key)
        if known is None:
            known = named_resources(
                target.name, types, target.required, _params(record), partition_of(region), region, account
            )
            if len(self._by_parameters) >= _PARAMETER_CACHE:
                self._by_parameters.clear()
            self._by_parameters[key] = known
        return known

    def _resource_types(self, info: ActionInfo) -> tuple[ResourceTypeInfo, ...]:
        """The action's resource types, most likely first: required ones, then the action's service."""
        cached = self._types.get(info.full_name)
        if cached is None:
            required = {r.name.lower() for r in info.resource_types if r.required}
            cached = tuple(
                sorted(
                    self._catalog.resource_types_of(info),
                    key=lambda t: (
                        t.name.lower() not in required,
                        f":{info.service}:" not in t.arn_format,
                    ),
                )
            )
            self._types[info.full_name] = cached
        return cached


def _from_resources(record: Record, target: MappingTarget) -> list[str]:
    """ARNs in ``resources`` of a type the action takes (decided once per CloudTrail type)."""
    found: list[str] = []
    fits = target.fits
    for ref in record.resources or ():
        arn = ref.ARN
        if not arn or arn in found:
            continue
        kind = ref.type
        fit = fits.get(kind) if kind is not None else None
        if fit is None:
            fit = any(t.arn_regex.fullmatch(arn) for t in target.types)
            if kind is not None:
                fits[kind] = fit
        if fit:
            found.append(arn)
    return found


def _passed_roles(params: dict[str, object], region: str, account: str) -> list[str]:
    found = [
        value for name in _ROLE_PARAMETERS if isinstance(value := params.get(name), str) and ":role/" in value
    ]
    if not found and "iamInstanceProfile" in params:
        # An instance profile names no role in the request: any role of the account may be passed.
        found.append(f"arn:{partition_of(region)}:iam::{account}:role/*")
    return found


def _params(record: Record) -> dict[str, object]:
    raw = bytes(record.requestParameters)
    if raw[:1] != b"{":
        return {}
    try:
        value = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        return {}
    return cast(dict[str, object], value) if isinstance(value, dict) else {}
