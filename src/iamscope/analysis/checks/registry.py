"""The check registry: what a check is, what it sees, what it returns, and the list of all of them.

A check is a pure function of one account's :class:`CheckContext` returning an :class:`Outcome`:
hits (resource + message + evidence), or the reason it could not run. Titles, severities and
remediation prose are not here: they live once in ``checks.yaml`` (see :mod:`.prose`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, cast

from iamscope.analysis.access import AccessModel
from iamscope.model.document import JsonValue
from iamscope.model.snapshot import AccountSnapshot, Snapshot

__all__ = [
    "TOPIC_MODULES",
    "AssessOptions",
    "Check",
    "CheckContext",
    "Hit",
    "Outcome",
    "all_checks",
]

# Topic modules; each exposes ``CHECKS: tuple[Check, ...]``. Order here is report order.
TOPIC_MODULES: tuple[str, ...] = (
    "iamscope.analysis.checks.root",
    "iamscope.analysis.checks.passwords",
    "iamscope.analysis.checks.credentials",
    "iamscope.analysis.checks.permissions",
    "iamscope.analysis.checks.monitoring",
    "iamscope.analysis.checks.privilege",
    "iamscope.analysis.checks.trust",
    "iamscope.analysis.checks.exposure",
    "iamscope.analysis.checks.organization",
)


@dataclass(frozen=True, slots=True)
class AssessOptions:
    """Thresholds of the time-based checks (days; defaults follow CIS v3.0), and whether engine
    answers are shared between principals whose relevant statements are the same (see
    ``checks/access.py``; off evaluates every principal and action on its own, for comparison)."""

    credential_unused_days: int = 45
    key_rotation_days: int = 90
    unused_principal_days: int = 90
    root_use_days: int = 90
    key_created_at_setup_seconds: int = 600
    share_decisions: bool = True


@dataclass(frozen=True, slots=True)
class Hit:
    """One failing resource: its ARN, a one-line message, evidence and remediation parameters."""

    resource: str
    message: str
    evidence: Mapping[str, JsonValue] = field(default_factory=dict)
    params: Mapping[str, str] = field(default_factory=dict)
    related: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a check concluded for one account."""

    status: Literal["evaluated", "not_collected", "not_applicable"]
    hits: tuple[Hit, ...] = ()
    reason: str = ""

    @staticmethod
    def evaluated(hits: Sequence[Hit] = ()) -> Outcome:
        """The check ran; ``hits`` are the failing resources (none: pass)."""
        return Outcome("evaluated", tuple(hits))

    @staticmethod
    def not_collected(reason: str) -> Outcome:
        """The data the check needs is missing from the bundle."""
        return Outcome("not_collected", reason=reason)

    @staticmethod
    def not_applicable(reason: str) -> Outcome:
        """The check does not apply to this account (for example: no IAM users)."""
        return Outcome("not_applicable", reason=reason)


@dataclass(frozen=True, slots=True)
class CheckContext:
    """What a check sees: one account of the snapshot, the time results are relative to, options."""

    snapshot: Snapshot
    account: AccountSnapshot
    as_of: datetime
    options: AssessOptions = field(default_factory=AssessOptions)
    # Per-account scratch space shared by checks (compiled policies, engine results); see access.py.
    memo: dict[str, object] = field(default_factory=dict, compare=False)
    # The snapshot's compiled policies, shared by every account of one assessment.
    access: AccessModel | None = field(default=None, compare=False)

    def access_model(self) -> AccessModel:
        """The shared :class:`AccessModel` (one is made for this context when none was given)."""
        if self.access is not None:
            return self.access
        cached = self.memo.get("access-model")
        if not isinstance(cached, AccessModel):
            cached = AccessModel(self.snapshot)
            self.memo["access-model"] = cached
        return cached

    @property
    def account_id(self) -> str:
        """The account being checked."""
        return self.account.account_id

    @property
    def partition(self) -> str:
        """The AWS partition (``aws``, ``aws-cn``, ``aws-us-gov``)."""
        return self.snapshot.partition

    def root_arn(self) -> str:
        """The ARN of this account's root user."""
        return f"arn:{self.partition}:iam::{self.account_id}:root"

    def account_arn(self) -> str:
        """The resource name used for account-wide findings."""
        return f"arn:{self.partition}:iam::{self.account_id}:root"

    def older_than(self, moment: datetime | None, days: int) -> bool:
        """Whether ``moment`` lies more than ``days`` before ``as_of`` (None counts as not older)."""
        return moment is not None and self.as_of - moment > timedelta(days=days)

    def days_before(self, moment: datetime) -> int:
        """Whole days from ``moment`` to ``as_of``."""
        return (self.as_of - moment).days


CheckFunction = Callable[[CheckContext], Outcome]


@dataclass(frozen=True, slots=True)
class Check:
    """A registered check: its id (the key into ``checks.yaml``) and the function that runs it."""

    id: str
    run: CheckFunction


def all_checks() -> tuple[Check, ...]:
    """Every registered check, in report order (imports the topic modules on first call)."""
    checks: list[Check] = []
    for name in TOPIC_MODULES:
        module = importlib.import_module(name)
        checks.extend(cast(tuple[Check, ...], module.CHECKS))
    return tuple(checks)
