"""Benchmark: ingest N million CloudTrail events (gzip delivery files, 1,000 events a file).

Prints, for each N: ingest throughput (events/s), CPU and peak memory (main process, and the whole
process tree with its decoding workers), and the time ``gzip -dc`` alone takes on the same files in
the same run (the decompression bound; timed before and after ingest, the mean used), with the
ratio. Then the time ``generate-policy`` takes for one principal over the stored events. Memory and
CPU of the process tree are sampled from /proc (Linux).

    .venv/bin/python bench/activity.py                 # N = 1 and 10 (million), as issue 5 asks
    .venv/bin/python bench/activity.py --millions 0.1  # a quick run
"""

from __future__ import annotations

import argparse
import concurrent.futures
import importlib.util
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
from isal import igzip

from iamscope.model.document import JsonObject
from iamscope.samples.trail_records import Caller, TrailRecordFactory

EVENTS_PER_FILE = 1000
ACCOUNTS = ("222222222222", "333333333333", "444444444444")
REGIONS = ("us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2")
ROLES = tuple(f"service-{i:03d}" for i in range(60)) + tuple(f"developer-{i:02d}" for i in range(1, 16))
BENCH_PRINCIPAL = f"arn:aws:iam::{ACCOUNTS[0]}:role/developer-01"


