"""What an assessment produces: findings, control results and scores, as plain data every report reads."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Literal

from iamscope.model.document import JsonValue

__all__ = [
    "FINDINGS_SCHEMA_VERSION",
    "Assessment",
    "CheckRun",
    "ControlResult",
    "ControlStatus",
    "ExpiredSuppression",
    "Finding",
    "FrameworkScore",
    "LevelScore",
    "Remediation",
    "Severity",
    "finding_id",
]

# Bump on any incompatible change to the findings JSON document (README: "Findings JSON").
FINDINGS_SCHEMA_VERSION = "iamscope-findings/1"


class Severity(StrEnum):
    """How bad a finding is; ordered from worst to least."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFORMATIONAL = "informational"

    @property
    def rank(self) -> int:
        """0 for critical up to 4 for informational (sort key: worst first)."""
        return _RANKS[self]

    def at_least(self, other: Severity) -> bool:
        """Whether this severity is as bad as ``other`` or worse."""
        return self.rank <= other.rank


_RANKS = {
    Severity.CRITICAL: 0,
    Severity.HIGH: 1,
    Severity.MEDIUM: 2,
    Severity.LOW: 3,
    Severity.INFORMATIONAL: 4,
}

ControlStatus = Literal["pass", "fail", "manual", "not_applicable", "not_collected"]


@dataclass(frozen=True, slots=True)
class Remediation:
    """How to fix a finding: prose, CLI commands, and a policy snippet where one fits."""

    text: str
    commands: tuple[str, ...] = ()
    policy_snippet: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem of one resource (or account), found by one check."""

    id: str
    check: str
    title: str
    severity: Severity
    account_id: str
    resources: tuple[str, ...]
    message: str
    evidence: Mapping[str, JsonValue]
    remediation: Remediation
    compliance: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    suppressed_reason: str | None = None

    @property
    def resource(self) -> str:
        """The primary resource (first ARN) the finding is about."""
        return self.resources[0] if self.resources else ""


def finding_id(check: str, account_id: str, resource: str) -> str:
    """A stable id: the same check on the same resource gives the same id in every run."""
    digest = hashlib.sha256(f"{check}\x00{account_id}\x00{resource}".encode()).hexdigest()
    return f"{check}-{digest[:12]}"


@dataclass(frozen=True, slots=True)
class CheckRun:
    """Whether one check ran on one account, and if not, why."""

    check: str
    account_id: str
    status: Literal["evaluated", "not_collected", "not_applicable"]
    reason: str = ""
    findings: int = 0


@dataclass(frozen=True, slots=True)
class ControlResult:
    """The status of one framework control, overall and per account."""

    framework: str
    control_id: str
    title: str
    level: str
    benchmark_assessment: Literal["automated", "manual"]
    status: ControlStatus
    checks: tuple[str, ...]
    accounts: Mapping[str, ControlStatus] = field(default_factory=dict)
    finding_ids: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True, slots=True)
class LevelScore:
    """passed / (passed + failed) over evaluated (account, control) pairs of one profile level.

    ``not_collected`` counts the automated pairs that could not be evaluated for lack of data, so
    a report can say how much of the framework a score covers.
    """

    passed: int
    failed: int
    not_collected: int = 0

    @property
    def evaluated(self) -> int:
        """Pairs that count in the score (passed or failed)."""
        return self.passed + self.failed

    @property
    def score(self) -> float | None:
        """The share of passes, or None when nothing was evaluated."""
        total = self.passed + self.failed
        return None if total == 0 else self.passed / total


@dataclass(frozen=True, slots=True)
class FrameworkScore:
    """A framework's compliance score overall and per profile level (L1, L2)."""

    framework: str
    title: str
    overall: LevelScore
    levels: Mapping[str, LevelScore]
    accounts: Mapping[str, LevelScore] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ExpiredSuppression:
    """A suppression whose expiry date has passed: it no longer hides anything."""

    check: str
    resource: str
    reason: str
    expires: str
    file: str


@dataclass(frozen=True, slots=True)
class Assessment:
    """Everything one ``assess`` run found, relative to ``as_of``."""

    as_of: datetime
    source: str
    accounts: tuple[str, ...]
    iamscope_version: str
    catalog_version: str
    findings: tuple[Finding, ...]
    suppressed: tuple[Finding, ...] = ()
    controls: tuple[ControlResult, ...] = ()
    scores: tuple[FrameworkScore, ...] = ()
    check_runs: tuple[CheckRun, ...] = ()
    expired_suppressions: tuple[ExpiredSuppression, ...] = ()
    problems: tuple[str, ...] = ()

    def counts(self) -> dict[Severity, int]:
        """Number of (unsuppressed) findings per severity, every severity present."""
        counts = dict.fromkeys(Severity, 0)
        for item in self.findings:
            counts[item.severity] += 1
        return counts

    def worst(self) -> Severity | None:
        """The worst severity among unsuppressed findings."""
        return min((f.severity for f in self.findings), key=lambda s: s.rank, default=None)
