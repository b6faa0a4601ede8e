"""``iamscope collect``: a read-only snapshot bundle of one account, several, or an organization."""

from __future__ import annotations

import argparse
import re
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from iamscope.user_error import UserError

if TYPE_CHECKING:
    from rich.progress import Progress

__all__ = ["register", "run"]

_ACCOUNT = re.compile(r"^\d{12}$")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``collect`` command."""
    parser = subparsers.add_parser(
        "collect",
        help="collect a read-only snapshot bundle from AWS",
        description="Collect IAM data (read-only) into a bundle directory with the standard boto3 "
        "credential chain. AWS_ENDPOINT_URL is honoured, so it runs unchanged against an emulator.",
    )
    parser.add_argument("--out", "-o", required=True, metavar="DIR", help="new (or empty) bundle directory")
    parser.add_argument("--profile", help="AWS profile to use (default: the boto3 credential chain)")
    parser.add_argument("--region", help="home region for global calls (default: the profile's)")
    parser.add_argument(
        "--regions",
        metavar="LIST",
        help="comma-separated regions for regional data (default: every region enabled in the "
        "calling account)",
    )
    parser.add_argument(
        "--org",
        action="store_true",
        help="read the organization (tree, SCPs, RCPs) and collect every active member account",
    )
    parser.add_argument(
        "--accounts",
        metavar="LIST",
        help="comma-separated account ids to collect (with --org: only these members)",
    )
    parser.add_argument(
        "--role-name",
        default="OrganizationAccountAccessRole",
        help="role assumed in member accounts (default: OrganizationAccountAccessRole)",
    )
    parser.add_argument("--external-id", help="external id required by the member-account role")
    parser.add_argument(
        "--max-workers",
        type=int,
        default=4,
        metavar="N",
        help="accounts collected at once (default: 4)",
    )
    parser.add_argument(
        "--max-attempts",
        type=int,
        default=10,
        metavar="N",
        help="attempts per call, with botocore adaptive retry for throttling (default: 10)",
    )
    parser.add_argument(
        "--server-error-attempts",
        type=int,
        default=2,
        metavar="N",
        help="attempts for an HTTP 5xx answer that is not throttling, e.g. a service the endpoint "
        "does not implement (default: 2)",
    )
    parser.add_argument(
        "--access-advisor",
        action="store_true",
        help="also collect service-last-accessed data per user, group and role (one job each)",
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress display")
    parser.set_defaults(func=run)


class _RichProgress:
    """Accounts and API calls done, drawn by rich on standard error."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._lock = threading.Lock()
        self._accounts = progress.add_task("accounts", total=None)
        self._calls = progress.add_task("API calls", total=None)

    def accounts_planned(self, count: int) -> None:
        self._progress.update(self._accounts, total=count)

    def account_done(self, account: str, failures: int) -> None:
        self._progress.advance(self._accounts)

    def call_made(self, service: str, operation: str) -> None:
        with self._lock:
            self._progress.advance(self._calls)


def _list(text: str | None) -> tuple[str, ...]:
    return tuple(item.strip() for item in (text or "").split(",") if item.strip())


def run(args: argparse.Namespace) -> int:
    """Collect, then print a plain summary of what could not be collected."""
    # boto3 and rich load here, not at import: every other command builds this parser too.
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from iamscope.collect.aws import CollectOptions, collect, failure_summary

    accounts = _list(args.accounts)
    bad = [account for account in accounts if not _ACCOUNT.match(account)]
    if bad:
        raise UserError(f"--accounts: not 12-digit account ids: {', '.join(bad)}")
    if args.max_workers < 1:
        raise UserError("--max-workers must be at least 1")
    regions = _list(args.regions)
    options = CollectOptions(
        profile=args.profile,
        region=args.region,
        regions=regions or None,
        organization=args.org,
        accounts=accounts,
        role_name=args.role_name,
        external_id=args.external_id,
        max_workers=args.max_workers,
        max_attempts=max(1, args.max_attempts),
        server_error_attempts=max(1, min(args.server_error_attempts, args.max_attempts)),
        access_advisor=args.access_advisor,
    )
    started = time.monotonic()
    errors = Console(stderr=True)
    show = not args.quiet and errors.is_terminal
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    # CollectError (no credentials, unusable --out, unknown region) is a UserError: cli.main reports it.
    if show:
        with Progress(*columns, console=errors, transient=True) as progress:
            result = collect(Path(args.out), options, _RichProgress(progress))
    else:
        result = collect(Path(args.out), options)
    elapsed = time.monotonic() - started
    manifest = result.manifest
    print(
        f"collected {len(manifest.accounts)} account(s), {len(manifest.regions)} region(s), "
        f"{result.api_calls} API calls in {elapsed:.1f} s into {result.bundle}"
        + (" (with the organization)" if manifest.organization else "")
    )
    lines = failure_summary(result)
    if lines:
        print(f"could not collect ({len(result.failures)} call(s)):")
        for line in lines:
            print(f"  {line}")
    else:
        print("everything requested was collected")
    return 0
