"""``activity ingest``: read trail files one at a time, normalise them, and store them in batches.

Memory stays flat in the number of events: a file is decoded, turned into rows and written to a
batch file before the next is read; every ``batch_events`` rows the batch is loaded into DuckDB.
With ``workers`` > 0, files are decoded in worker processes (a bounded number in flight).
A file that cannot be read is reported by name and skipped; the rest is kept.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import tempfile
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from iamscope.activity.cloudtrail import TrailFileError, decode_trail_file
from iamscope.activity.mapping import EventMapper, load_event_action_table
from iamscope.activity.normalise import Normaliser
from iamscope.activity.sources import SourceProblem, TrailSource, iter_trail_sources
from iamscope.activity.store import FILE_COLUMNS, ActivityStore, BatchFiles, batch_key
from iamscope.engine.catalog import load_catalog

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

__all__ = ["IngestOptions", "IngestProblem", "IngestReport", "ingest"]


@dataclass(frozen=True, slots=True)
class IngestOptions:
    """How to ingest: rows per DuckDB load, decoding worker processes (0: inline), DuckDB memory.

    DuckDB's buffer pool is capped (``memory_limit``) so the process stays flat in the number of
    events; the final eventID check spills to disk when it needs more.
    """

    batch_events: int = 200_000
    workers: int = 0
    memory_limit: str = "64MB"


@dataclass(frozen=True, slots=True)
class IngestProblem:
    """A file (or a record in it) that was skipped, and why."""

    name: str
    message: str


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What one ingest run did."""

    files: int
    records: int
    stored: int
    duplicates: int
    skipped_records: int
    problems: tuple[IngestProblem, ...]
    statuses: dict[str, int] = field(default_factory=dict)
    unmapped: tuple[tuple[str, str, int], ...] = ()


class _FileRow(
    msgspec.Struct,
    frozen=True,
    rename={name: batch_key(i) for i, (name, _) in enumerate(FILE_COLUMNS)},
):
    name: str
    shape: str
    records: int
    skipped: int


@dataclass(slots=True)
class _FileResult:
    name: str
    rows: bytes = b""
    contexts: bytes = b""
    records: int = 0
    shape: str = ""
    problems: list[IngestProblem] = field(default_factory=list)
    skipped: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    unmapped: Counter[tuple[str, str]] = field(default_factory=Counter)
    failed: bool = False


_NORMALISER: Normaliser | None = None
_RUN: str | None = None


def _normaliser(run: str) -> Normaliser:
    """This process's normaliser, started afresh for each ingest run.

    A normaliser sends each context once; a new run may write to another store, so it starts
    without that memory (the mapper and its catalogue are kept).
    """
    global _NORMALISER, _RUN  # noqa: PLW0603 - one per process, built on first use (workers included)
    if _NORMALISER is None:
        _NORMALISER = Normaliser(EventMapper(load_catalog(), load_event_action_table()))
    elif run != _RUN:
        _NORMALISER = _NORMALISER.fresh()
    _RUN = run
    return _NORMALISER


_ENCODER = msgspec.json.Encoder()


def _process(name: str, data: bytes | None, run: str) -> _FileResult:
    """Decode and normalise one file (runs inline or in a worker process)."""
    result = _FileResult(name)
    try:
        raw = data if data is not None else Path(name).read_bytes()
        decoded = decode_trail_file(raw)
    except (TrailFileError, OSError) as exc:
        result.failed = True
        result.problems.append(IngestProblem(name, str(exc)))
        return result
    rows = _normaliser(run).normalise(decoded.records)
    result.rows = rows.rows
    result.contexts = rows.contexts
    result.statuses = rows.statuses
    result.unmapped = rows.unmapped
    result.records = len(decoded.records)
    result.shape = decoded.shape
    result.skipped = len(decoded.skipped)
    for index, reason in decoded.skipped[:20]:
        result.problems.append(IngestProblem(name, f"record {index} skipped: {reason}"))
    if len(decoded.skipped) > 20:
        result.problems.append(IngestProblem(name, f"{len(decoded.skipped) - 20} more records skipped"))
    return result


