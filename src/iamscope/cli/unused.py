"""``iamscope unused``: granted versus used per action; idle roles, users and access keys."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from iamscope.activity.queries import (
    active_principals,
    data_event_sources,
    used_access_keys,
    used_calls,
)
from iamscope.activity.store import ActivityStore
from iamscope.analysis.leastpriv.grants import granted_actions, identity_documents
from iamscope.analysis.leastpriv.unused import compare_actions, idle_entities, invisible_actions
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
        description="Compare what principals are granted (from the snapshot) with what they used "
        "(from the activity store): per action used, unused, not visible in CloudTrail (data "
        "events absent), or used but no longer granted; and roles, users and access keys with "
        "no recorded activity.",
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
    snapshot = load_snapshot(args.bundle)  # InputError and StoreError below are UserErrors
    with ActivityStore(args.db, read_only=True) as store:
        sources = data_event_sources(store.connection)
        if args.all:
            principals = [u.arn for a in snapshot.accounts.values() for u in a.users or ()]
            principals += [
                r.arn for a in snapshot.accounts.values() for r in a.roles or () if not r.is_service_linked
            ]
        else:
            principals = [args.principal]
        usages = []
        for principal in principals:
            documents = identity_documents(snapshot, principal)
            if not documents and not args.all:
                raise UserError(f"{principal} is not in the snapshot {args.bundle}")
            account = principal.split(":")[4] if principal.count(":") >= 5 else ""
            usages.append(
                compare_actions(
                    principal,
                    granted_actions(documents, catalog),
                    {c.action for c in used_calls(store, principal, window)},
                    invisible_actions(catalog, sources, account),
                )
            )
        logged = {
            str(a)
            for (a,) in store.connection.execute(
                "SELECT DISTINCT account_id FROM events WHERE account_id IS NOT NULL"
            ).fetchall()
        }
        idle = idle_entities(
            snapshot, active_principals(store, window), used_access_keys(store, window), logged
        )
    if not args.all:
        idle = tuple(e for e in idle if e.arn == args.principal)
    if args.format == "json":
        print(json.dumps(unused_json(usages, idle), indent=2))
    else:
        sys.stdout.write(unused_text(usages, idle))
    return 0
