"""Fixtures for tests that talk HTTP to a real moto server started on loopback for the session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.moto_server import MotoServer


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
