"""``iamscope inventory``: users, roles, groups, policies, attachments and keys of any input."""

from __future__ import annotations

import argparse
import io
import sys
from datetime import UTC, datetime
from typing import cast

from rich.console import Console
from rich.table import Table

from iamscope.cli.messages import warn
from iamscope.collect import load
from iamscope.inventory import Inventory, InventoryFilter, apply_filter, build_inventory
from iamscope.inventory.output import VIEWS, View, inventory_csv, inventory_json, rows_of
from iamscope.user_error import UserError

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``inventory`` command."""
    parser = subparsers.add_parser(
        "inventory",
        help="list users, roles, groups, policies, attachments and access keys",
        description="The IAM inventory of a bundle, a get-account-authorization-details JSON "
        "or a credential report CSV: who exists, what is attached to whom, console access, "
        "MFA and access keys with their age and last use.",
    )
    parser.add_argument("input", help="bundle directory, GAAD JSON file or credential report CSV")
    parser.add_argument(
        "--as-of",
        metavar="DATE",
        help="count ages against this date or time (ISO 8601; default: the bundle's collection "
        "time, or now for a bare file)",
    )
    parser.add_argument(
        "--keys-older-than",
        type=int,
        metavar="DAYS",
        help="only users with access keys older than DAYS",
    )
    parser.add_argument(
        "--console-without-mfa",
        action="store_true",
        help="only users with a console password and no MFA device",
    )
    parser.add_argument(
        "--unused-for",
        type=int,
        metavar="DAYS",
        help="only users, keys and roles not used in the last DAYS days (never used counts)",
    )
    parser.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="output format (default: table)",
    )
    parser.add_argument(
        "--view",
        choices=(*VIEWS, "all"),
        help="which table to show (default: all for table and JSON, users for CSV, which holds one table)",
    )
    parser.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load, build, filter and print the inventory."""
    for option in ("keys_older_than", "unused_for"):
        value = getattr(args, option)
        if value is not None and value < 0:
            raise UserError(f"--{option.replace('_', '-')} must be zero or more days")
    if args.format == "csv" and args.view == "all":
        raise UserError("CSV holds one table: choose --view " + "|".join(VIEWS))
    snapshot = load(args.input)  # InputError (a UserError) when the input is unusable
    for problem in snapshot.problems:
        warn(f"{problem.file}: {problem.message}")
    try:
        as_of = _as_of(args.as_of, snapshot.collected_at)
    except ValueError:
        raise UserError(f"--as-of {args.as_of!r} is not an ISO 8601 date or time") from None
    criteria = InventoryFilter(
        keys_older_than=args.keys_older_than,
        console_without_mfa=args.console_without_mfa,
        unused_for=args.unused_for,
    )
    inventory = apply_filter(build_inventory(snapshot, as_of), criteria)
    views: tuple[View, ...] = VIEWS if args.view in (None, "all") else (cast(View, args.view),)
    if args.format == "json":
        text = inventory_json(inventory, views)
    elif args.format == "csv":
        text = inventory_csv(inventory, cast(View, args.view or "users"))
    else:
        text = _table_text(inventory, views, filtered=criteria.active)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as stream:
                stream.write(text)
        except OSError as fault:
            raise UserError(f"{args.output}: cannot write the inventory: {fault.strerror or fault}") from None
    else:
        sys.stdout.write(text)
    return 0


def _as_of(text: str | None, collected_at: datetime | None) -> datetime:
    if text:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    # The CLI is where the clock may be read: a bare file carries no collection time.
    return collected_at or datetime.now(UTC)


_COLUMNS: dict[View, tuple[str, ...]] = {
    "users": (
        "account",
        "name",
        "console_access",
        "mfa",
        "keys",
        "groups",
        "last_activity",
        "permissions_boundary",
    ),
    "keys": (
        "account",
        "user",
        "access_key_id",
        "status",
        "created",
        "age_days",
        "last_used",
        "last_used_service",
        "last_used_region",
    ),
    "roles": (
        "account",
        "name",
        "trusted",
        "last_used",
        "managed_policies",
        "inline_policies",
        "permissions_boundary",
    ),
    "groups": ("account", "name", "members", "managed_policies", "inline_policies"),
    "policies": (
        "account",
        "name",
        "aws_managed",
        "default_version",
        "versions",
        "attached_to",
        "boundary_of",
    ),
    "attachments": ("account", "principal_type", "principal", "kind", "policy"),
}


def _table_text(inventory: Inventory, views: tuple[View, ...], *, filtered: bool) -> str:
    console = Console(record=True, width=200, file=io.StringIO(), highlight=False)
    for view in views:
        rows = rows_of(inventory, view)
        if filtered and view in ("groups", "policies") and not rows:
            continue
        table = Table(title=f"{view} ({len(rows)})", title_justify="left", show_lines=False)
        for column in _COLUMNS[view]:
            table.add_column(column.replace("_", " "), overflow="fold")
        for row in rows:
            table.add_row(*(_cell(row.get(column)) for column in _COLUMNS[view]))
        console.print(table)
    for note in inventory.notes:
        console.print(f"note: {note}", markup=False)
    console.print(f"ages as of {inventory.as_of.isoformat()}", markup=False)
    return console.export_text()


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_cell(item) for item in value) or "-"
    return str(value)
