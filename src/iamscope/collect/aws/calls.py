"""One account's calls run inside a fault boundary: each outcome becomes a manifest CallRecord."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TypeVar

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from iamscope.collect.bundle import BundleWriter
from iamscope.model.snapshot import CallRecord

__all__ = ["AccountCalls", "CallLog"]

R = TypeVar("R")


class CallLog:
    """Every CallRecord of a run, appended from many threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[CallRecord] = []

    def add(self, record: CallRecord) -> None:
        """Append one record."""
        with self._lock:
            self._records.append(record)

    def records(self) -> tuple[CallRecord, ...]:
        """A copy of everything recorded so far."""
        with self._lock:
            return tuple(self._records)


class AccountCalls:
    """Runs the calls of one account: an AWS error is recorded with its code and the run goes on."""

    def __init__(self, account: str, writer: BundleWriter, log: CallLog) -> None:
        self.account = account
        self.writer = writer
        self.log = log

    def call(
        self,
        name: str,
        region: str,
        work: Callable[[], R],
        *,
        file: str | None = None,
        document: Callable[[R], Mapping[str, object] | None] | None = None,
        resource: str | None = None,
    ) -> R | None:
        """Run ``work`` (one API call or one paginated listing) and record its outcome.

        On success the response, or ``document(response)`` when given, is written to ``file``
        (nothing is written when that is None). On an AWS error the manifest gets the error code
        as status and the message; the caller gets None. ``resource`` (an ARN) names what a
        per-resource read was about, so an absence or a denial is tied to its resource.
        """
        try:
            result = work()
        except ClientError as error:
            details = error.response.get("Error", {})
            code = str(details.get("Code") or "ClientError")
            message = str(details.get("Message") or error)
            if message.lstrip().startswith("<"):
                # An HTML error page (a proxy, or an emulator without this service), not AWS JSON.
                message = f"HTTP {code} with an HTML page: the service is not reachable there"
            self.record(name, region, status=code, error=message, resource=resource)
            return None
        except BotoCoreError as error:
            self.record(name, region, status=type(error).__name__, error=str(error), resource=resource)
            return None
        except ResponseParserError as error:
            # An unparseable reply (e.g. an HTML error page where XML was due); not a BotoCoreError.
            first = str(error).splitlines()[0] if str(error) else "unreadable response"
            self.record(name, region, status="ResponseParserError", error=first, resource=resource)
            return None
        written: str | None = None
        if file is not None:
            body = document(result) if document is not None else _as_mapping(result)
            if body is not None:
                written = self.writer.write_json(file, body)
        self.record(name, region, status="ok", file=written, resource=resource)
        return result

    def record(
        self,
        name: str,
        region: str,
        *,
        status: str,
        error: str | None = None,
        file: str | None = None,
        resource: str | None = None,
    ) -> None:
        """Add one outcome to the manifest."""
        self.log.add(
            CallRecord(
                account=self.account,
                region=region,
                call=name,
                status=status,
                error=error,
                file=file,
                resource=resource,
            )
        )


def _as_mapping(result: object) -> Mapping[str, object] | None:
    if isinstance(result, Mapping):
        return result
    return None
