"""``iamscope unused``: granted versus used per action; idle roles, users and access keys."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from iamscope.activity.queries import (
    active_principals,
    data_event_sources,
    log_coverage,
    used_access_keys,
    used_calls,
)
from iamscope.activity.store import ActivityStore
from iamscope.analysis.leastpriv.grants import LayerCache, entity_of
from iamscope.analysis.leastpriv.idle import LogEvidence, idle_entities
from iamscope.analysis.leastpriv.unused import principal_usage, with_idle_verdicts
from iamscope.analysis.leastpriv.views import unused_json, unused_text
from iamscope.cli.activity import add_db_argument, add_window_arguments, window_from
from iamscope.cli.snapshot_input import load_snapshot
from iamscope.engine.catalog import load_catalog
from iamscope.user_error import UserError

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``unused``."""
    parser = subparsers.add_parser(
        "unused",
        help="granted versus used per action, and idle roles, users and keys",
        description="Compare what principals are granted (from the snapshot, after permissions "
        "boundaries and SCPs) with what they used (from the activity store): per action used, "
        "unused, not visible (no logs for the account, or data events absent), or used but no "
        "longer granted. Then roles, users and access keys with no call in the logs, each "
        "checked against IAM's own last-used data (credential report, access keys, "
        "RoleLastUsed, Access Advisor): idle only where both agree; an account without logs is "
        "not visible, never idle.",
    )
    parser.add_argument("--bundle", required=True, type=Path, help="snapshot bundle (or GAAD file)")
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--principal", metavar="ARN", help="one user or role ARN")
    who.add_argument("--all", action="store_true", help="every user and role of the snapshot")
    add_db_argument(parser)
    add_window_arguments(parser)
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    catalog = load_catalog()
    window = window_from(args)
    snapshot = load_snapshot(args.bundle)
    with ActivityStore(args.db, read_only=True) as store:
        sources = data_event_sources(store.connection)
        coverage = log_coverage(store, window)
        if args.all:
            principals = [u.arn for a in snapshot.accounts.values() for u in a.users or ()]
            principals += [
                r.arn for a in snapshot.accounts.values() for r in a.roles or () if not r.is_service_linked
            ]
        else:
            if entity_of(snapshot, args.principal) is None:
                raise UserError(f"{args.principal} is not in the snapshot")
            principals = [args.principal]
        cache: LayerCache = {}
        usages = [
            principal_usage(
                snapshot,
                principal,
                catalog,
                {c.action for c in used_calls(store, principal, window)},
                sources,
                coverage,
                cache,
            )
            for principal in principals
        ]
        evidence = LogEvidence(coverage, active_principals(store, window), used_access_keys(store, window))
    report = idle_entities(snapshot, evidence)
    usages = list(with_idle_verdicts(usages, report))
    if not args.all:
        report = replace(
            report,
            entities=tuple(e for e in report.entities if e.arn == args.principal),
            unjudged=tuple(u for u in report.unjudged if args.principal.split(":")[4:5] == [u.account]),
        )
    if args.format == "json":
        print(json.dumps(unused_json(usages, report), indent=2))
    else:
        sys.stdout.write(unused_text(usages, report))
    return 0
