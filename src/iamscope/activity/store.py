"""The activity store: normalised events and their calls in an embedded DuckDB database file.

Rows arrive in batches (newline-delimited JSON written by msgspec) into staging tables; ``merge``
moves them into ``events`` and ``calls`` storing each eventID once. DuckDB stores and aggregates;
CloudTrail JSON itself is never parsed by DuckDB.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import duckdb

__all__ = [
    "CALL_COLUMNS",
    "EVENT_COLUMNS",
    "FILE_COLUMNS",
    "SCHEMA_VERSION",
    "ActivityStore",
    "DedupResult",
    "StoreError",
    "batch_key",
]

SCHEMA_VERSION = "1"

EVENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_id", "VARCHAR"),
    ("event_time", "TIMESTAMPTZ"),
    ("event_source", "VARCHAR"),
    ("event_name", "VARCHAR"),
    ("event_type", "VARCHAR"),
    ("category", "VARCHAR"),
    ("read_only", "BOOLEAN"),
    ("region", "VARCHAR"),
    ("account_id", "VARCHAR"),
    ("principal_arn", "VARCHAR"),
    ("principal_kind", "VARCHAR"),
    ("principal_account", "VARCHAR"),
    ("session_name", "VARCHAR"),
    ("source_ip", "VARCHAR"),
    ("via_service", "VARCHAR"),
    ("mfa", "BOOLEAN"),
    ("vpce", "VARCHAR"),
    ("error_code", "VARCHAR"),
    ("outcome", "VARCHAR"),
    ("status", "VARCHAR"),
    ("access_key", "VARCHAR"),
)
CALL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_id", "VARCHAR"),
    ("event_time", "TIMESTAMPTZ"),
    ("principal_arn", "VARCHAR"),
    ("outcome", "VARCHAR"),
    ("action", "VARCHAR"),
    ("resource", "VARCHAR"),
    ("passed_to", "VARCHAR"),
)
FILE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "VARCHAR"),
    ("shape", "VARCHAR"),
    ("records", "BIGINT"),
    ("skipped", "BIGINT"),
)


class StoreError(Exception):
    """The database file cannot be opened or is not an iamscope activity store."""


@dataclass(frozen=True, slots=True)
class DedupResult:
    """Rows removed because their eventID was already stored (or repeated in the run)."""

    duplicates: int


def batch_key(index: int) -> str:
    """The NDJSON key of the ``index``-th column in a batch file (short keys keep batches small)."""
    return f"c{index}"


def _table(name: str, columns: tuple[tuple[str, str], ...]) -> str:
    body = ", ".join(f"{column} {kind}" for column, kind in columns)
    return f"CREATE TABLE IF NOT EXISTS {name} ({body})"


def _batch_select(columns: tuple[tuple[str, str], ...], path: str) -> str:
    """Read a batch file; times come in as text and are cast here, a bad one becoming NULL."""
    json_columns = ", ".join(
        f"'{batch_key(i)}': '{'VARCHAR' if k == 'TIMESTAMPTZ' else k}'" for i, (_, k) in enumerate(columns)
    )
    select = ", ".join(
        f"TRY_CAST({batch_key(i)} AS TIMESTAMPTZ) AS {c}" if k == "TIMESTAMPTZ" else f"{batch_key(i)} AS {c}"
        for i, (c, k) in enumerate(columns)
    )
    return f"SELECT {select} FROM read_json('{path}', format='newline_delimited', columns={{{json_columns}}})"


class ActivityStore:
    """An open activity database; use as a context manager."""

    def __init__(
        self,
        path: Path,
        *,
        read_only: bool = False,
        memory_limit: str = "1GB",
        threads: int | None = None,
    ) -> None:
        self.path = path
        if read_only and not path.is_file():
            raise StoreError(f"{path}: no activity database here (run 'iamscope activity ingest')")
        try:
            self._con = duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(f"{path}: cannot open as a DuckDB database ({exc})") from exc
        self._con.execute(f"SET memory_limit='{memory_limit}'")
        self._con.execute("SET TimeZone='UTC'")
        if threads is not None:
            self._con.execute(f"SET threads={int(threads)}")
        self._con.execute("SET enable_progress_bar=false")
        self._con.execute("SET preserve_insertion_order=false")
        if not read_only:
            self._create_schema()
        elif not self._has_table("events"):
            raise StoreError(f"{path}: not an iamscope activity database (no 'events' table)")

    def _has_table(self, name: str) -> bool:
        found = self._con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
        ).fetchone()
        return bool(found and found[0])

    def _create_schema(self) -> None:
        con = self._con
        con.execute(_table("events", EVENT_COLUMNS))
        con.execute(_table("calls", CALL_COLUMNS))
        con.execute(
            "CREATE TABLE IF NOT EXISTS files (name VARCHAR, shape VARCHAR, records BIGINT, "
            "skipped BIGINT, ingested_at TIMESTAMPTZ DEFAULT current_timestamp)"
        )
        con.execute(
            "CREATE TABLE IF NOT EXISTS problems (name VARCHAR, message VARCHAR, "
            "ingested_at TIMESTAMPTZ DEFAULT current_timestamp)"
        )
        con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR, value VARCHAR)")
        con.execute("DELETE FROM meta WHERE key = 'schema_version'")
        con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection (for the query module)."""
        return self._con

    def load_batch(self, events_path: Path, calls_path: Path, files_path: Path) -> None:
        """Append one batch of rows (NDJSON files) to ``events``, ``calls`` and ``files``."""
        for table, columns, path in (
            ("events", EVENT_COLUMNS, events_path),
            ("calls", CALL_COLUMNS, calls_path),
            ("files", FILE_COLUMNS, files_path),
        ):
            if path.stat().st_size:
                names = ", ".join(c for c, _ in columns)
                self._con.execute(f"INSERT INTO {table} ({names}) {_batch_select(columns, path.as_posix())}")

    def event_count(self) -> int:
        """How many events are stored."""
        row = self._con.execute("SELECT count(*) FROM events").fetchone()
        return int(row[0]) if row else 0

    def deduplicate(self) -> DedupResult:
        """Keep each eventID once (its first stored copy) in ``events`` and ``calls``.

        Candidates are found by a 64-bit hash of the eventID (a compact aggregate whatever the
        store's size), then confirmed on the eventID itself.
        """
        con = self._con
        con.execute(
            "CREATE OR REPLACE TEMP TABLE dup_ids AS "
            "SELECT event_id, min(rowid) AS keep, count(*) - 1 AS extra FROM events "
            "WHERE hash(event_id) IN (SELECT h FROM (SELECT hash(event_id) AS h FROM events) "
            "GROUP BY h HAVING count(*) > 1) "
            "GROUP BY event_id HAVING count(*) > 1"
        )
        row = con.execute("SELECT coalesce(sum(extra), 0) FROM dup_ids").fetchone()
        duplicates = int(row[0]) if row else 0
        if duplicates:
            con.execute(
                "DELETE FROM events WHERE rowid IN (SELECT e.rowid FROM events e "
                "JOIN dup_ids d ON e.event_id = d.event_id AND e.rowid <> d.keep)"
            )
            con.execute(
                "DELETE FROM calls WHERE rowid IN (SELECT rowid FROM ("
                "SELECT c.rowid, row_number() OVER (PARTITION BY c.event_id, c.action, c.resource, "
                "c.passed_to ORDER BY c.rowid) AS n FROM calls c SEMI JOIN dup_ids d "
                "ON c.event_id = d.event_id) WHERE n > 1)"
            )
        con.execute("DROP TABLE dup_ids")
        con.execute("CHECKPOINT")
        return DedupResult(duplicates)

    def record_problem(self, name: str, message: str) -> None:
        """Remember a file (or record) that could not be read, and why."""
        self._con.execute("INSERT INTO problems (name, message) VALUES (?, ?)", [name, message])

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group statements (file bookkeeping) into one transaction."""
        self._con.execute("BEGIN")
        try:
            yield
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        self._con.execute("COMMIT")

    def close(self) -> None:
        """Close the database."""
        self._con.close()

    def __enter__(self) -> ActivityStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
