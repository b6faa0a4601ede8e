"""Questions asked of the activity store: per-principal use, data-event coverage, unmapped events."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb

from iamscope.activity.principals import role_from_session_arn
from iamscope.activity.store import ActivityStore
from iamscope.model.activity import (
    AccountCoverage,
    ActionUse,
    ActivitySummary,
    CallContext,
    DataEventSource,
    PrincipalActivity,
    RecordedCall,
    StoreProblem,
    UnmappedEvent,
    UsedCall,
)

__all__ = [
    "DATA_EVENT_SOURCES",
    "PrincipalFilter",
    "TimeWindow",
    "action_uses",
    "active_principals",
    "call_contexts",
    "data_event_sources",
    "log_coverage",
    "principal_filter",
    "recorded_calls",
    "summarise",
    "used_access_keys",
    "used_calls",
]

RESOURCES_PER_ACTION = 20


@dataclass(frozen=True, slots=True)
class _DataSourceSpec:
    name: str
    event_source: str
    sql: str
    actions: tuple[str, ...]


DATA_EVENT_SOURCES: tuple[_DataSourceSpec, ...] = (
    _DataSourceSpec(
        "S3 object",
        "s3.amazonaws.com",
        "event_source = 's3.amazonaws.com' AND (category = 'Data' OR event_name IN "
        "('GetObject', 'PutObject', 'DeleteObject', 'HeadObject', 'CopyObject', "
        "'CreateMultipartUpload', 'UploadPart', 'CompleteMultipartUpload', 'DeleteObjects'))",
        ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"),
    ),
    _DataSourceSpec(
        "Lambda invoke",
        "lambda.amazonaws.com",
        "event_source = 'lambda.amazonaws.com' AND event_name IN ('Invoke', "
        "'InvokeWithResponseStream', 'InvokeAsync')",
        ("lambda:InvokeFunction",),
    ),
    _DataSourceSpec(
        "DynamoDB item",
        "dynamodb.amazonaws.com",
        "event_source = 'dynamodb.amazonaws.com' AND (category = 'Data' OR event_name IN "
        "('GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchGetItem', "
        "'BatchWriteItem', 'TransactGetItems', 'TransactWriteItems'))",
        ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"),
    ),
)


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """Only events at or after ``since`` and before ``until`` (either may be open)."""

    since: datetime | None = None
    until: datetime | None = None

    def sql(self, column: str = "event_time") -> tuple[str, list[object]]:
        """A SQL condition and its parameters."""
        parts: list[str] = []
        params: list[object] = []
        if self.since is not None:
            parts.append(f"{column} >= ?")
            params.append(self.since)
        if self.until is not None:
            parts.append(f"{column} < ?")
            params.append(self.until)
        return (" AND ".join(parts) or "TRUE"), params


@dataclass(frozen=True, slots=True)
class PrincipalFilter:
    """Which stored principal(s) an ARN given by a user means."""

    arn: str
    sql: str
    params: tuple[object, ...]


def principal_filter(arn: str, column: str = "principal_arn") -> PrincipalFilter:
    """Match a user, a role (with or without its path), or a role session given as ARN."""
    if ":assumed-role/" in arn:
        arn = role_from_session_arn(arn)
    head, sep, name = arn.rpartition("/")
    if sep and ":role/" in arn and head.endswith(":role"):
        # A role ARN without a path also matches the stored ARN, which carries the path.
        return PrincipalFilter(arn, f"({column} = ? OR {column} LIKE ?)", (arn, f"{head}/%/{name}"))
    return PrincipalFilter(arn, f"{column} = ?", (arn,))


def action_uses(
    con: duckdb.DuckDBPyConnection,
    where: str,
    params: Sequence[object],
    limit_resources: int = RESOURCES_PER_ACTION,
) -> dict[str, list[ActionUse]]:
    """Per principal: the actions in ``calls`` rows matching ``where``, with top resources."""
    rows = con.execute(
        f"""
        WITH r AS (
            SELECT principal_arn, action, resource, count(*) AS n,
                   min(event_time) AS f, max(event_time) AS l
            FROM calls WHERE {where} GROUP BY ALL
        )
        SELECT principal_arn, action, sum(n)::BIGINT, min(f), max(l), count(*),
               list(resource ORDER BY n DESC, resource)[1:{int(limit_resources)}]
        FROM r GROUP BY principal_arn, action ORDER BY principal_arn, action
        """,
        list(params),
    ).fetchall()
    out: dict[str, list[ActionUse]] = defaultdict(list)
    for principal, action, calls, first, last, count, resources in rows:
        out[principal].append(ActionUse(action, int(calls), first, last, int(count), tuple(resources)))
    return out


def data_event_sources(
    con: duckdb.DuckDBPyConnection, accounts: Sequence[str] | None = None
) -> tuple[DataEventSource, ...]:
    """For each data-event source: events recorded, and which accounts (of ``accounts``) have none."""
    if accounts is None:
        accounts = [
            str(a)
            for (a,) in con.execute(
                "SELECT DISTINCT account_id FROM events WHERE account_id IS NOT NULL ORDER BY 1"
            ).fetchall()
        ]
    out = []
    for spec in DATA_EVENT_SOURCES:
        per_account = {
            str(a): int(n)
            for a, n in con.execute(
                f"SELECT account_id, count(*) FROM events WHERE {spec.sql} GROUP BY ALL"
            ).fetchall()
            if a in accounts
        }
        total = sum(per_account.values())
        missing = tuple(a for a in accounts if a not in per_account)
        out.append(DataEventSource(spec.name, spec.event_source, total, spec.actions, missing))
    return tuple(out)


def summarise(
    store: ActivityStore, principal: str | None = None, window: TimeWindow | None = None
) -> ActivitySummary:
    """The store's summary; with ``principal``, only that principal's activity."""
    con = store.connection
    window = window or TimeWindow()
    time_sql, time_params = window.sql()
    where, params = time_sql, list(time_params)
    if principal is not None:
        wanted = principal_filter(principal)
        where = f"{where} AND {wanted.sql}"
        params.extend(wanted.params)
    head = con.execute(
        f"SELECT count(*), min(event_time), max(event_time) FROM events WHERE {where}", params
    ).fetchone()
    events, first, last = (int(head[0]), head[1], head[2]) if head else (0, None, None)
    used = action_uses(con, f"outcome = 'success' AND {where}", params)
    denied = action_uses(con, f"outcome = 'denied' AND {where}", params)
    principals = []
    for row in con.execute(
        f"""
        SELECT principal_arn, any_value(principal_kind), any_value(principal_account), count(*),
               min(event_time), max(event_time), count(*) FILTER (WHERE outcome = 'failed'),
               count(DISTINCT session_name)
        FROM events WHERE {where} GROUP BY principal_arn ORDER BY count(*) DESC, principal_arn
        """,
        params,
    ).fetchall():
        arn = str(row[0])
        principals.append(
            PrincipalActivity(
                arn=arn,
                kind=str(row[1]),
                account=str(row[2] or ""),
                events=int(row[3]),
                first_seen=row[4],
                last_seen=row[5],
                actions=tuple(used.get(arn, ())),
                denied=tuple(denied.get(arn, ())),
                failed_calls=int(row[6]),
                sessions=int(row[7]),
            )
        )
    unmapped = tuple(
        UnmappedEvent(str(s), str(n), int(c))
        for s, n, c in con.execute(
            f"SELECT event_source, event_name, count(*) FROM events "
            f"WHERE status = 'unmapped' AND {where} GROUP BY ALL ORDER BY 3 DESC, 1, 2",
            params,
        ).fetchall()
    )
    statuses = {
        str(s): int(c)
        for s, c in con.execute(
            f"SELECT status, count(*) FROM events WHERE {where} GROUP BY ALL", params
        ).fetchall()
    }
    files_row = con.execute("SELECT count(*) FROM files").fetchone()
    problems = tuple(
        StoreProblem(str(n), str(m))
        for n, m in con.execute("SELECT name, message FROM problems ORDER BY ingested_at, name").fetchall()
    )
    return ActivitySummary(
        events=events,
        files=int(files_row[0]) if files_row else 0,
        first_seen=first,
        last_seen=last,
        principals=tuple(principals),
        data_sources=data_event_sources(
            con, sorted({p.account for p in principals}) if principal is not None else None
        ),
        unmapped=unmapped,
        problems=problems,
        statuses=statuses,
    )


def _scope(principal: str | None, window: TimeWindow, prefix: str = "") -> tuple[str, list[object]]:
    time_sql, params = window.sql(f"{prefix}event_time")
    where = time_sql
    if principal is not None:
        wanted = principal_filter(principal, f"{prefix}principal_arn")
        where = f"{where} AND {wanted.sql}"
        params = [*params, *wanted.params]
    return where, params


def used_calls(
    store: ActivityStore, principal: str, window: TimeWindow | None = None
) -> tuple[UsedCall, ...]:
    """The principal's successful (action, resource) pairs, with counts and first/last seen."""
    where, params = _scope(principal, window or TimeWindow())
    rows = store.connection.execute(
        f"""
        SELECT action, resource, passed_to, count(*), min(event_time), max(event_time)
        FROM calls WHERE outcome = 'success' AND {where}
        GROUP BY ALL ORDER BY action, resource
        """,
        params,
    ).fetchall()
    return tuple(
        UsedCall(str(a), str(r), int(n), f, last, str(p) if p is not None else None)
        for a, r, p, n, f, last in rows
    )


