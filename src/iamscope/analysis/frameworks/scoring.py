"""Control status and compliance score from check runs: the one place the scoring rule lives.

Per account, a control is ``fail`` when any of its checks found something, ``not_collected`` when
a check could not run for lack of data, ``not_applicable`` when every check says so, ``pass``
otherwise, and ``manual`` when no check decides it. Overall, the worst account status wins
(fail > not_collected > pass > not_applicable). A control's note names the failing accounts and
resources and why an account could not be evaluated, each reason once. The score is
passed / (passed + failed) over (account, control) pairs, overall and per CIS profile: Level 1
counts L1 controls, Level 2 (a superset profile in CIS) counts L1 and L2 controls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from iamscope.analysis.frameworks.loader import Framework
from iamscope.model.findings import (
    CheckRun,
    ControlResult,
    ControlStatus,
    Finding,
    FrameworkScore,
    LevelScore,
)

__all__ = ["evaluate_framework"]

_WORST_FIRST: tuple[ControlStatus, ...] = ("fail", "not_collected", "pass", "not_applicable")


def _account_status(runs: Sequence[CheckRun]) -> ControlStatus:
    if any(r.status == "evaluated" and r.findings for r in runs):
        return "fail"
    if any(r.status == "not_collected" for r in runs):
        return "not_collected"
    if runs and all(r.status == "not_applicable" for r in runs):
        return "not_applicable"
    return "pass"


def _count(pairs: Sequence[ControlStatus]) -> LevelScore:
    return LevelScore(
        passed=pairs.count("pass"), failed=pairs.count("fail"), not_collected=pairs.count("not_collected")
    )


_NOTE_RESOURCES = 5  # resources named per failing account in a control's note


def _short(arn: str) -> str:
    """``user/alice`` from ``arn:aws:iam::111111111111:user/alice``; ``root`` for the account."""
    return arn.split(":", 5)[5] if arn.count(":") >= 5 else arn


def _note(
    statuses: Mapping[str, ControlStatus],
    reasons: Mapping[str, list[str]],
    failing: Sequence[Finding],
) -> str:
    """What a reviewer needs to act on the control's status, without repeats.

    Failing accounts with the resources that fail; accounts that could not be evaluated with
    why; the reason of a not-applicable account only when every account is not applicable.
    """
    parts: list[str] = []
    for account, status in statuses.items():
        if status != "fail":
            continue
        names = list(dict.fromkeys(_short(f.resource) for f in failing if f.account_id == account))
        shown = ", ".join(names[:_NOTE_RESOURCES])
        more = f" and {len(names) - _NOTE_RESOURCES} more" if len(names) > _NOTE_RESOURCES else ""
        parts.append(f"fails in {account}: {shown}{more}" if names else f"fails in {account}")
    wanted: tuple[ControlStatus, ...] = ("not_collected",)
    if statuses and all(s == "not_applicable" for s in statuses.values()):
        wanted = ("not_applicable",)
    by_reason: dict[str, list[str]] = {}
    for account, status in statuses.items():
        if status in wanted:
            for reason in dict.fromkeys(reasons.get(account, [])):
                by_reason.setdefault(reason, []).append(account)
    label = "not applicable in" if wanted == ("not_applicable",) else "not collected in"
    parts.extend(f"{label} {', '.join(accounts)}: {reason}" for reason, accounts in by_reason.items())
    return "; ".join(parts)


def evaluate_framework(
    framework: Framework,
    accounts: Sequence[str],
    runs: Sequence[CheckRun],
    findings: Sequence[Finding],
) -> tuple[tuple[ControlResult, ...], FrameworkScore]:
    """Every control's status and the framework's score for these accounts."""
    by_key: dict[tuple[str, str], CheckRun] = {(r.check, r.account_id): r for r in runs}
    results: list[ControlResult] = []
    level_pairs: dict[str, list[ControlStatus]] = {}
    account_pairs: dict[str, list[ControlStatus]] = {a: [] for a in accounts}
    for control in framework.controls:
        if not control.checks:
            results.append(
                ControlResult(
                    framework=framework.id,
                    control_id=control.id,
                    title=control.title,
                    level=control.level,
                    benchmark_assessment=control.assessment,
                    status="manual",
                    checks=(),
                    accounts=dict.fromkeys(accounts, "manual"),
                    reason="no automated check; review by hand",
                )
            )
            continue
        statuses: dict[str, ControlStatus] = {}
        reasons: dict[str, list[str]] = {}
        for account in accounts:
            account_runs = [
                by_key[(check, account)] for check in control.checks if (check, account) in by_key
            ]
            statuses[account] = _account_status(account_runs)
            reasons[account] = [r.reason for r in account_runs if r.status != "evaluated" and r.reason]
            level_pairs.setdefault(control.level, []).append(statuses[account])
            account_pairs[account].append(statuses[account])
        overall: ControlStatus = next((s for s in _WORST_FIRST if s in statuses.values()), "not_applicable")
        failing = [f for f in findings if f.check in control.checks and f.account_id in statuses]
        ids = tuple(f.id for f in failing)
        results.append(
            ControlResult(
                framework=framework.id,
                control_id=control.id,
                title=control.title,
                level=control.level,
                benchmark_assessment=control.assessment,
                status=overall,
                checks=control.checks,
                accounts=statuses,
                finding_ids=ids,
                reason=_note(statuses, reasons, failing),
            )
        )
    levels = _profiles(framework, level_pairs)
    everything = [s for pairs in level_pairs.values() for s in pairs]
    score = FrameworkScore(
        framework=framework.id,
        title=framework.title,
        overall=_count(everything),
        levels=levels,
        accounts={a: _count(p) for a, p in account_pairs.items()},
    )
    return tuple(results), score


def _profiles(
    framework: Framework, level_pairs: Mapping[str, Sequence[ControlStatus]]
) -> dict[str, LevelScore]:
    """Each profile counts its own level and every lower one (CIS Level 2 includes Level 1)."""
    profiles: dict[str, LevelScore] = {}
    included: list[ControlStatus] = []
    for level in framework.levels:
        included.extend(level_pairs.get(level, ()))
        profiles[level] = _count(included)
    return profiles
