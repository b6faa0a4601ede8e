"""What a collection run is asked to do and how it reports progress: plain data the CLI fills in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

__all__ = ["CollectOptions", "EventHook", "NullProgress", "Progress"]

# A botocore event handler (``before-call`` and friends), registered on every session the run makes.
EventHook = tuple[str, Callable[..., None]]


@dataclass(frozen=True, slots=True)
class CollectOptions:
    """Options of one run; defaults collect the caller's own account in every enabled region."""

    profile: str | None = None
    region: str | None = None  # home region for global endpoints; default from the profile
    regions: tuple[str, ...] | None = None  # None: the regions enabled in the calling account
    organization: bool = False
    accounts: tuple[str, ...] = ()  # explicit member accounts (with or without ``organization``)
    role_name: str = "OrganizationAccountAccessRole"
    external_id: str | None = None
    max_workers: int = 4  # accounts collected at once
    region_workers: int = 4  # regions of one account collected at once
    max_attempts: int = 10  # attempts per call (botocore adaptive retries for throttling); tests use 1
    server_error_attempts: int = 2  # attempts for an HTTP 5xx that is not throttling (collect.aws.retries)
    access_advisor: bool = False
    report_wait_seconds: float = 120.0
    poll_interval_seconds: float = 2.0
    event_hooks: tuple[EventHook, ...] = ()


class Progress(Protocol):
    """Receives progress from worker threads (implementations must be thread-safe)."""

    def accounts_planned(self, count: int) -> None:
        """How many accounts the run will collect."""

    def account_done(self, account: str, failures: int) -> None:
        """One account is finished; ``failures`` calls in it could not be collected."""

    def call_made(self, service: str, operation: str) -> None:
        """One AWS API request (one page) was sent."""


class NullProgress:
    """Progress that shows nothing (library use and tests)."""

    def accounts_planned(self, count: int) -> None:
        """Ignored."""

    def account_done(self, account: str, failures: int) -> None:
        """Ignored."""

    def call_made(self, service: str, operation: str) -> None:
        """Ignored."""
