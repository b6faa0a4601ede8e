"""Reading s3://bucket/prefix through boto3, against a local moto server (list + get only)."""

from __future__ import annotations

import gzip
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import boto3
import duckdb
import pytest
from moto.server import ThreadedMotoServer
from mypy_boto3_s3 import S3Client

from iamscope.activity.ingest import ingest
from tests.activity.builders import ACCOUNT, record


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def _client(endpoint: str) -> S3Client:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_ingest_from_s3_prefix(endpoint: str, tmp_path: Path) -> None:
    client = _client(endpoint)
    client.create_bucket(Bucket="trail")
    base = f"AWSLogs/o-abc/{ACCOUNT}/CloudTrail/eu-west-1/2026/03/01/"
    body = gzip.compress(json.dumps({"Records": [record("s1", "s3.amazonaws.com", "ListBuckets")]}).encode())
    client.put_object(Bucket="trail", Key=base + "a.json.gz", Body=body)
    client.put_object(Bucket="trail", Key=base + "broken.json.gz", Body=body[:30])
    client.put_object(
        Bucket="trail",
        Key=f"AWSLogs/o-abc/{ACCOUNT}/CloudTrail-Digest/eu-west-1/2026/03/01/d.json.gz",
        Body=gzip.compress(b"{}"),
    )
    client.put_object(Bucket="trail", Key="elsewhere/b.json.gz", Body=body)
    db = tmp_path / "s3.duckdb"
    report = ingest(["s3://trail/AWSLogs/"], db, s3_client=lambda: _client(endpoint))
    assert report.files == 1
    assert report.stored == 1
    assert [p.name for p in report.problems] == [f"s3://trail/{base}broken.json.gz"]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT name FROM files").fetchall() == [(f"s3://trail/{base}a.json.gz",)]


def test_missing_bucket_is_one_clear_problem(endpoint: str, tmp_path: Path) -> None:
    report = ingest(["s3://no-such-bucket/x"], tmp_path / "m.duckdb", s3_client=lambda: _client(endpoint))
    assert report.files == 0
    assert len(report.problems) == 1
    assert report.problems[0].name == "s3://no-such-bucket/x"
    assert "NoSuchBucket" in report.problems[0].message
