"""The activity store: normalised events and their calls in an embedded DuckDB database file.

Layout (schema 2), chosen for load speed: what repeats across events (principal, event name,
region, outcome, mapping status, action...) is stored once per distinct combination in
``contexts``; each event adds narrow rows to ``activity`` (eventID, time, source IP, context id,
resource, call position). The views ``events`` (one row per event) and ``calls`` (one row per
action and resource an event needed) join them back, so queries read the columns they always did.

Rows arrive in batches (newline-delimited JSON written by msgspec); after a run,
:meth:`ActivityStore.deduplicate` keeps each eventID once. DuckDB stores and aggregates;
CloudTrail JSON itself is never parsed by DuckDB.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from iamscope.user_error import UserError

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "CONTEXT_COLUMNS",
    "FILE_COLUMNS",
    "ROW_COLUMNS",
    "SCHEMA_VERSION",
    "ActivityStore",
    "BatchFiles",
    "DedupResult",
    "StoreError",
    "batch_key",
]

SCHEMA_VERSION = "2"
_MAX_LINE = 1 << 20  # bytes; a context row is well under 1 KB

# One row per call an event needed (seq 0, 1...), or one row with seq 0 for an event with none.
ROW_COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_id", "VARCHAR"),
    ("event_time", "TIMESTAMPTZ"),
    ("source_ip", "VARCHAR"),
    ("ctx", "UBIGINT"),
    ("resource", "VARCHAR"),
    ("seq", "USMALLINT"),
)
# Everything else about an event and one of its calls; ``ctx`` is a 64-bit digest of the rest.
CONTEXT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("ctx", "UBIGINT"),
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
    ("via_service", "VARCHAR"),
    ("mfa", "BOOLEAN"),
    ("vpce", "VARCHAR"),
    ("error_code", "VARCHAR"),
    ("outcome", "VARCHAR"),
    ("status", "VARCHAR"),
    ("access_key", "VARCHAR"),
    ("action", "VARCHAR"),
    ("passed_to", "VARCHAR"),
)
FILE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "VARCHAR"),
    ("shape", "VARCHAR"),
    ("records", "BIGINT"),
    ("skipped", "BIGINT"),
)

_EVENTS_VIEW = """
CREATE OR REPLACE VIEW events AS
SELECT a.event_id, a.event_time, c.event_source, c.event_name, c.event_type, c.category,
       c.read_only, c.region, c.account_id, c.principal_arn, c.principal_kind,
       c.principal_account, c.session_name, a.source_ip, c.via_service, c.mfa, c.vpce,
       c.error_code, c.outcome, c.status, c.access_key
FROM activity a JOIN contexts c ON a.ctx = c.ctx
WHERE a.seq = 0
"""
# Calls carry their event's request context too (source IP, MFA, region...), so replay needs no join.
_CALLS_VIEW = """
CREATE OR REPLACE VIEW calls AS
SELECT a.event_id, a.event_time, c.principal_arn, c.outcome, c.action, a.resource, c.passed_to,
       a.source_ip, c.mfa, c.via_service, c.region, c.account_id
