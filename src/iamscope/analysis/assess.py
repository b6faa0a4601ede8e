"""The assessment as a library call: run every check on every account, map, suppress and score.

``assess(snapshot)`` is what ``iamscope assess`` calls; it is pure (time is ``as_of``, an input).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from iamscope import __version__
from iamscope.analysis.access import AccessModel
from iamscope.analysis.checks.prose import CheckProse, load_prose, render_remediation
from iamscope.analysis.checks.registry import (
    AssessOptions,
    Check,
    CheckContext,
    Hit,
    Outcome,
    all_checks,
)
from iamscope.analysis.frameworks.loader import FRAMEWORKS, load_framework
from iamscope.analysis.frameworks.scoring import evaluate_framework
from iamscope.analysis.suppressions import Suppression, apply_suppressions
from iamscope.engine.catalog import load_catalog
from iamscope.model.findings import (
    Assessment,
    CheckRun,
    ControlResult,
    Finding,
    FrameworkScore,
    finding_id,
)
from iamscope.model.snapshot import Snapshot

__all__ = ["AssessConfig", "assess", "default_as_of"]


@dataclass(frozen=True, slots=True)
class AssessConfig:
    """What an assessment run may vary: time, thresholds, suppressions, frameworks, checks."""

    as_of: datetime | None = None
    options: AssessOptions = field(default_factory=AssessOptions)
    suppressions: Sequence[Suppression] = ()
    frameworks: Sequence[str] = tuple(FRAMEWORKS)
    checks: Sequence[Check] | None = None  # None: every registered check
    accounts: Sequence[str] | None = None  # None: every account of the snapshot
    extra_problems: Sequence[str] = field(default_factory=tuple)


def default_as_of(snapshot: Snapshot) -> datetime:
    """The bundle's collection time; a snapshot without one (a bare file) gets the epoch.

    The epoch keeps the pure layer free of the clock; the CLI passes the current time instead
    when the input carries no date.
    """
    if snapshot.collected_at is not None:
        return snapshot.collected_at
    return datetime(1970, 1, 1, tzinfo=UTC)


def _run(check: Check, ctx: CheckContext) -> tuple[Outcome, str | None]:
    """Run one check on one account.

    This is a documented fault boundary: a check that raises (a bug, or data shaped in a way
    nobody foresaw) is recorded as not run with its error, and every other check still runs.
    """
    try:
        return check.run(ctx), None
    except Exception as error:  # fault boundary (see docstring)
        message = f"check {check.id} failed on account {ctx.account_id}: {error!r}"
        return Outcome.not_collected(f"check error: {error!r}"), message


def _finding(
    check: Check, prose: CheckProse, account: str, hit: Hit, maps: dict[str, tuple[str, ...]]
) -> Finding:
    return Finding(
        id=finding_id(check.id, account, hit.resource),
        check=check.id,
        title=prose.title,
        severity=prose.severity,
        account_id=account,
        resources=(hit.resource, *hit.related),
        message=hit.message,
        evidence=dict(hit.evidence),
        remediation=render_remediation(prose, hit.params),
        compliance=maps,
    )


def assess(snapshot: Snapshot, config: AssessConfig = AssessConfig()) -> Assessment:
    """Assess every account of the snapshot; results are relative to ``config.as_of``."""
    as_of = config.as_of or default_as_of(snapshot)
    checks = tuple(config.checks) if config.checks is not None else all_checks()
    prose = load_prose()
    frameworks = [load_framework(f) for f in config.frameworks]
    accounts = tuple(sorted(config.accounts or snapshot.accounts))
    problems = [f"{p.file}: {p.message}" for p in snapshot.problems]
    problems.extend(config.extra_problems)
    runs: list[CheckRun] = []
    findings: list[Finding] = []
    access = AccessModel(snapshot)
    for account_id in accounts:
        account = snapshot.accounts.get(account_id)
        if account is None:
            problems.append(f"account {account_id} is not in the snapshot")
            continue
        ctx = CheckContext(
            snapshot=snapshot, account=account, as_of=as_of, options=config.options, access=access
        )
        for check in checks:
            outcome, error = _run(check, ctx)
            if error is not None:
                problems.append(error)
            maps = {f.id: ids for f in frameworks if (ids := f.controls_of(check.id))}
            new = [_finding(check, prose[check.id], account_id, h, maps) for h in outcome.hits]
            findings.extend(new)
            runs.append(CheckRun(check.id, account_id, outcome.status, outcome.reason, len(new)))
    # Policies the engine could not read were left out of every decision: say so once each.
    problems.extend(dict.fromkeys(access.problems))
    findings.sort(key=lambda f: (f.severity.rank, f.check, f.account_id, f.resource))
    split = apply_suppressions(findings, config.suppressions, as_of)
    controls: list[ControlResult] = []
    scores: list[FrameworkScore] = []
    # Suppressed findings are accepted risks: they do not fail a control.
    adjusted = _without_suppressed(runs, split.suppressed, split.kept)
    for framework in frameworks:
        results, score = evaluate_framework(framework, accounts, adjusted, split.kept)
        controls.extend(results)
        scores.append(score)
    return Assessment(
        as_of=as_of,
        source=snapshot.source,
        accounts=accounts,
        iamscope_version=__version__,
        catalog_version=load_catalog().version,
        findings=split.kept,
        suppressed=split.suppressed,
        controls=tuple(controls),
        scores=tuple(scores),
        check_runs=tuple(adjusted),
        expired_suppressions=split.expired,
        problems=tuple(problems),
    )


def _without_suppressed(
    runs: Sequence[CheckRun], suppressed: Sequence[Finding], kept: Sequence[Finding]
) -> list[CheckRun]:
    if not suppressed:
        return list(runs)
    remaining: dict[tuple[str, str], int] = {}
    for item in kept:
        key = (item.check, item.account_id)
        remaining[key] = remaining.get(key, 0) + 1
    out = []
    for run in runs:
        count = remaining.get((run.check, run.account_id), 0)
        out.append(
            CheckRun(run.check, run.account_id, run.status, run.reason, count)
            if count != run.findings
            else run
        )
    return out