def _results(sources: Iterable[TrailSource], workers: int) -> Iterable[_FileResult]:
    """Results in source order; with workers, a bounded number of files in flight."""
    run = uuid.uuid4().hex
    if workers <= 0:
        for source in sources:
            try:
                data = None if source.path is not None else source.load()
            except OSError as exc:
                yield _FileResult(source.name, problems=[IngestProblem(source.name, str(exc))], failed=True)
                continue
            yield _process(source.name, data, run)
        return
    # Workers start from a clean server process, not forked from this one: it holds DuckDB's
    # and the loader's threads, and forking a multi-threaded process can deadlock.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[concurrent.futures.Future[_FileResult]] = deque()
        for source in sources:
            try:
                data = None if source.path is not None else source.load()
            except OSError as exc:
                yield _FileResult(source.name, problems=[IngestProblem(source.name, str(exc))], failed=True)
                continue
            pending.append(pool.submit(_process, source.name, data, run))
            while len(pending) >= workers * 4:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def ingest(
    paths: Sequence[str],
    db_path: Path,
    *,
    options: IngestOptions | None = None,
    s3_client: Callable[[], S3Client] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> IngestReport:
    """Read every trail file under ``paths`` into the store at ``db_path``."""
    options = options or IngestOptions()
    source_problems: list[SourceProblem] = []
    problems: list[IngestProblem] = []
    statuses: Counter[str] = Counter()
    unmapped: Counter[tuple[str, str]] = Counter()
    files = records = skipped = 0
    with (
        ActivityStore(
            db_path,
            memory_limit=options.memory_limit,
            # One DuckDB thread: decoding keeps the other cores busy, and each JSON-reading
            # thread takes a 32 MB buffer, more than the memory cap allows for two.
            threads=1,
        ) as store,
        tempfile.TemporaryDirectory(prefix="iamscope-ingest-") as tmp,
    ):
        before = store.event_count()
        batch = _Batch(Path(tmp))
        try:
            sources = iter_trail_sources(paths, source_problems, s3_client)
            for result in _results(sources, options.workers):
                problems.extend(result.problems)
                if result.failed:
                    continue
                files += 1
                records += result.records
                skipped += result.skipped
                statuses.update(result.statuses)
                unmapped.update(result.unmapped)
                batch.add(result)
                if batch.rows >= options.batch_events:
                    batch.flush(store)
                if progress is not None:
                    progress(files, records)
            batch.flush(store)
        finally:
            batch.close()
        dedup = store.deduplicate()
        stored = store.event_count() - before
        for source_problem in source_problems:
            problems.append(IngestProblem(source_problem.name, source_problem.message))
        for problem in problems:
            store.record_problem(problem.name, problem.message)
    return IngestReport(
        files=files,
        records=records,
        stored=stored,
        duplicates=dedup.duplicates,
        skipped_records=skipped,
        problems=tuple(problems),
        statuses=dict(statuses),
        unmapped=tuple((s, n, c) for (s, n), c in unmapped.most_common()),
    )


class _Batch:
    """NDJSON batch files on disk, loaded into the store by a background thread.

    DuckDB releases the GIL while it loads, so loading one batch overlaps decoding the next; two
    sets of batch files alternate, and at most one load is in flight (memory stays bounded).
    """

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._generation = 0
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        self._loading: concurrent.futures.Future[None] | None = None
        self._open()
        self.rows = 0

    def _open(self) -> None:
        tag = self._generation % 2
        self._paths = BatchFiles(
            self._folder / f"rows-{tag}.ndjson",
            self._folder / f"contexts-{tag}.ndjson",
            self._folder / f"files-{tag}.ndjson",
        )
        self._rows = self._paths.rows.open("wb")
        self._contexts = self._paths.contexts.open("wb")
        self._files = self._paths.files.open("wb")

    def add(self, result: _FileResult) -> None:
        self._rows.write(result.rows)
        self._contexts.write(result.contexts)
        self._files.write(
            _ENCODER.encode(_FileRow(result.name, result.shape, result.records, result.skipped)) + b"\n"
        )
        self.rows += result.records

    def flush(self, store: ActivityStore) -> None:
        """Hand the current files to the loader thread and start the other set."""
        for handle in (self._rows, self._contexts, self._files):
            handle.close()
        self.wait()
        self._loading = self._pool.submit(store.load_batch, self._paths)
        self._generation += 1
        self._open()
        self.rows = 0

    def wait(self) -> None:
        """Wait for the load in flight (re-raising its error)."""
        if self._loading is not None:
            self._loading.result()
            self._loading = None

    def close(self) -> None:
        """Finish the last load and stop the thread."""
        for handle in (self._rows, self._contexts, self._files):
            handle.close()
        self.wait()
        self._pool.shutdown()