def call_contexts(
    store: ActivityStore, principal: str, window: TimeWindow | None = None
) -> tuple[CallContext, ...]:
    """Source IPs, MFA and via-service seen on the principal's successful calls."""
    where, params = _scope(principal, window or TimeWindow())
    rows = store.connection.execute(
        f"""
        SELECT event_source, event_name, source_ip, mfa, via_service, count(*),
               min(event_time), max(event_time)
        FROM events WHERE outcome = 'success' AND status = 'mapped' AND {where}
        GROUP BY ALL ORDER BY 6 DESC, 1, 2
        """,
        params,
    ).fetchall()
    return tuple(
        CallContext(str(s), str(n), ip, mfa, via, int(c), f, last) for s, n, ip, mfa, via, c, f, last in rows
    )


def recorded_calls(
    store: ActivityStore, principal: str | None = None, window: TimeWindow | None = None
) -> tuple[RecordedCall, ...]:
    """Successful calls grouped by action, resource and request context (what replay evaluates)."""
    where, params = _scope(principal, window or TimeWindow())
    # ``calls`` carries each call's request context (source IP, MFA...): no join with ``events``.
    rows = store.connection.execute(
        f"""
        SELECT principal_arn, action, resource, passed_to, source_ip, mfa, via_service, region,
               account_id, count(*), min(event_time), max(event_time), min(event_id)
        FROM calls
        WHERE outcome = 'success' AND {where}
        GROUP BY ALL ORDER BY 1, 2, 3
        """,
        params,
    ).fetchall()
    return tuple(
        RecordedCall(
            principal=str(p),
            action=str(a),
            resource=str(r),
            passed_to=pt,
            source_ip=ip,
            mfa=mfa,
            via_service=via,
            region=region,
            account=account,
            calls=int(n),
            first_seen=f,
            last_seen=last,
            example_event=str(example),
        )
        for p, a, r, pt, ip, mfa, via, region, account, n, f, last, example in rows
    )


