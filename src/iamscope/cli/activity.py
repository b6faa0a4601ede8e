"""``iamscope activity``: ingest CloudTrail into the activity store and summarise it."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from iamscope.activity.ingest import IngestOptions, ingest
from iamscope.activity.queries import TimeWindow, summarise
from iamscope.activity.render import summary_json, summary_text
from iamscope.activity.store import ActivityStore
from iamscope.cli.messages import warn
from iamscope.user_error import UserError

__all__ = [
    "EXIT_SKIPPED",
    "add_db_argument",
    "add_window_arguments",
    "parse_date",
    "register",
    "window_from",
]

DEFAULT_DB = "iamscope-activity.duckdb"
EXIT_SKIPPED = 1  # ingest ran, but a path or file gave nothing (named on standard error)


def parse_date(text: str) -> datetime:
    """A date or ISO time from the command line (UTC when no zone is given)."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"not a date: {text!r} (use YYYY-MM-DD or an ISO 8601 time)"
        ) from exc
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    """The ``--db`` option shared by every command that reads the activity store."""
    parser.add_argument(
        "--db",
        type=Path,
        default=Path(os.environ.get("IAMSCOPE_ACTIVITY_DB", DEFAULT_DB)),
        help=f"activity database file (default: $IAMSCOPE_ACTIVITY_DB or ./{DEFAULT_DB})",
    )


def add_window_arguments(parser: argparse.ArgumentParser) -> None:
    """``--since`` / ``--until`` for commands that look at a period."""
    parser.add_argument("--since", type=parse_date, help="only events at or after this date/time (UTC)")
    parser.add_argument("--until", type=parse_date, help="only events before this date/time (UTC)")


def window_from(args: argparse.Namespace) -> TimeWindow:
    """The time window the user asked for."""
    return TimeWindow(since=args.since, until=args.until)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``activity ingest`` and ``activity summary``."""
    parser = subparsers.add_parser(
        "activity",
        help="read CloudTrail into the activity store and summarise who used what",
        description="CloudTrail activity: ingest trail files into a DuckDB file and summarise it.",
    )
    commands = parser.add_subparsers(dest="activity_command", metavar="SUBCOMMAND")
    parser.set_defaults(func=lambda _args: _help(parser))

    ingest_parser = commands.add_parser(
        "ingest",
        help="read CloudTrail files, folders or s3:// prefixes into the store",
        description="Read CloudTrail delivery files (.json, .json.gz), bare JSON arrays, "
        "lookup-events output, CloudTrail Lake query results, organisation-trail folder trees "
        "(AWSLogs/<org-id>/<account>/CloudTrail/<region>/YYYY/MM/DD/) and s3://bucket/prefix "
        "(read-only, with your AWS credentials). Each eventID is stored once; unreadable files "
        "are reported and skipped.",
    )
    ingest_parser.add_argument(
        "paths", nargs="+", metavar="PATH", help="file, folder or s3://bucket/prefix to read"
    )
    add_db_argument(ingest_parser)
    ingest_parser.add_argument(
        "--workers",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="worker processes decoding files (0: decode in this process; default: up to 2)",
    )
    ingest_parser.add_argument(
        "--batch",
        type=int,
        default=IngestOptions().batch_events,
        help="events per database load (memory use grows with it; default: %(default)s)",
    )
    ingest_parser.set_defaults(func=_ingest)

    summary_parser = commands.add_parser(
        "summary",
        help="per principal: services, actions, resources, first/last seen; data-event coverage",
        description="Summarise the activity store: per principal the services, actions and "
        "resources used, denied attempts, first and last seen; which data-event sources "
        "(S3 object, Lambda invoke, DynamoDB item) are absent from the logs; unmapped events.",
    )
    add_db_argument(summary_parser)
    summary_parser.add_argument(
        "--principal", metavar="ARN", help="only this principal (user, role or role session ARN)"
    )
    add_window_arguments(summary_parser)
    summary_parser.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    summary_parser.set_defaults(func=_summary)


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _ingest(args: argparse.Namespace) -> int:
    tty = sys.stderr.isatty()

    def progress(files: int, records: int) -> None:
        if tty and files % 200 == 0:
            print(f"\r{files:,} files, {records:,} events", end="", file=sys.stderr)

    report = ingest(  # StoreError (a UserError) when --db is not a usable store
        list(args.paths),
        args.db,
        options=IngestOptions(batch_events=max(1000, args.batch), workers=max(0, args.workers)),
        progress=progress,
    )
    if tty:
        print(file=sys.stderr)
    print(
        f"{report.files:,} files, {report.records:,} events read: {report.stored:,} stored, "
        f"{report.duplicates:,} duplicates (same eventID) skipped -> {args.db}"
    )
    unmapped = sum(c for _, _, c in report.unmapped)
    if unmapped:
        print(f"{unmapped:,} events have no known IAM action (kept; see 'iamscope activity summary')")
    for problem in report.problems:
        warn(f"skipped {problem.name}: {problem.message}")
    return EXIT_SKIPPED if report.problems else 0


def _summary(args: argparse.Namespace) -> int:
    with ActivityStore(args.db, read_only=True) as store:
        summary = summarise(store, args.principal, window_from(args))
    if args.principal and not summary.principals:
        raise UserError(
            f"no recorded activity for {args.principal} in {args.db} (check the ARN and --since/--until)"
        )
    if args.format == "json":
        print(json.dumps(summary_json(summary), indent=2))
    else:
        sys.stdout.write(summary_text(summary))
    return 0
