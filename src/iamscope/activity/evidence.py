"""Everything the store says about principals, gathered for right-sizing (one query set each)."""

from __future__ import annotations

from collections.abc import Iterable

from iamscope.activity.queries import (
    TimeWindow,
    active_principals,
    data_event_sources,
    recorded_calls,
    used_calls,
)
from iamscope.activity.store import ActivityStore
from iamscope.model.activity import PrincipalEvidence

__all__ = ["gather_evidence"]


def gather_evidence(
    store: ActivityStore,
    principals: Iterable[str] | None = None,
    window: TimeWindow | None = None,
) -> tuple[PrincipalEvidence, ...]:
    """Evidence for ``principals`` (default: every IAM user and role with recorded activity)."""
    window = window or TimeWindow()
    wanted = (
        list(principals)
        if principals is not None
        else sorted(p for p in active_principals(store, window) if ":user/" in p or ":role/" in p)
    )
    sources = data_event_sources(store.connection)
    out = []
    for principal in wanted:
        parts = principal.split(":")
        out.append(
            PrincipalEvidence(
                principal=principal,
                account=parts[4] if len(parts) > 4 else "",
                used=used_calls(store, principal, window),
                recorded=recorded_calls(store, principal, window),
                data_sources=sources,
            )
        )
    return tuple(out)