def active_principals(store: ActivityStore, window: TimeWindow | None = None) -> dict[str, int]:
    """Principals with any recorded event in the window, and their event counts."""
    where, params = _scope(None, window or TimeWindow())
    return {
        str(p): int(n)
        for p, n in store.connection.execute(
            f"SELECT principal_arn, count(*) FROM events WHERE {where} GROUP BY 1", params
        ).fetchall()
    }


def used_access_keys(store: ActivityStore, window: TimeWindow | None = None) -> dict[str, str]:
    """Long-term access key ids (AKIA...) seen in the window, with the principal that used each."""
    where, params = _scope(None, window or TimeWindow())
    return {
        str(k): str(p)
        for k, p in store.connection.execute(
            f"SELECT access_key, any_value(principal_arn) FROM events "
            f"WHERE access_key IS NOT NULL AND {where} GROUP BY 1",
            params,
        ).fetchall()
    }


def log_coverage(store: ActivityStore, window: TimeWindow | None = None) -> dict[str, AccountCoverage]:
    """Per account whose logs are stored (the events' recipient account): events, period, regions."""
    where, params = _scope(None, window or TimeWindow())
    rows = store.connection.execute(
        f"""
        SELECT account_id, count(*), min(event_time), max(event_time),
               list(DISTINCT region ORDER BY region) FILTER (WHERE region IS NOT NULL)
        FROM events WHERE account_id IS NOT NULL AND {where} GROUP BY 1 ORDER BY 1
        """,
        params,
    ).fetchall()
    return {
        str(a): AccountCoverage(str(a), int(n), first, last, tuple(str(r) for r in regions or ()))
        for a, n, first, last, regions in rows
    }