FROM activity a JOIN contexts c ON a.ctx = c.ctx
WHERE c.action IS NOT NULL
"""


class StoreError(UserError):
    """The database file cannot be opened or is not an iamscope activity store."""


# Every DuckDB database file carries these bytes at offset 8 (after a checksum).
_DUCKDB_MAGIC = b"DUCK"
_MAGIC_AT = 8


def _not_a_database(path: Path) -> str | None:
    """Why an existing ``path`` cannot be the store, or None (a DuckDB file, or nothing yet).

    Checked before DuckDB sees the path: DuckDB opens some names (``*.json``) as an in-memory
    database that forgets everything on close, and others (SQLite files) by downloading an
    extension, so an ingest into them would report success and store nothing.
    """
    try:
        if not path.exists():
            return None
        if path.is_dir():
            return "is a directory, not an activity database file (pass a file name to --db)"
        with path.open("rb") as handle:
            head = handle.read(_MAGIC_AT + len(_DUCKDB_MAGIC))
    except OSError as error:
        return f"cannot read the database file: {error.strerror or error}"
    if head[_MAGIC_AT:] != _DUCKDB_MAGIC:
        kind = "an empty file" if not head else "not a DuckDB database"
        return f"cannot open as the activity store: the file exists and is {kind} (choose a new --db file)"
    return None


@dataclass(frozen=True, slots=True)
class DedupResult:
    """Events removed because their eventID was already stored (or repeated in the run)."""

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
    # Lines are short: a 1 MB object limit keeps the reader's buffer (twice the limit) small.
    return (
        f"SELECT {select} FROM read_json('{path}', format='newline_delimited', "
        f"maximum_object_size={_MAX_LINE}, columns={{{json_columns}}})"
    )


@dataclass(frozen=True, slots=True)
class BatchFiles:
    """One batch on disk: activity rows, new contexts and file bookkeeping (NDJSON each)."""

    rows: Path
    contexts: Path
    files: Path


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
        import duckdb  # on use: ingest workers import this module for its layout, not DuckDB (30 MB)

        self.path = path
        if read_only and not path.is_file():
            raise StoreError(f"{path}: no activity database here (run 'iamscope activity ingest')")
        fault = _not_a_database(path)
        if fault is not None:
            raise StoreError(f"{path}: {fault}")
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
        try:
            self._check_version(read_only)
            if not read_only:
                self._create_schema()
        except StoreError:
            self._con.close()
            raise

    def _has_table(self, name: str) -> bool:
        found = self._con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
        ).fetchone()
        return bool(found and found[0])

    def _check_version(self, read_only: bool) -> None:
        """Refuse a database that is not an activity store, or one written with another layout."""
        if not self._has_table("meta"):
            if read_only or self._has_table("events"):
                raise StoreError(f"{self.path}: not an iamscope activity database (no 'meta' table)")
            return  # a new, empty database
        row = self._con.execute("SELECT max(value) FROM meta WHERE key = 'schema_version'").fetchone()
        version = str(row[0]) if row and row[0] is not None else "?"
        if version != SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: activity store schema {version}, this iamscope reads schema "
                f"{SCHEMA_VERSION}; ingest the trail again into a new --db file"
            )

    def _create_schema(self) -> None:
        con = self._con
        con.execute(_table("activity", ROW_COLUMNS))
        con.execute(_table("contexts", CONTEXT_COLUMNS))
        con.execute(_EVENTS_VIEW)
        con.execute(_CALLS_VIEW)
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

    def load_batch(self, batch: BatchFiles) -> None:
        """Append one batch: contexts not stored yet, then the activity rows and file bookkeeping."""
        con = self._con
        if batch.contexts.stat().st_size:
            names = ", ".join(c for c, _ in CONTEXT_COLUMNS)
            con.execute(
                f"INSERT INTO contexts ({names}) SELECT DISTINCT ON (b.ctx) b.* "
                f"FROM ({_batch_select(CONTEXT_COLUMNS, batch.contexts.as_posix())}) b "
                "ANTI JOIN contexts c ON b.ctx = c.ctx"
            )
        for table, columns, path in (
            ("activity", ROW_COLUMNS, batch.rows),
            ("files", FILE_COLUMNS, batch.files),
        ):
            if path.stat().st_size:
                names = ", ".join(c for c, _ in columns)
                con.execute(f"INSERT INTO {table} ({names}) {_batch_select(columns, path.as_posix())}")

    def event_count(self) -> int:
        """How many events are stored."""
        row = self._con.execute("SELECT count(*) FROM activity WHERE seq = 0").fetchone()
        return int(row[0]) if row else 0

    def deduplicate(self) -> DedupResult:
        """Keep each eventID once: for every call position, its first stored row.

        Candidates are found by a 64-bit hash of the eventID (a compact aggregate whatever the
        store's size), then confirmed on the eventID itself. Copies of one event are the same
        event delivered twice, so keeping the first row per (eventID, position) keeps one copy.
        """
        con = self._con
        con.execute(
            "CREATE OR REPLACE TEMP TABLE dup_ids AS "
            "SELECT event_id, count(*) - 1 AS extra FROM activity "
            "WHERE seq = 0 AND hash(event_id) IN (SELECT h FROM (SELECT hash(event_id) AS h "
            "FROM activity WHERE seq = 0) GROUP BY h HAVING count(*) > 1) "
            "GROUP BY event_id HAVING count(*) > 1"
        )
        row = con.execute("SELECT coalesce(sum(extra), 0) FROM dup_ids").fetchone()
        duplicates = int(row[0]) if row else 0
        if duplicates:
            con.execute(
                "DELETE FROM activity WHERE rowid IN (SELECT rid FROM ("
                "SELECT a.rowid AS rid, row_number() OVER (PARTITION BY a.event_id, a.seq "
                "ORDER BY a.rowid) AS n FROM activity a SEMI JOIN dup_ids d ON a.event_id = d.event_id) "
                "WHERE n > 1)"
            )
        con.execute("DROP TABLE dup_ids")
        con.execute("CHECKPOINT")
        return DedupResult(duplicates)

    def record_problem(self, name: str, message: str) -> None:
        """Remember a file (or record) that could not be read, and why."""
        self._con.execute("INSERT INTO problems (name, message) VALUES (?, ?)", [name, message])

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