def _one_file(index: int, folder: Path) -> None:
    rng = random.Random(index)
    factory = TrailRecordFactory(rng)
    account = ACCOUNTS[index % len(ACCOUNTS)]
    region = REGIONS[(index // len(ACCOUNTS)) % len(REGIONS)]
    start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=5 * index)
    records: list[JsonObject] = []
    for n in range(EVENTS_PER_FILE):
        role = ROLES[rng.randrange(len(ROLES))]
        caller = Caller(
            account=account,
            name=role,
            session=f"{role}-session",
            source_ip=f"203.0.113.{rng.randrange(256)}",
        )
        when = start + timedelta(seconds=n * 0.3)
        kind = rng.random()
        team = role.rsplit("-", 1)[1]
        if kind < 0.45:
            records.append(
                factory.s3_object(
                    caller,
                    when,
                    region,
                    rng.choice(("GetObject", "PutObject")),
                    f"bench-{team}-data",
                    f"prefix/{rng.randrange(10**6)}.json",
                )
            )
        elif kind < 0.65:
            records.append(
                factory.dynamodb_item(
                    caller,
                    when,
                    region,
                    rng.choice(("GetItem", "PutItem", "Query")),
                    f"table-{team}",
                )
            )
        elif kind < 0.75:
            records.append(factory.lambda_invoke(caller, when, region, f"fn-{team}"))
        elif kind < 0.85:
            records.append(
                factory.record(
                    caller,
                    when,
                    region,
                    "dynamodb.amazonaws.com",
                    "DescribeTable",
                    request={"tableName": f"table-{team}"},
                )
            )
        elif kind < 0.95:
            records.append(
                factory.record(
                    caller,
                    when,
                    region,
                    "kms.amazonaws.com",
                    "Decrypt",
                    request={"encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
                    resources=[
                        {
                            "accountId": account,
                            "type": "AWS::KMS::Key",
                            "ARN": f"arn:aws:kms:{region}:{account}:key/{team}-0000-1111-2222-333344445555",
                        }
                    ],
                )
            )
        else:
            records.append(
                factory.record(
                    caller,
                    when,
                    "us-east-1",
                    "sts.amazonaws.com",
                    "AssumeRole",
                    request={
                        "roleArn": f"arn:aws:iam::{account}:role/{role}",
                        "roleSessionName": "s",
                    },
                )
            )
    day = folder / "AWSLogs" / "o-bench00000" / account / "CloudTrail" / region / f"{start:%Y/%m/%d}"
    day.mkdir(parents=True, exist_ok=True)
    name = f"{account}_CloudTrail_{region}_{start:%Y%m%dT%H%MZ}_{index:016d}.json.gz"
    (day / name).write_bytes(igzip.compress(msgspec.json.encode({"Records": records}), 2, mtime=0))


def generate(folder: Path, events: int) -> list[Path]:
    """Write ``events`` events (rounded up to whole files) under ``folder``; reused when present."""
    files = (events + EVENTS_PER_FILE - 1) // EVENTS_PER_FILE
    marker = folder / f".complete-{files}"
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        with concurrent.futures.ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            list(pool.map(_one_file, range(files), [folder] * files, chunksize=16))
        marker.touch()
    return sorted(folder.rglob("*.json.gz"))


def gzip_seconds(paths: list[Path]) -> tuple[float, float]:
    """Time ``gzip -dc`` takes to decompress every file to /dev/null: (wall, CPU) seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    for i in range(0, len(paths), 500):
        subprocess.run(["gzip", "-dc", *map(str, paths[i : i + 500])], stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu


def warm(paths: list[Path]) -> None:
    """Read every file once, so neither gzip nor ingest pays for the disk."""
    for path in paths:
        path.read_bytes()


_INGEST = """
import sys
from pathlib import Path
from iamscope.activity.ingest import IngestOptions, ingest
if __name__ == "__main__":
    r = ingest([sys.argv[1]], Path(sys.argv[2]), options=IngestOptions(workers=int(sys.argv[3])))
    print(r.records, r.stored, len(r.problems))
"""


@dataclass
class TreeUsage:
    """What a process and all its descendants (ingest workers) used, sampled from /proc."""

    wall: float = 0.0
    main_rss_mb: float = 0.0  # peak of the main process (sampled every 0.1 s)
    tree_rss_mb: float = 0.0  # peak of the sum over the process tree (sampled every 0.1 s)
    cpu: float = 0.0  # CPU seconds of every process in the tree (last sample of each)
    output: str = ""


def _proc_table() -> dict[int, tuple[int, float, float]]:
    """pid -> (parent pid, CPU seconds, RSS MB) for every process (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    page = os.sysconf("SC_PAGE_SIZE")
    table: dict[int, tuple[int, float, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        # After the name: state, ppid, ..., utime (12th), stime (13th), ..., rss pages (22nd).
        table[int(entry)] = (
            int(fields[1]),
            (int(fields[11]) + int(fields[12])) / tick,
            int(fields[21]) * page / 1e6,
        )
    return table


def _sample(root: int, usage: TreeUsage, cpu: dict[int, float], stop: threading.Event) -> None:
    while not stop.is_set():
        table = _proc_table()
        tree = {root}
        grew = True
        while grew:
            found = {pid for pid, (parent, _, _) in table.items() if parent in tree} - tree
            tree |= found
            grew = bool(found)
        present = [table[pid] for pid in tree if pid in table]
        for pid in tree:
            if pid in table:
                cpu[pid] = table[pid][1]
        usage.tree_rss_mb = max(usage.tree_rss_mb, sum(rss for _, _, rss in present))
        if root in table:
            usage.main_rss_mb = max(usage.main_rss_mb, table[root][2])
        stop.wait(0.1)


def run_measured(argv: list[str]) -> TreeUsage:
    """Run a child process; its wall time, and its process tree's peak memory and CPU."""
    usage = TreeUsage()
    cpu: dict[int, float] = {}
    stop = threading.Event()
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    sampler = threading.Thread(target=_sample, args=(child.pid, usage, cpu, stop), daemon=True)
    sampler.start()
    usage.output = (child.stdout.read() if child.stdout else "").strip()
    _, status, own = os.wait4(child.pid, 0)
    usage.wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    if status != 0:
        raise SystemExit(f"child failed: {argv}")
    cpu[child.pid] = max(cpu.get(child.pid, 0.0), own.ru_utime + own.ru_stime)
    usage.cpu = sum(cpu.values())
    return usage


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--millions",
        default="1,10",
        help="comma-separated sizes in millions of events (default: 1,10)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 2,
        help="decoding worker processes (0: inline)",
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "iamscope-bench-activity",
        help="where to keep the generated files",
    )
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; ingest workers: {args.workers}; {EVENTS_PER_FILE} events a file")
    for size in (float(x) for x in args.millions.split(",")):
        events = int(size * 1_000_000)
        folder = args.dir / f"n{events}"
        t0 = time.perf_counter()
        paths = generate(folder, events)
        total = len(paths) * EVENTS_PER_FILE
        compressed = sum(p.stat().st_size for p in paths)
        print(
            f"\nN = {total:,} events in {len(paths):,} files ({compressed / 1e6:,.0f} MB gzip); "
            f"generated/reused in {time.perf_counter() - t0:.1f}s"
        )
        warm(paths)
        # gzip before and after ingest, on the same files: the machine is shared and its load
        # drifts, so the bound is the mean of the two.
        gz_before, gz_cpu_before = gzip_seconds(paths)
        db = folder.parent / f"n{events}.duckdb"
        db.unlink(missing_ok=True)
        used = run_measured([sys.executable, "-c", _INGEST, str(folder), str(db), str(args.workers)])
        gz_after, gz_cpu_after = gzip_seconds(paths)
        gz = (gz_before + gz_after) / 2
        gz_cpu = (gz_cpu_before + gz_cpu_after) / 2
        print(
            f"  gzip -dc alone: {gz:7.1f}s  ({total / gz:,.0f} events/s; {gz_before:.1f}s before "
            f"and {gz_after:.1f}s after ingest)   CPU {gz_cpu:.1f}s"
        )
        print(
            f"  ingest:         {used.wall:7.1f}s  ({total / used.wall:,.0f} events/s)  "
            f"= {used.wall / gz:.2f}x gzip -dc   CPU {used.cpu:.1f}s ({used.cpu / gz_cpu:.2f}x gzip's)  "
            f"[{used.output}]"
        )
        print(
            f"  peak RSS: main process {used.main_rss_mb:,.0f} MB, whole process tree "
            f"(workers included) {used.tree_rss_mb:,.0f} MB"
        )
        policy_elapsed, policy_rss, _ = _generate_policy(db)
        if policy_elapsed is not None:
            print(
                f"  generate-policy for {BENCH_PRINCIPAL}: {policy_elapsed:.2f}s "
                f"(peak RSS {policy_rss / 1024:,.0f} MB)"
            )
        print(f"  database: {db.stat().st_size / 1e6:,.0f} MB")
    return 0


def _generate_policy(db: Path) -> tuple[float | None, int, str]:
    if importlib.util.find_spec("iamscope.analysis.leastpriv") is None:
        print("  generate-policy: not built yet")
        return None, 0, ""
    code = (
        "import sys; from pathlib import Path; from iamscope.cli.main import main; "
        "sys.exit(main(['generate-policy', '--db', sys.argv[1], '--principal', sys.argv[2], "
        "'--generalize', 'prefix']))"
    )
    argv = [sys.executable, "-c", code, str(db), BENCH_PRINCIPAL]
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        print(f"  generate-policy failed (status {status})")
    return time.perf_counter() - start, usage.ru_maxrss, ""


if __name__ == "__main__":
    raise SystemExit(main())
