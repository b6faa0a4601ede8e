"""CloudTrail activity of the demo organisation's startup account, generated on demand (never committed).

Fifteen developer roles (``developer-01`` .. ``developer-15``) hold AdministratorAccess but only use
S3, Lambda and DynamoDB: the least-privilege case of issue 5. The output is deterministic (seeded)
and laid out like the demo organisation's trail:
``AWSLogs/<org-id>/<account>/CloudTrail/<region>/YYYY/MM/DD/`` with gzip delivery files, including S3
object, Lambda invoke and DynamoDB item data events. It agrees with the demo bundle
(:mod:`iamscope.samples.demo_org`): the logs end when the bundle was collected, ``developer-NN``
(NN <= 11) was last active NN days before that, as IAM's RoleLastUsed says, and developer-12..15
never acted.
"""

from __future__ import annotations

import random
import string
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
from isal import igzip

from iamscope.model.document import JsonObject
from iamscope.samples.demo_org import DEMO_COLLECTED_AT, ORG_ID, STARTUP
from iamscope.samples.trail_records import Caller, TrailRecordFactory

__all__ = [
    "ACTIVE_DEVELOPERS",
    "DEMO_ACCOUNT",
    "DEMO_DAYS",
    "DEMO_ORG_ID",
    "DEMO_REGION",
    "DEMO_START",
    "DeveloperWork",
    "demo_developers",
    "main",
    "write_demo_activity",
    "write_demo_shadow_activity",
]

DEMO_ACCOUNT = STARTUP
DEMO_ORG_ID = ORG_ID
DEMO_REGION = "eu-west-1"
DEMO_DAYS = 45
DEMO_START = (DEMO_COLLECTED_AT - timedelta(days=DEMO_DAYS)).replace(hour=0, minute=0)
ACTIVE_DEVELOPERS = 11  # developer-12..15 never used their role (RoleLastUsed empty in the bundle)
_OFFICE_IPS = ("203.0.113.10", "203.0.113.24", "203.0.113.57")
_HOME_IP = "198.51.100.23"
_CONSOLE_UA = "AWS Internal"
_BOTO_UA = "Boto3/1.34.90 md/Botocore#1.34.90 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.9"


@dataclass(frozen=True, slots=True)
class DeveloperWork:
    """What one developer role really touches."""

    role: str
    buckets: tuple[str, ...]
    functions: tuple[str, ...]
    tables: tuple[str, ...]
    deploys: bool  # creates/updates Lambda functions (and so passes the execution role)

    @property
    def arn(self) -> str:
        """The role ARN."""
        return f"arn:aws:iam::{DEMO_ACCOUNT}:role/{self.role}"


def demo_developers() -> tuple[DeveloperWork, ...]:
    """The fifteen developer roles and the resources each one works on (five teams of three)."""
    teams = ("payments", "orders", "search", "profiles", "reports")
    out = []
    for index in range(1, 16):
        team = teams[(index - 1) // 3]
        out.append(
            DeveloperWork(
                role=f"developer-{index:02d}",
                buckets=(f"acme-{team}-data", f"acme-{team}-artifacts"),
                functions=(f"{team}-api", f"{team}-worker"),
                tables=(f"{team}", f"{team}-audit") if index % 3 == 1 else (f"{team}",),
                deploys=index % 3 == 1,
            )
        )
    return tuple(out)


def _caller(work: DeveloperWork, rng: random.Random, day: int) -> Caller:
    index = int(work.role.rsplit("-", 1)[1])
    console = rng.random() < 0.3
    # developer-04 works from home now and then: a --source-ip condition would break those calls.
    ip = _HOME_IP if index == 4 and day % 5 == 0 else rng.choice(_OFFICE_IPS)
    return Caller(
        account=DEMO_ACCOUNT,
        name=work.role,
        session=f"{work.role}-{'console' if console else 'cli'}",
        mfa=console,
        source_ip=ip,
        user_agent=_CONSOLE_UA if console else _BOTO_UA,
        principal_id=f"AROADEMO{index:02d}EXAMPLE000",
    )


def _day_records(
    factory: TrailRecordFactory, work: DeveloperWork, rng: random.Random, day: datetime, n: int
) -> Iterable[JsonObject]:
    caller = _caller(work, rng, n)
    region = DEMO_REGION
    s3, lam, ddb = "s3.amazonaws.com", "lambda.amazonaws.com", "dynamodb.amazonaws.com"

    def at() -> datetime:
        return day + timedelta(hours=8 + rng.random() * 10)

    yield factory.record(caller, at(), region, s3, "ListBuckets", request={"Host": "s3.amazonaws.com"})
    yield factory.record(caller, at(), "us-east-1", "sts.amazonaws.com", "GetCallerIdentity")
    for _ in range(rng.randrange(3, 9)):
        bucket = rng.choice(work.buckets)
        key = f"{rng.choice(('in', 'out', 'tmp'))}/{rng.randrange(10**6):06d}.json"
        yield factory.s3_object(caller, at(), region, rng.choice(("GetObject", "PutObject")), bucket, key)
    bucket = work.buckets[0]
    yield factory.record(
        caller,
        at(),
        region,
        s3,
        "ListObjects",
        request={
            "bucketName": bucket,
            "Host": f"{bucket}.s3.{region}.amazonaws.com",
            "prefix": "in/",
        },
        resources=[{"type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"}],
        data_event=True,
    )
    yield factory.record(caller, at(), region, lam, "ListFunctions20150331")
    for _ in range(rng.randrange(1, 4)):
        yield factory.lambda_invoke(caller, at(), region, rng.choice(work.functions))
    function = work.functions[0]
    yield factory.record(
        caller, at(), region, lam, "GetFunction20150331v2", request={"functionName": function}
    )
    if work.deploys and n % 3 == 0:
        yield factory.record(
            caller,
            at(),
            region,
            lam,
            "UpdateFunctionCode20150331v2",
            request={"functionName": function, "publish": True},
            read_only=False,
        )
        yield factory.record(
            caller,
            at(),
            region,
            lam,
            "UpdateFunctionConfiguration20150331v2",
            request={
                "functionName": function,
                "role": f"arn:aws:iam::{DEMO_ACCOUNT}:role/{function}-exec",
                "timeout": 30,
            },
            read_only=False,
        )
    yield factory.record(caller, at(), region, ddb, "ListTables", request={"limit": 100})
    for table in work.tables:
        yield factory.record(caller, at(), region, ddb, "DescribeTable", request={"tableName": table})
        for _ in range(rng.randrange(2, 6)):
            yield factory.dynamodb_item(
                caller, at(), region, rng.choice(("GetItem", "PutItem", "Query")), table
            )
    if n % 10 == 7:
        # A failed call (does not count as use) and a denied attempt (kept as such).
        yield factory.record(
            caller,
            at(),
            region,
            ddb,
            "DescribeTable",
            request={"tableName": f"{work.tables[0]}-old"},
            error_code="ResourceNotFoundException",
        )
        yield factory.record(
            caller,
            at(),
            "us-east-1",
            "iam.amazonaws.com",
            "ListRoles",
            error_code="AccessDenied",
        )


def _file_name(account: str, region: str, when: datetime, rng: random.Random) -> str:
    suffix = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(16))
    return f"{account}_CloudTrail_{region}_{when:%Y%m%dT%H%MZ}_{suffix}.json.gz"


