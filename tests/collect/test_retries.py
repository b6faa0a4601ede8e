"""Collection retries throttling generously but a server error (HTTP 5xx) only briefly.

botocore's own retry logic runs in every test: the stub answers at its HTTP seam (a
``before-send`` handler returning the response), or a real moto server answers, which serves
Access Analyzer with HTTP 500 as an endpoint that has not implemented a service does.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError

from iamscope.collect.aws import CollectOptions, collect
from iamscope.collect.aws.options import EventHook
from iamscope.collect.aws.session import AccountSession
from tests.moto_server import MotoServer

STANDARD = Config(retries={"mode": "standard", "total_max_attempts": 6})


class _Body:
    """The raw stream botocore reads a response body from."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


class _Endpoint:
    """Answers every request with one status and body, counting the attempts."""

    def __init__(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.status, self.body, self.headers = status, body, headers
        self.attempts = 0

    def answer(self, request: Any, **_: Any) -> AWSResponse:
        """A ``before-send`` handler: the response botocore uses instead of sending the request."""
        self.attempts += 1
        return AWSResponse(request.url, self.status, cast(Any, self.headers), _Body(self.body))


def _analyzer_client(endpoint: _Endpoint, options: CollectOptions | None) -> Any:
    session = boto3.Session(aws_access_key_id="stub", aws_secret_access_key="stub", region_name="us-east-1")
    client = AccountSession(session, STANDARD, "us-east-1", options).client("accessanalyzer")
    events: Any = client.meta.events  # botocore-stubs types handlers as returning None
    events.register("before-send", endpoint.answer)
    return client


@pytest.fixture(autouse=True)
def _no_backoff_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """botocore sleeps between attempts; the tests count attempts, they need not wait."""
    slept: list[float] = []
    monkeypatch.setattr("botocore.endpoint.time.sleep", slept.append)
    return slept


SERVER_ERROR = (500, b"<html><body>Internal Server Error</body></html>", {"Content-Type": "text/html"})
THROTTLED = (
    400,
    b'{"__type": "ThrottlingException", "message": "Rate exceeded"}',
    {"Content-Type": "application/json", "x-amzn-ErrorType": "ThrottlingException"},
)


def test_a_server_error_is_tried_twice_then_raised() -> None:
    endpoint = _Endpoint(*SERVER_ERROR)
    client = _analyzer_client(endpoint, CollectOptions(max_attempts=6))
    with pytest.raises(ClientError):
        client.list_analyzers()
    assert endpoint.attempts == 2


def test_throttling_keeps_every_attempt() -> None:
    endpoint = _Endpoint(*THROTTLED)
    client = _analyzer_client(endpoint, CollectOptions(max_attempts=6))
    with pytest.raises(ClientError) as raised:
        client.list_analyzers()
    assert raised.value.response["Error"]["Code"] == "ThrottlingException"
    assert endpoint.attempts == 6


def test_the_server_error_bound_is_an_option() -> None:
    endpoint = _Endpoint(*SERVER_ERROR)
    client = _analyzer_client(endpoint, CollectOptions(max_attempts=6, server_error_attempts=4))
    with pytest.raises(ClientError):
        client.list_analyzers()
    assert endpoint.attempts == 4


def test_without_the_bound_botocore_retries_a_server_error_to_the_end() -> None:
    # What the bound changes: a plain client (no run options) spends every attempt on a 500.
    endpoint = _Endpoint(*SERVER_ERROR)
    client = _analyzer_client(endpoint, None)
    with pytest.raises(ClientError):
        client.list_analyzers()
    assert endpoint.attempts == 6


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoServer]:
    with MotoServer() as server:
        yield server


def test_collect_against_moto_records_access_analyzer_after_two_attempts(
    moto: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    for name, value in moto.environment().items():
        monkeypatch.setenv(name, value)
    attempts: Counter[str] = Counter()
    lock = threading.Lock()

    def count(event_name: str, **_: Any) -> None:
        with lock:
            attempts[event_name.rsplit(".", 1)[-1]] += 1

    hooks: tuple[EventHook, ...] = (("before-send", count),)
    result = collect(tmp_path / "bundle", CollectOptions(regions=("us-east-1",), event_hooks=hooks))
    (failure,) = [c for c in result.failures if c.call == "access-analyzer:ListAnalyzers"]
    assert failure.status == "500"
    assert attempts["ListAnalyzers"] == 2  # the default --max-attempts 10 is kept for throttling
    assert attempts["GetAccountAuthorizationDetails"] == 1
