"""A real moto server on a free loopback port, for tests and benchmarks talking HTTP with boto3.

Reusable: ``with MotoServer() as server:`` sets nothing globally; ``server.environment()`` gives the
variables (``AWS_ENDPOINT_URL`` and fake credentials) to put in ``os.environ`` while talking to it,
and ``server.reset()`` empties every backend between tests.
"""

from __future__ import annotations

import socket
import urllib.request
from types import TracebackType

from moto.server import ThreadedMotoServer

__all__ = ["FAKE_CREDENTIALS", "MotoServer"]

# moto maps these to its default account 123456789012; they are not secrets.
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class MotoServer:
    """Starts ThreadedMotoServer on 127.0.0.1 and a free port; stops it on exit."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)

    def __enter__(self) -> MotoServer:
        self._server.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._server.stop()

    def environment(self) -> dict[str, str]:
        """Environment variables that point boto3 at this server with moto's dummy credentials."""
        return {
            **FAKE_CREDENTIALS,
            "AWS_ENDPOINT_URL": self.url,
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        }

    def reset(self) -> None:
        """Forget every resource in every account (moto's reset API)."""
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
