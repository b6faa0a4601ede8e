"""Check prose (title, severity, rationale, remediation) read once from the packaged ``checks.yaml``.

Keeping the words as data (parliament's way) lets reviewers edit them without touching logic,
and lets a test prove every registered check has prose and every prose entry has a check.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import cast

import yaml

from iamscope.model.findings import Remediation, Severity

__all__ = ["CheckProse", "ProseError", "load_prose", "render_remediation"]


class ProseError(ValueError):
    """``checks.yaml`` is malformed (a packaging bug, not a user error)."""


@dataclass(frozen=True, slots=True)
class CheckProse:
    """The words of one check."""

    id: str
    title: str
    severity: Severity
    applies_to: str
    rationale: str
    remediation: Remediation
    topic: str


class _Defaulting(dict[str, str]):
    """format_map helper: an unknown placeholder stays as ``<name>`` for the reader to fill in."""

    def __missing__(self, key: str) -> str:
        return f"<{key}>"


def render_remediation(prose: CheckProse, params: Mapping[str, str]) -> Remediation:
    """The remediation with ``{placeholders}`` in its commands filled from a hit's parameters.

    Only commands are templates; the text and the policy snippet are shown as written.
    """
    values = _Defaulting(params)
    return Remediation(
        text=prose.remediation.text,
        commands=tuple(c.format_map(values) for c in prose.remediation.commands),
        policy_snippet=prose.remediation.policy_snippet,
    )


def _text(entry: Mapping[str, object], key: str, check_id: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ProseError(f"checks.yaml: check {check_id!r} lacks a text {key!r}")
    return value.strip()


@functools.cache
def load_prose() -> Mapping[str, CheckProse]:
    """Every check's prose by check id (read from the package on first call)."""
    source = resources.files("iamscope.analysis.checks").joinpath("checks.yaml")
    # libyaml (bundled with PyYAML wheels) reads the packaged data ten times faster.
    raw = yaml.load(source.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(raw, dict):
        raise ProseError("checks.yaml: the top level must map check ids to entries")
    prose: dict[str, CheckProse] = {}
    for check_id, entry in cast(dict[str, object], raw).items():
        if not isinstance(entry, dict):
            raise ProseError(f"checks.yaml: check {check_id!r} is not a mapping")
        fields = cast(dict[str, object], entry)
        fix = fields.get("remediation")
        if not isinstance(fix, dict):
            raise ProseError(f"checks.yaml: check {check_id!r} lacks a remediation mapping")
        fix_fields = cast(dict[str, object], fix)
        commands = fix_fields.get("commands", [])
        if not isinstance(commands, list) or not all(isinstance(c, str) for c in commands):
            raise ProseError(f"checks.yaml: check {check_id!r} commands must be strings")
        policy = fix_fields.get("policy")
        try:
            severity = Severity(str(fields.get("severity")))
        except ValueError as error:
            raise ProseError(f"checks.yaml: check {check_id!r}: {error}") from None
        prose[check_id] = CheckProse(
            id=check_id,
            title=_text(fields, "title", check_id),
            severity=severity,
            applies_to=_text(fields, "applies_to", check_id),
            rationale=_text(fields, "rationale", check_id),
            remediation=Remediation(
                text=_text(fix_fields, "text", check_id),
                commands=tuple(cast(list[str], commands)),
                policy_snippet=policy.strip() if isinstance(policy, str) else None,
            ),
            topic=_text(fields, "topic", check_id),
        )
    return prose
