"""A collection run: who the caller is, which accounts and regions, accounts in parallel."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from botocore.exceptions import BotoCoreError

from iamscope import __version__
from iamscope.collect.aws.access_advisor import collect_access_advisor, principals_of
from iamscope.collect.aws.buckets import collect_buckets
from iamscope.collect.aws.calls import AccountCalls, CallLog
from iamscope.collect.aws.iam import collect_iam
from iamscope.collect.aws.keys import collect_credential_report, collect_keys
from iamscope.collect.aws.options import CollectOptions, NullProgress, Progress
from iamscope.collect.aws.organizations import collect_organization
from iamscope.collect.aws.regional import collect_regional
from iamscope.collect.aws.regions import check_regions
from iamscope.collect.aws.resource_policies import collect_regional_policies
from iamscope.collect.aws.session import AccountSession, SessionFactory
from iamscope.collect.bundle import ABSENCE_CODES, GLOBAL_REGION, BundleWriter, Manifest
from iamscope.model.snapshot import CallRecord
from iamscope.user_error import UserError

__all__ = ["CollectError", "CollectResult", "collect", "failure_summary"]


class CollectError(UserError):
    """The run cannot start (no credentials, unusable output directory); ``str()`` is for users."""


@dataclass(frozen=True, slots=True)
class CollectResult:
    """Where the bundle went, what the manifest says, how many API requests were sent."""

    bundle: Path
    manifest: Manifest
    api_calls: int

    @property
    def failures(self) -> tuple[CallRecord, ...]:
        """Calls that could not be collected (an AWS "does not exist" answer is not a failure)."""
        return tuple(call for call in self.manifest.calls if _is_failure(call))


class _Counter:
    """Counts API requests for the result while forwarding them to the progress display."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._lock = threading.Lock()
        self.count = 0

    def accounts_planned(self, count: int) -> None:
        self._progress.accounts_planned(count)

    def account_done(self, account: str, failures: int) -> None:
        self._progress.account_done(account, failures)

    def call_made(self, service: str, operation: str) -> None:
        with self._lock:
            self.count += 1
        self._progress.call_made(service, operation)


def collect(
    out: Path, options: CollectOptions | None = None, progress: Progress | None = None
) -> CollectResult:
    """Collect into a new bundle directory ``out``, read-only; an AWS error in a call never raises.

    Raises CollectError when nothing can be collected at all (no credentials, ``out`` not empty).
    """
    options = options or CollectOptions()
    counter = _Counter(progress or NullProgress())
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise CollectError(f"{out}: exists and is not an empty directory; choose a new output directory")
    started = datetime.now(UTC)
    try:
        factory = SessionFactory(options, counter)
    except BotoCoreError as error:  # e.g. ProfileNotFound: nothing can be collected
        raise CollectError(f"cannot start an AWS session: {error}") from None
    check_regions(factory.home_region, options.regions or ())  # RegionError: a UserError
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CollectError(f"{out}: cannot create the bundle directory: {error.strerror or error}") from None
    writer = BundleWriter(out)
    log = CallLog()
    run_calls = AccountCalls("", writer, log)
    identity = run_calls.call(
        "sts:GetCallerIdentity", GLOBAL_REGION, factory.caller.client("sts").get_caller_identity
    )
    if identity is None:
        failed = log.records()[-1]
        raise CollectError(f"cannot identify the caller ({failed.status}): {failed.error}")
    caller_account = identity["Account"]
    partition = identity["Arn"].split(":")[1]
    run_calls.account = caller_account
    organization = None
    if options.organization:
        organization = collect_organization(run_calls, factory.caller.client("organizations"))
    if options.accounts:
        accounts = tuple(dict.fromkeys(options.accounts))
    elif organization is not None:
        accounts = organization.active_accounts or (caller_account,)
    else:
        accounts = (caller_account,)
    regions = options.regions or _enabled_regions(run_calls, factory.caller)
    counter.accounts_planned(len(accounts))

    plan = _Plan(factory, options, caller_account, partition, regions)

    def one(account: str) -> None:
        calls = AccountCalls(account, writer, log)
        _guarded(calls, partial(_collect_account, calls, plan))
        failed = sum(1 for c in log.records() if c.account == account and _is_failure(c))
        counter.account_done(account, failed)

    with ThreadPoolExecutor(max(1, options.max_workers), thread_name_prefix="account") as pool:
        list(pool.map(one, accounts))
    manifest = Manifest(
        collected_at=started,
        partition=partition,
        accounts=accounts,
        organization=organization is not None,
        calls=log.records(),
        regions=regions,
        tool=f"iamscope {__version__}",
    )
    writer.write_manifest(manifest)
    return CollectResult(bundle=out, manifest=manifest, api_calls=counter.count)