def _write(dest_dir: Path, org_id: str, records: list[JsonObject], rng: random.Random) -> None:
    """Group records per region and hour, as CloudTrail delivers them, and write gzip delivery files."""
    groups: dict[tuple[str, datetime], list[JsonObject]] = defaultdict(list)
    for record in records:
        when = datetime.strptime(str(record["eventTime"]), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        groups[(str(record["awsRegion"]), when.replace(minute=0, second=0))].append(record)
    encoder = msgspec.json.Encoder()
    for (region, hour), group in sorted(groups.items()):
        group.sort(key=lambda r: str(r["eventTime"]))
        folder = dest_dir / "AWSLogs" / org_id / DEMO_ACCOUNT / "CloudTrail" / region / f"{hour:%Y/%m/%d}"
        folder.mkdir(parents=True, exist_ok=True)
        name = _file_name(DEMO_ACCOUNT, region, hour + timedelta(minutes=5), rng)
        (folder / name).write_bytes(igzip.compress(encoder.encode({"Records": group}), mtime=0))


def _last_day(work: DeveloperWork, end: datetime) -> datetime:
    """The day a developer last acted: NN days before ``end`` for developer-NN."""
    index = int(work.role.rsplit("-", 1)[1])
    return (end - timedelta(days=index)).replace(hour=0, minute=0, second=0)


def write_demo_activity(
    dest_dir: Path,
    *,
    start: datetime = DEMO_START,
    days: int = DEMO_DAYS,
    org_id: str = DEMO_ORG_ID,
) -> None:
    """Write ``days`` of the developers' activity from ``start`` under ``dest_dir`` (deterministic).

    The defaults end the logs at the demo bundle's collection time; developer-NN's last active day
    is NN days before the end of the period, and developer-12..15 do nothing.
    """
    rng = random.Random(20260901)
    factory = TrailRecordFactory(rng)
    records: list[JsonObject] = []
    end = start + timedelta(days=days)
    active = demo_developers()[:ACTIVE_DEVELOPERS]
    for n in range(days):
        day = start + timedelta(days=n)
        for work in active:
            if day <= _last_day(work, end):
                records.extend(_day_records(factory, work, rng, day, n))
    _write(dest_dir, org_id, records, rng)


def write_demo_shadow_activity(
    dest_dir: Path,
    *,
    start: datetime = DEMO_COLLECTED_AT,
    days: int = 7,
    org_id: str = DEMO_ORG_ID,
) -> None:
    """Activity after a right-size plan: the same work, plus one planted call a proposal would deny.

    ``developer-05`` deletes an object in a bucket it never touched before (``acme-shared-exports``):
    ``rightsize verify`` must report exactly that call.
    """
    rng = random.Random(20261001)
    factory = TrailRecordFactory(rng)
    records: list[JsonObject] = []
    developers = demo_developers()
    for n in range(days):
        day = start + timedelta(days=n)
        for work in developers[:ACTIVE_DEVELOPERS]:
            records.extend(_day_records(factory, work, rng, day, n))
    planted = developers[4]
    records.append(
        factory.s3_object(
            _caller(planted, rng, 1),
            start + timedelta(days=min(days, 2) - 1, hours=15),
            DEMO_REGION,
            "DeleteObject",
            "acme-shared-exports",
            "2026/q3/summary.csv",
        )
    )
    _write(dest_dir, org_id, records, rng)


def main(argv: list[str] | None = None) -> int:
    """``python -m iamscope.samples.demo_activity DEST [--shadow DEST2]``: write the demo trail."""
    import argparse  # imported on use: the library functions need no argument parsing

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("dest", type=Path, help="folder to write the AWSLogs/ tree into")
    parser.add_argument(
        "--shadow",
        type=Path,
        help="also write a week of activity after the bundle's collection (with one planted call)",
    )
    args = parser.parse_args(argv)
    write_demo_activity(args.dest)
    if args.shadow is not None:
        write_demo_shadow_activity(args.shadow)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
