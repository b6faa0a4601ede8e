"""``iamscope rightsize``: plans for over-privileged principals, and ``verify`` for the shadow period."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from iamscope.activity.evidence import gather_evidence
from iamscope.activity.queries import TimeWindow, log_coverage, recorded_calls
from iamscope.activity.store import ActivityStore
from iamscope.analysis.leastpriv.generate import GenerateOptions
from iamscope.analysis.leastpriv.plan_file import PlanFileError, read_plan_file
from iamscope.analysis.leastpriv.replay import BasePolicies
from iamscope.analysis.leastpriv.rightsize import (
    plan_rightsize,
    snapshot_base,
    verify_plan,
)
from iamscope.analysis.leastpriv.views import plan_json, plan_text, replay_json, replay_text
from iamscope.cli.activity import add_db_argument, add_window_arguments, parse_date, window_from
from iamscope.cli.generate_policy import add_allow_wildcard_argument
from iamscope.cli.snapshot_input import load_snapshot
from iamscope.engine.catalog import load_catalog
from iamscope.user_error import UserError

__all__ = ["register"]

EXIT_DENIALS = 3


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``rightsize`` and ``rightsize verify``."""
    parser = subparsers.add_parser(
        "rightsize",
        help="plan least-privilege policies for over-privileged principals, proven by replay",
        description="For every over-privileged principal (wildcard grants, or grants never used) "
        "of the snapshot with recorded activity: the proposed policy, its replay over the "
        "recorded period, the access it removes, and a check that it grants nothing new. "
        "Then run 'rightsize verify' after a shadow period before switching.",
    )
    parser.add_argument("--bundle", type=Path, help="snapshot bundle (required to plan)")
    add_db_argument(parser)
    add_window_arguments(parser)
    parser.add_argument(
        "--generalize",
        choices=("none", "prefix"),
        default="prefix",
        help="as in generate-policy, but 'prefix' by default: a plan meant for rollout must not "
        "deny tomorrow's new S3 objects in the folders already used",
    )
    add_allow_wildcard_argument(parser)
    parser.add_argument("--out", type=Path, help="also write the plan JSON to this file")
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    parser.set_defaults(func=_plan)
    commands = parser.add_subparsers(dest="rightsize_command", metavar="SUBCOMMAND")
    verify = commands.add_parser(
        "verify",
        help="replay activity newer than a plan against its proposals (the shadow run)",
        description="Replay every call recorded since the plan (or --since) against each proposed "
        f"policy. Exit status: 0 clean, {EXIT_DENIALS} some call would be denied, 2 bad input.",
    )
    verify.add_argument("--plan", required=True, type=Path, help="plan JSON from 'rightsize --out'")
    verify.add_argument(
        "--since", type=parse_date, help="replay calls from this time (default: the plan's time)"
    )
    verify.add_argument("--until", type=parse_date, help="replay calls before this time")
    verify.add_argument("--bundle", type=Path, help="snapshot bundle: boundary, SCPs, resource policies")
    add_db_argument(verify)
    verify.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    verify.set_defaults(func=_verify)


def _plan(args: argparse.Namespace) -> int:
    if args.bundle is None:
        raise UserError("rightsize needs --bundle (the principals' current policies)")
    window = window_from(args)
    snapshot = load_snapshot(args.bundle)  # InputError and StoreError are UserErrors
    with ActivityStore(args.db, read_only=True) as store:
        evidence = gather_evidence(store, None, window)
        coverage = log_coverage(store, window)
        row = store.connection.execute("SELECT max(event_time) FROM events").fetchone()
    created = args.until or (row[0] if row else None)
    plan = plan_rightsize(
        snapshot,
        evidence,
        load_catalog(),
        GenerateOptions(generalize=args.generalize, allow_wildcard=frozenset(args.allow_wildcard)),
        created,
        coverage,
    )
    document = plan_json(plan, args.since, args.until)
    if args.out is not None:
        try:
            args.out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        except OSError as fault:
            raise UserError(f"{args.out}: cannot write the plan: {fault.strerror or fault}") from None
    if args.format == "json":
        print(json.dumps(document, indent=2))
    else:
        sys.stdout.write(plan_text(plan))
    return 0


def _verify(args: argparse.Namespace) -> int:
    # PlanFileError, InputError, StoreError and PolicyError are UserErrors: cli.main reports them.
    plan = read_plan_file(args.plan)
    proposals = plan.proposals()
    try:
        since = args.since or (parse_date(plan.created_at) if plan.created_at else None)
    except argparse.ArgumentTypeError as exc:
        raise PlanFileError(f"{args.plan}: created_at: {exc}") from None
    if since is None:
        raise PlanFileError(f"{args.plan}: the plan has no time; pass --since")
    window = TimeWindow(since=since, until=args.until)
    base: BasePolicies | None = snapshot_base(load_snapshot(args.bundle)) if args.bundle is not None else None
    with ActivityStore(args.db, read_only=True) as store:
        results = verify_plan(proposals, lambda p: recorded_calls(store, p, window), base)
    clean = all(r.clean for r in results.values())
    if args.format == "json":
        print(
            json.dumps(
                {
                    "format": "iamscope-rightsize-verify/1",
                    "since": since.isoformat(),
                    "clean": clean,
                    "principals": [replay_json(r) for r in results.values()],
                },
                indent=2,
            )
        )
    else:
        for result in results.values():
            sys.stdout.write(replay_text(result))
        print("shadow run clean: safe to switch" if clean else "shadow run NOT clean: do not switch")
    return 0 if clean else EXIT_DENIALS