def _enabled_regions(calls: AccountCalls, session: AccountSession) -> tuple[str, ...]:
    ec2 = session.client("ec2")
    described = calls.call("ec2:DescribeRegions", GLOBAL_REGION, ec2.describe_regions)
    regions = described["Regions"] if described else []
    names = tuple(sorted(r["RegionName"] for r in regions if "RegionName" in r))
    return names or (session.home_region,)


@dataclass(frozen=True, slots=True)
class _Plan:
    """What every account of a run shares."""

    factory: SessionFactory
    options: CollectOptions
    caller_account: str
    partition: str
    regions: tuple[str, ...]


def _collect_account(calls: AccountCalls, plan: _Plan) -> None:
    options = plan.options
    if calls.account == plan.caller_account:
        session: AccountSession | None = plan.factory.caller
    else:
        role_arn = f"arn:{plan.partition}:iam::{calls.account}:role/{options.role_name}"
        session = calls.call("sts:AssumeRole", GLOBAL_REGION, partial(plan.factory.assume, role_arn))
    if session is None:
        return
    iam = session.client("iam")
    gaad = collect_iam(calls, iam)
    rows = collect_credential_report(
        calls,
        iam,
        wait_seconds=options.report_wait_seconds,
        poll_seconds=options.poll_interval_seconds,
    )
    if rows is not None:
        collect_keys(calls, iam, rows)
    collect_buckets(calls, session, plan.partition)
    with ThreadPoolExecutor(
        max(1, options.region_workers), thread_name_prefix=f"regions-{calls.account}"
    ) as pool:
        list(pool.map(partial(_collect_region, calls, session), plan.regions))
    if options.access_advisor and gaad is not None:
        collect_access_advisor(
            calls,
            iam,
            principals_of(gaad),
            wait_seconds=options.report_wait_seconds,
            poll_seconds=options.poll_interval_seconds,
        )


def _collect_region(calls: AccountCalls, session: AccountSession, region: str) -> None:
    _guarded(calls, partial(collect_regional, calls, session, region), region)
    _guarded(calls, partial(collect_regional_policies, calls, session, region), region)


def _is_failure(call: CallRecord) -> bool:
    return call.status != "ok" and call.status not in ABSENCE_CODES


def _guarded(calls: AccountCalls, work: Callable[[], None], region: str = GLOBAL_REGION) -> None:
    """The fault boundary of an account (or one of its regions).

    AWS errors are already recorded call by call; anything else that escapes (a bug, an AWS reply
    of an unexpected shape) is recorded here so the other accounts and regions still complete.
    """
    try:
        work()
    except Exception as error:
        calls.record(
            "iamscope:Collect",
            region,
            status="InternalError",
            error=f"{type(error).__name__}: {error}",
        )


def failure_summary(result: CollectResult) -> list[str]:
    """One plain line per (account, call, error code) not collected, with its regions."""
    groups: dict[tuple[str, str, str], list[CallRecord]] = defaultdict(list)
    for call in result.failures:
        groups[(call.account or "-", call.call, call.status)].append(call)
    lines = []
    for (account, name, status), calls in sorted(groups.items()):
        regions = sorted({c.region for c in calls})
        where = f" in {len(regions)} region(s): {', '.join(regions)}" if regions != [GLOBAL_REGION] else ""
        count = f" x{len(calls)}" if len(calls) > 1 else ""
        message = (calls[0].error or "").splitlines()[0] if calls[0].error else ""
        lines.append(f"{account}  {name}{count}  {status}{where}  {message}".rstrip())
    return lines
