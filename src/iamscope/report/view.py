"""What every report format shows, computed once: ordered findings, counts, scores, control titles."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from iamscope.analysis.frameworks.loader import load_framework
from iamscope.analysis.leastpriv.plan_file import PlanEntry, PlanFile
from iamscope.model.arn import parse_arn
from iamscope.model.findings import (
    Assessment,
    ControlResult,
    Finding,
    FrameworkScore,
    LevelScore,
    Severity,
)
from iamscope.model.snapshot import Snapshot
from iamscope.report.grouping import FindingGroup, group_findings
from iamscope.report.remediation_files import RemediationFiles, plan_remediation_files

__all__ = [
    "SEVERITY_PREFIX",
    "Renderer",
    "ReportView",
    "account_statuses",
    "build_view",
    "percent",
    "plan_state",
    "resource_kind",
    "score_text",
]

Renderer = Callable[["ReportView"], str]

# The short label of findings in the text report: [C-001], [H-002]...
SEVERITY_PREFIX: Mapping[Severity, str] = {
    Severity.CRITICAL: "C",
    Severity.HIGH: "H",
    Severity.MEDIUM: "M",
    Severity.LOW: "L",
    Severity.INFORMATIONAL: "I",
}


def percent(score: LevelScore) -> str:
    """``62%`` or ``n/a`` when nothing was evaluated."""
    value = score.score
    return "n/a" if value is None else f"{round(value * 100)}%"


def score_text(score: LevelScore, accounts: int) -> str:
    """The score with what it was computed from, never a bare number.

    ``25% of 4 controls that could be evaluated (13 not collected)``; with several accounts the
    base is (account, control) results: ``58% of 45 control results that could be evaluated in 3
    accounts``; ``n/a: no control could be evaluated`` when nothing was.
    """
    missing = f" ({score.not_collected} not collected)" if score.not_collected else ""
    if score.evaluated == 0:
        return f"n/a: no control could be evaluated{missing}"
    if accounts > 1:
        base = f"{score.evaluated} control results that could be evaluated in {accounts} accounts"
    else:
        base = f"{score.evaluated} control{'s' if score.evaluated != 1 else ''} that could be evaluated"
    return f"{percent(score)} of {base}{missing}"


def account_statuses(control: ControlResult) -> str:
    """``fail: 111111111111 · pass: 222222222222, 333333333333``, worst status first."""
    by_status: dict[str, list[str]] = {}
    for account, status in control.accounts.items():
        by_status.setdefault(status, []).append(account)
    order = ("fail", "not_collected", "pass", "not_applicable", "manual")
    return " · ".join(f"{s}: {', '.join(by_status[s])}" for s in order if s in by_status)


def resource_kind(arn: str) -> str:
    """``user``, ``role``, ``policy``, ``root``, ``analyzer``... from an ARN (``other`` otherwise)."""
    parsed = parse_arn(arn)
    if parsed is None:
        return "other"
    return parsed.resource_type or "other"


@dataclass(frozen=True, slots=True)
class ReportView:
    """An assessment prepared for rendering, and the snapshot it came from (when there is one)."""

    assessment: Assessment
    snapshot: Snapshot | None
    labels: Mapping[str, str]  # finding id -> "C-001" (every finding of a group shares its label)
    control_titles: Mapping[str, Mapping[str, str]]  # framework -> control id -> title
    rightsize: PlanFile | None = None  # a right-size plan to report next to the findings
    groups: tuple[FindingGroup, ...] = ()  # findings of one check and severity, worst first
    remediation: RemediationFiles = field(default_factory=lambda: RemediationFiles({}, {}))

    def commands(self, item: Finding) -> tuple[str, ...]:
        """The finding's remediation commands, ``file://`` pointing at the files ``--output-dir`` writes."""
        return self.remediation.commands(item)

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Unsuppressed findings, worst first."""
        return self.assessment.findings

    def by_severity(self) -> list[tuple[Severity, list[Finding]]]:
        """Findings grouped by severity, worst first, empty groups left out."""
        groups: dict[Severity, list[Finding]] = {}
        for item in self.findings:
            groups.setdefault(item.severity, []).append(item)
        return [(s, groups[s]) for s in Severity if s in groups]

    def groups_by_severity(self) -> list[tuple[Severity, list[FindingGroup]]]:
        """Finding groups by severity, worst first, empty severities left out."""
        out: dict[Severity, list[FindingGroup]] = {}
        for group in self.groups:
            out.setdefault(group.severity, []).append(group)
        return [(s, out[s]) for s in Severity if s in out]

    def group_compliance_text(self, group: FindingGroup) -> list[str]:
        """The compliance lines of a group's findings, each once."""
        return list(dict.fromkeys(line for item in group.findings for line in self.compliance_text(item)))

    def score_of(self, framework: str) -> FrameworkScore | None:
        """The score of one framework."""
        return next((s for s in self.assessment.scores if s.framework == framework), None)

    def compliance_text(self, item: Finding) -> list[str]:
        """``CIS AWS Foundations Benchmark v3.0.0: 1.4 (Ensure no 'root'...)`` lines."""
        lines = []
        for framework, ids in item.compliance.items():
            titles = self.control_titles.get(framework, {})
            name = next((s.title for s in self.assessment.scores if s.framework == framework), framework)
            for control in ids:
                lines.append(f"{name}: {control} ({titles.get(control, '')})")
        return lines


def plan_state(entry: PlanEntry) -> str:
    """``READY``, ``IDLE`` (detach everything) or ``NOT READY`` for one principal of a plan."""
    if entry.idle:
        return "IDLE"
    return "READY" if entry.ready else "NOT READY"


def build_view(
    assessment: Assessment, snapshot: Snapshot | None = None, rightsize: PlanFile | None = None
) -> ReportView:
    """Group findings and label the groups per severity (C-001, H-001...); gather control titles."""
    groups = group_findings(assessment.findings, SEVERITY_PREFIX)
    labels = {item.id: group.label for group in groups for item in group.findings}
    titles = {
        score.framework: {c.id: c.title for c in load_framework(score.framework).controls}
        for score in assessment.scores
    }
    files = plan_remediation_files((*assessment.findings, *assessment.suppressed), snapshot)
    return ReportView(assessment, snapshot, labels, titles, rightsize, groups, files)
