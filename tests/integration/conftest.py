"""Fixtures for tests that talk HTTP to a real moto server started on loopback for the session,
and the seeded organization collected from it once for every test that reads the bundle."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from iamscope.collect import load
from iamscope.collect.aws import CollectOptions, CollectResult, collect
from iamscope.model.snapshot import Snapshot
from tests.integration.seed import LOOPBACK_S3CONTROL, SeededOrg, seed_organization
from tests.moto_server import MotoServer

REGIONS = ("us-east-1", "eu-west-1")


@dataclass
class Collected:
    """A seeded organization, the bundle collected from it, and every API call made."""

    seeded: SeededOrg
    result: CollectResult
    snapshot: Snapshot
    operations: list[tuple[str, str]]


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    """One moto server for the whole test session."""
    with MotoServer() as server:
        yield server


@pytest.fixture
def aws(moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[MotoServer]:
    """The moto server, emptied, with boto3 pointed at it through AWS_ENDPOINT_URL."""
    moto_server.reset()
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    for name, value in moto_server.environment().items():
        monkeypatch.setenv(name, value)
    yield moto_server
    moto_server.reset()


@pytest.fixture(scope="session")
def collected(moto_server: MotoServer, tmp_path_factory: pytest.TempPathFactory) -> Collected:
    """Seed once per session, collect with every call recorded by a botocore before-call hook.

    The bundle is on disk and the snapshot in memory, so moto is emptied and the environment
    restored before any test reads them: other tests see neither. S3 Control requests reach the
    server through LOOPBACK_S3CONTROL (see ``seed``); test_collect_buckets collects without it.
    """
    monkeypatch = pytest.MonkeyPatch()
    moto_server.reset()
    for name, value in moto_server.environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    try:
        seeded = seed_organization()
        operations: list[tuple[str, str]] = []

        def record(model: Any, **_: Any) -> None:
            operations.append((model.service_model.service_name, model.name))

        options = CollectOptions(
            regions=REGIONS,
            organization=True,
            max_attempts=1,
            poll_interval_seconds=0.01,
            event_hooks=(("before-call", record), LOOPBACK_S3CONTROL),
        )
        out = tmp_path_factory.mktemp("org") / "bundle"
        result = collect(out, options)
        found = Collected(seeded, result, load(out), operations)
    finally:
        monkeypatch.undo()
        moto_server.reset()
    return found
