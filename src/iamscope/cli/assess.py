"""``iamscope assess``: read a bundle (or a bare GAAD / credential report), assess it, write reports.

Thin over :func:`iamscope.analysis.assess.assess`: this module parses options, reads the input
through ``iamscope.collect.load``, renders the chosen formats and turns ``--fail-on`` into the
exit status (0 fine, 1 findings at or above ``--fail-on``; bad input or options raise a
:class:`~iamscope.user_error.UserError`, which ``cli.main`` turns into status 2).
"""

from __future__ import annotations

import argparse
import gc
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO, cast

from iamscope.cli.messages import warn
from iamscope.model.findings import Assessment, Severity
from iamscope.model.snapshot import Snapshot
from iamscope.user_error import UserError

__all__ = ["AssessRequest", "register", "run_assess"]

EXIT_OK = 0
EXIT_FINDINGS = 1


@dataclass(frozen=True, slots=True)
class AssessRequest:
    """The command's options, as a library caller would pass them."""

    path: Path
    formats: tuple[str, ...] = ()
    output_dir: Path | None = None
    as_of: datetime | None = None
    suppressions: Path | None = None
    fail_on: Severity | None = None
    rightsize_plan: Path | None = None  # a `rightsize --out` plan to report next to the findings


class UsageError(UserError, ValueError):
    """Options or input the command cannot work with; the message says which and why."""


def _parse_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 date or time: {text!r}") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _load(path: Path) -> Snapshot:
    """Read the input; an unusable one raises InputError (a UserError) with the loader's message."""
    from iamscope.cli.snapshot_input import load_snapshot

    return load_snapshot(path)


def _formats(request: AssessRequest) -> tuple[str, ...]:
    from iamscope.report.formats import FORMATS

    chosen = request.formats or (tuple(FORMATS) if request.output_dir else ("text",))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown:
        raise UsageError(f"unknown format {unknown[0]!r}; choose from {', '.join(FORMATS)}")
    if len(chosen) > 1 and request.output_dir is None:
        raise UsageError("several formats need --output-dir (one format goes to standard output)")
    return tuple(dict.fromkeys(chosen))


def run_assess(request: AssessRequest, stdout: TextIO | None = None) -> tuple[int, Assessment]:
    """Everything the command does, callable from Python; returns (exit status, assessment)."""
    from iamscope.analysis.assess import AssessConfig, assess
    from iamscope.analysis.suppressions import Suppression, load_suppressions
    from iamscope.report.formats import FORMATS
    from iamscope.report.remediation_files import DIRECTORY
    from iamscope.report.view import build_view

    out = stdout if stdout is not None else sys.stdout
    formats = _formats(request)
    suppressions: tuple[Suppression, ...] = ()
    if request.suppressions is not None:
        suppressions = load_suppressions(request.suppressions)  # SuppressionError: a UserError
    plan = None
    if request.rightsize_plan is not None:
        from iamscope.analysis.leastpriv.plan_file import read_plan_file

        plan = read_plan_file(request.rightsize_plan)  # PlanFileError: a UserError
    snapshot = _load(request.path)
    as_of = request.as_of
    notes: list[str] = []
    if as_of is None and snapshot.collected_at is None:
        as_of = datetime.now(UTC).replace(microsecond=0)
        notes.append(f"the input carries no collection time; results are as of now ({as_of.isoformat()})")
    result = assess(snapshot, AssessConfig(as_of=as_of, suppressions=suppressions, extra_problems=notes))
    view = build_view(result, snapshot, plan)
    if request.output_dir is not None:
        try:
            request.output_dir.mkdir(parents=True, exist_ok=True)
            for name in formats:
                for filename, content in FORMATS[name].output_files(view):
                    target = request.output_dir / filename
                    target.write_text(content, encoding="utf-8")
                    print(f"iamscope assess: wrote {target}", file=sys.stderr)
            for item in view.remediation.files:
                target = request.output_dir / item.path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(item.content, encoding="utf-8")
            if view.remediation.files:
                count = len(view.remediation.files)
                folder = request.output_dir / DIRECTORY
                print(f"iamscope assess: wrote {count} remediation files in {folder}", file=sys.stderr)
        except OSError as error:
            raise UsageError(f"{request.output_dir}: cannot write reports ({error.strerror})") from None
        out.write(FORMATS["text"].render(view))
    else:
        out.write(FORMATS[formats[0]].render(view))
    for problem in result.problems:
        warn(problem)
    failing = request.fail_on is not None and any(
        f.severity.at_least(request.fail_on) for f in result.findings
    )
    return (EXIT_FINDINGS if failing else EXIT_OK), result


# The assessment builds millions of small long-lived objects (the snapshot, compiled policies);
# with CPython's default gen-0 threshold (700) the collector walks them again and again, a third
# of the run on large accounts. A command is one short process, so collect less often.
_GC_THRESHOLDS = (100_000, 50, 1000)


def _handle(args: argparse.Namespace) -> int:
    gc.set_threshold(*_GC_THRESHOLDS)
    request = AssessRequest(
        path=Path(args.path),
        formats=tuple(args.format or ()),
        output_dir=Path(args.output_dir) if args.output_dir else None,
        as_of=cast("datetime | None", args.as_of),
        suppressions=Path(args.suppressions) if args.suppressions else None,
        fail_on=Severity(args.fail_on) if args.fail_on else None,
        rightsize_plan=Path(args.rightsize_plan) if args.rightsize_plan else None,
    )
    status, _ = run_assess(request)
    return status


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``assess`` command."""
    from iamscope.report.formats import FORMATS

    parser = subparsers.add_parser(
        "assess",
        help="assess a bundle: CIS v3.0 section 1, risky permissions and trust, compliance score",
        description="Assess IAM in a bundle directory, a bare get-account-authorization-details "
        "JSON file or a credential report CSV. One format goes to standard output; with "
        "--output-dir every chosen format (default: all) is written there and the text report "
        "is printed.",
    )
    parser.add_argument("path", help="bundle directory, GAAD JSON file or credential report CSV")
    parser.add_argument(
        "--as-of",
        type=_parse_time,
        help="ISO-8601 time results are relative to (default: the bundle's collection time)",
    )
    parser.add_argument(
        "--format",
        action="append",
        choices=tuple(FORMATS),
        help="report format; repeat for several (they need --output-dir). Default: text",
    )
    parser.add_argument("--output-dir", help="directory to write the report files to")
    parser.add_argument(
        "--suppressions", help="YAML file of accepted risks (check, resource, reason, expires)"
    )
    parser.add_argument(
        "--fail-on",
        choices=[s.value for s in Severity],
        help="exit with status 1 when a finding of this severity or worse remains",
    )
    parser.add_argument(
        "--rightsize-plan",
        metavar="FILE",
        help="a plan from 'iamscope rightsize --out FILE' to report in a least-privilege section",
    )
    parser.set_defaults(func=_handle)
