"""How collection retries: throttling generously, server errors (HTTP 5xx) only briefly.

botocore's standard and adaptive modes retry every transient fault (throttling, HTTP 5xx,
connection errors) up to one ``max_attempts`` with exponential backoff. An endpoint that has not
implemented a service (an emulator, a new partition) answers HTTP 500 every time, so ten attempts
spent ~20 s per region learning nothing. Here a 5xx answer that is not a throttling error gets
``server_error_attempts`` attempts in all (default 2), then is recorded like any failed call;
throttling and connection faults keep the run's ``max_attempts``
(``CollectOptions.server_error_attempts`` and ``max_attempts``).

The client's standard retry handler is replaced, under the same event and unique id, by one
built from botocore's own parts (backoff, retry quota, conditions) with this bound added; the
adaptive mode's client-side rate limiter is a separate handler and stays as it is.
"""

from __future__ import annotations

from typing import Any

from botocore.retries import quota, standard
from botocore.retries.base import BaseRetryableChecker

__all__ = ["bound_server_errors"]


class _BoundedServerErrors(BaseRetryableChecker):
    """botocore's standard conditions, with fewer attempts for a 5xx that is not throttling."""

    def __init__(self, max_attempts: int, server_error_attempts: int) -> None:
        self._standard = standard.StandardRetryConditions(max_attempts=max_attempts)
        self._throttled = standard.ThrottledRetryableChecker()
        self._server_error_attempts = server_error_attempts

    def is_retryable(self, context: Any) -> bool:
        """True when the attempt that just failed should be tried again."""
        if not self._standard.is_retryable(context):
            return False
        response = context.http_response
        if response is not None and response.status_code >= 500 and not self._throttled.is_retryable(context):
            return bool(context.attempt_number < self._server_error_attempts)
        return True


def bound_server_errors(client: Any, max_attempts: int, server_error_attempts: int) -> None:
    """Make ``client`` retry a non-throttling 5xx at most ``server_error_attempts`` times in all."""
    service = client.meta.service_model.service_id.hyphenize()
    event, unique_id = f"needs-retry.{service}", f"retry-config-{service}"
    retry_quota = standard.RetryQuotaChecker(quota.RetryQuota())
    handler = standard.RetryHandler(
        retry_policy=standard.RetryPolicy(
            retry_checker=_BoundedServerErrors(max_attempts, server_error_attempts),
            retry_backoff=standard.ExponentialBackoff(),
        ),
        retry_event_adapter=standard.RetryEventAdapter(),
        # botocore-stubs types this as RetryQuota; botocore itself passes a RetryQuotaChecker
        retry_quota=retry_quota,  # type: ignore[arg-type]
    )
    client.meta.events.unregister(event, unique_id=unique_id)
    client.meta.events.register(event, handler.needs_retry, unique_id=unique_id)
    client.meta.events.register(f"after-call.{service}", retry_quota.release_retry_quota)
