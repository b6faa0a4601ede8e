"""Reads the packaged framework files (one YAML per benchmark version) into typed controls."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Literal, cast

import yaml

__all__ = ["FRAMEWORKS", "Control", "Framework", "FrameworkError", "load_framework"]

# Framework id -> packaged file. Add a version by adding a file, never by editing another version.
FRAMEWORKS: Mapping[str, str] = {"cis-aws-3.0": "cis-aws-3.0.yaml"}


class FrameworkError(ValueError):
    """A framework file is malformed (a packaging bug, not a user error)."""


@dataclass(frozen=True, slots=True)
class Control:
    """One control: its id, title, profile level, the benchmark's label and the checks deciding it."""

    id: str
    title: str
    level: str
    assessment: Literal["automated", "manual"]
    checks: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Framework:
    """A versioned framework: id (``cis-aws-3.0``), title and controls in benchmark order."""

    id: str
    title: str
    controls: tuple[Control, ...]

    def controls_of(self, check_id: str) -> tuple[str, ...]:
        """Control ids a check is mapped to (many to many)."""
        return tuple(c.id for c in self.controls if check_id in c.checks)

    @property
    def levels(self) -> tuple[str, ...]:
        """Profile levels in order (``L1``, ``L2``)."""
        return tuple(sorted({c.level for c in self.controls}))


def _control(raw: object, framework_id: str) -> Control:
    if not isinstance(raw, dict):
        raise FrameworkError(f"{framework_id}: every control must be a mapping")
    entry = cast(dict[str, object], raw)
    checks = entry.get("checks", [])
    assessment = entry.get("assessment")
    if not isinstance(checks, list) or assessment not in ("automated", "manual"):
        raise FrameworkError(f"{framework_id}: control {entry.get('id')!r} is malformed")
    return Control(
        id=str(entry["id"]),
        title=str(entry["title"]),
        level=str(entry["level"]),
        assessment=assessment,
        checks=tuple(str(c) for c in checks),
    )


@functools.cache
def load_framework(framework_id: str) -> Framework:
    """One framework by id (read from the package on first call)."""
    name = FRAMEWORKS.get(framework_id)
    if name is None:
        raise FrameworkError(f"unknown framework {framework_id!r}; known: {', '.join(FRAMEWORKS)}")
    source = resources.files("iamscope.analysis.frameworks").joinpath(name)
    # libyaml (bundled with PyYAML wheels) reads the packaged data ten times faster.
    raw = yaml.load(source.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(raw, dict) or not isinstance(raw.get("controls"), list):
        raise FrameworkError(f"{name}: expected a mapping with a 'controls' list")
    data = cast(dict[str, object], raw)
    return Framework(
        id=str(data["id"]),
        title=str(data["title"]),
        controls=tuple(_control(c, framework_id) for c in cast(list[object], data["controls"])),
    )
