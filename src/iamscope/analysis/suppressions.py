"""Accepted risks: a YAML file of (check, resource pattern, reason, expiry) that hides findings.

An expired suppression stops hiding its findings and is itself reported, so an exception granted
"until the migration" cannot silently become permanent.

File format::

    suppressions:
      - check: access-key-not-rotated        # a check id, or a glob such as "access-key-*"
        resource: "arn:aws:iam::111111111111:user/ci-*"   # glob on the finding's resource ARN
        reason: CI key rotated by the vault integration
        expires: 2026-12-31                   # required; the last day the suppression applies
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import cast

import yaml

from iamscope.model.findings import ExpiredSuppression, Finding
from iamscope.user_error import UserError

__all__ = [
    "Suppression",
    "SuppressionError",
    "SuppressionResult",
    "apply_suppressions",
    "load_suppressions",
    "parse_suppressions",
]


class SuppressionError(UserError, ValueError):
    """The suppressions file cannot be used; the message names the file and the fault."""


@dataclass(frozen=True, slots=True)
class Suppression:
    """One accepted risk."""

    check: str
    resource: str
    reason: str
    expires: date
    file: str = ""

    def matches(self, finding: Finding) -> bool:
        """Whether this suppression covers the finding (check and any of its resources)."""
        if not fnmatch.fnmatchcase(finding.check, self.check):
            return False
        return any(fnmatch.fnmatchcase(r, self.resource) for r in finding.resources)

    def expired(self, as_of: datetime) -> bool:
        """True once ``as_of`` is past the expiry day."""
        return as_of.date() > self.expires


@dataclass(frozen=True, slots=True)
class SuppressionResult:
    """Findings split into kept and suppressed, plus the expired suppressions."""

    kept: tuple[Finding, ...]
    suppressed: tuple[Finding, ...]
    expired: tuple[ExpiredSuppression, ...]


def _entry(raw: object, index: int, source: str) -> Suppression:
    where = f"{source}: suppressions[{index}]"
    if not isinstance(raw, dict):
        raise SuppressionError(f"{where} must be a mapping with check, resource, reason, expires")
    entry = cast(dict[str, object], raw)
    missing = [k for k in ("check", "resource", "reason", "expires") if entry.get(k) in (None, "")]
    if missing:
        raise SuppressionError(f"{where} lacks {', '.join(missing)}")
    expires = entry["expires"]
    if isinstance(expires, datetime):
        expires = expires.date()
    elif isinstance(expires, str):
        try:
            expires = date.fromisoformat(expires)
        except ValueError:
            raise SuppressionError(f"{where}.expires {expires!r} is not a date (YYYY-MM-DD)") from None
    if not isinstance(expires, date):
        raise SuppressionError(f"{where}.expires must be a date (YYYY-MM-DD)")
    return Suppression(
        check=str(entry["check"]),
        resource=str(entry["resource"]),
        reason=str(entry["reason"]),
        expires=expires,
        file=source,
    )


def parse_suppressions(text: str, source: str = "<suppressions>") -> tuple[Suppression, ...]:
    """Suppressions from YAML text; raises :class:`SuppressionError` naming ``source``."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise SuppressionError(f"{source}: not valid YAML{where}") from None
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not isinstance(raw.get("suppressions"), list):
        raise SuppressionError(f"{source}: expected a top-level 'suppressions:' list")
    items = cast(list[object], raw["suppressions"])
    return tuple(_entry(item, index, source) for index, item in enumerate(items))


def load_suppressions(path: Path) -> tuple[Suppression, ...]:
    """Suppressions from a file; raises :class:`SuppressionError` for a missing or bad file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SuppressionError(f"{path}: cannot read ({error.strerror})") from None
    except UnicodeDecodeError:
        raise SuppressionError(f"{path}: not UTF-8 text") from None
    return parse_suppressions(text, str(path))


def apply_suppressions(
    findings: Sequence[Finding], suppressions: Sequence[Suppression], as_of: datetime
) -> SuppressionResult:
    """Hide findings matched by a live suppression; report the expired ones."""
    live = [s for s in suppressions if not s.expired(as_of)]
    expired = tuple(
        ExpiredSuppression(
            check=s.check,
            resource=s.resource,
            reason=s.reason,
            expires=s.expires.isoformat(),
            file=s.file,
        )
        for s in suppressions
        if s.expired(as_of)
    )
    kept: list[Finding] = []
    hidden: list[Finding] = []
    for finding in findings:
        match = next((s for s in live if s.matches(finding)), None)
        if match is None:
            kept.append(finding)
        else:
            hidden.append(_suppressed(finding, match))
    return SuppressionResult(tuple(kept), tuple(hidden), expired)


def _suppressed(finding: Finding, by: Suppression) -> Finding:
    return replace(finding, suppressed_reason=f"{by.reason} (until {by.expires.isoformat()})")
