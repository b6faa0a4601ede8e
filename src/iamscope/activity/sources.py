"""Where trail files come from: files, directory trees (organisation-trail layout), and S3 prefixes.

Each source yields (name, bytes-loader) pairs one file at a time, so nothing holds more than one file.
S3 is read through boto3 with list and get calls only (read-only).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

__all__ = ["SourceProblem", "TrailSource", "iter_trail_sources"]

# Folders of a trail bucket that hold no events: integrity digests and Insights summaries.
_SKIPPED_FOLDERS = frozenset({"CloudTrail-Digest", "CloudTrail-Insight"})
_SUFFIXES = (".json", ".json.gz", ".gz")


@dataclass(frozen=True, slots=True)
class TrailSource:
    """One file to read: a display name (path or s3:// URI) and how to load its bytes."""

    name: str
    load: Callable[[], bytes]
    path: Path | None = None  # set for local files: workers read them themselves


@dataclass(frozen=True, slots=True)
class SourceProblem:
    """A path or prefix that could not be listed or opened."""

    name: str
    message: str


def iter_trail_sources(
    paths: Sequence[str],
    problems: list[SourceProblem],
    s3_client: Callable[[], S3Client] | None = None,
) -> Iterator[TrailSource]:
    """Every trail file under ``paths`` in a stable order; unreachable paths go to ``problems``."""
    for path in paths:
        if path.startswith("s3://"):
            yield from _s3_sources(path, problems, s3_client or _default_s3_client)
            continue
        local = Path(path)
        try:
            is_dir, is_file = local.is_dir(), local.is_file()
        except OSError as error:
            problems.append(SourceProblem(path, f"cannot read: {error.strerror or error}"))
            continue
        if is_dir:
            yield from _directory_sources(local, problems)
        elif is_file:
            yield TrailSource(str(local), local.read_bytes, local)
        else:
            problems.append(SourceProblem(path, "no such file or directory"))


def _is_trail_name(name: str) -> bool:
    return name.endswith(_SUFFIXES) and "CloudTrail-Digest" not in name


def _directory_sources(root: Path, problems: list[SourceProblem]) -> Iterator[TrailSource]:
    """Trail files under ``root``; a folder that cannot be read, or a tree with none, is a problem."""

    def unreadable(error: OSError) -> None:
        problems.append(
            SourceProblem(str(error.filename or root), f"cannot read the folder: {error.strerror}")
        )

    found = 0
    for folder, subfolders, files in os.walk(root, onerror=unreadable):
        subfolders[:] = sorted(d for d in subfolders if d not in _SKIPPED_FOLDERS)
        for name in sorted(files):
            if _is_trail_name(name):
                path = Path(folder) / name
                found += 1
                yield TrailSource(str(path), path.read_bytes, path)
    if not found:
        problems.append(
            SourceProblem(
                str(root), f"no CloudTrail files in this folder (looked for {', '.join(_SUFFIXES)})"
            )
        )


def _default_s3_client() -> S3Client:
    import boto3  # imported on use: reading local files needs no AWS SDK start-up

    return boto3.client("s3")


def _s3_sources(
    uri: str, problems: list[SourceProblem], make_client: Callable[[], S3Client]
) -> Iterator[TrailSource]:
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, _, prefix = uri[len("s3://") :].partition("/")
    if not bucket:
        problems.append(SourceProblem(uri, "an S3 URI needs a bucket: s3://bucket/prefix"))
        return
    client = make_client()
    paginator = client.get_paginator("list_objects_v2")
    try:
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                key = item["Key"]
                if not _is_trail_name(key) or any(f"/{d}/" in f"/{key}" for d in _SKIPPED_FOLDERS):
                    continue
                yield TrailSource(f"s3://{bucket}/{key}", _s3_loader(client, bucket, key))
    except (ClientError, BotoCoreError) as exc:
        problems.append(SourceProblem(uri, f"cannot list: {exc}"))


def _s3_loader(client: S3Client, bucket: str, key: str) -> Callable[[], bytes]:
    from botocore.exceptions import BotoCoreError, ClientError

    def load() -> bytes:
        try:
            return client.get_object(Bucket=bucket, Key=key)["Body"].read()
        except (ClientError, BotoCoreError) as exc:
            raise OSError(f"cannot read: {exc}") from exc

    return load
