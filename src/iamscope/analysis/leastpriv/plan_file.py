"""A right-size plan read back from its JSON file (``rightsize --out``) for verify and for reports.

The file is the hand-off between planning and the shadow period (and what a team reviews), so it
is read strictly: anything that is not a plan gets one error naming the file and the fault.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from iamscope.analysis.leastpriv.rightsize import PLAN_FORMAT
from iamscope.model.document import JsonObject, JsonValue
from iamscope.user_error import UserError

__all__ = ["PlanEntry", "PlanFile", "PlanFileError", "read_plan_file"]


class PlanFileError(UserError, ValueError):
    """The file is not a readable right-size plan; the message names it and says why."""


@dataclass(frozen=True, slots=True)
class PlanEntry:
    """One principal of the plan."""

    principal: str
    ready: bool
    granted_actions: int
    used_actions: tuple[str, ...]
    removed_actions: int
    removed_by_service: tuple[tuple[str, int], ...]
    grants_nothing_new: bool
    replay_calls: int
    replay_denied: int
    documents: tuple[JsonValue, ...]
    blockers: tuple[str, ...]

    @property
    def idle(self) -> bool:
        """Ready with an empty proposal: the principal did nothing; detach every policy."""
        return self.ready and not self.documents


@dataclass(frozen=True, slots=True)
class PlanFile:
    """The whole plan."""

    path: str
    created_at: str | None
    entries: tuple[PlanEntry, ...]
    skipped: tuple[str, ...]

    def proposals(self) -> dict[str, list[JsonValue]]:
        """Proposed documents per principal (what verify replays against)."""
        return {e.principal: list(e.documents) for e in self.entries}


def _int(value: JsonValue) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _strings(value: JsonValue) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _entry(path: Path, item: JsonValue) -> PlanEntry:
    if not isinstance(item, dict) or not isinstance(item.get("principal"), str):
        raise PlanFileError(f"{path}: a principals entry has no principal ARN")
    proposal = item.get("proposal")
    if not isinstance(proposal, dict) or not isinstance(proposal.get("documents", []), list):
        raise PlanFileError(f"{path}: the entry of {item['principal']} has no proposal documents")
    removes = item.get("removes")
    removes = removes if isinstance(removes, dict) else {}
    by_service = removes.get("by_service")
    replay = item.get("replay")
    replay = replay if isinstance(replay, dict) else {}
    return PlanEntry(
        principal=cast(str, item["principal"]),
        ready=item.get("ready") is True,
        granted_actions=_int(item.get("granted_actions")),
        used_actions=_strings(item.get("used_actions")),
        removed_actions=_int(removes.get("actions")),
        removed_by_service=tuple(
            sorted(((str(k), _int(v)) for k, v in by_service.items()), key=lambda kv: -kv[1])
            if isinstance(by_service, dict)
            else ()
        ),
        grants_nothing_new=item.get("grants_nothing_new") is True,
        replay_calls=_int(replay.get("calls")),
        replay_denied=_int(replay.get("denied_calls")),
        documents=tuple(cast(list[JsonValue], proposal.get("documents") or [])),
        blockers=_strings(item.get("blockers")),
    )


def read_plan_file(path: Path) -> PlanFile:
    """Read and check a plan file; raises :class:`PlanFileError`."""
    try:
        document: JsonValue = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PlanFileError(f"{path}: cannot read the plan ({exc})") from exc
    if not isinstance(document, dict) or document.get("format") != PLAN_FORMAT:
        raise PlanFileError(f"{path}: not an iamscope rightsize plan (format {PLAN_FORMAT})")
    plan: JsonObject = document
    principals = plan.get("principals")
    created = plan.get("created_at")
    return PlanFile(
        path=str(path),
        created_at=created if isinstance(created, str) else None,
        entries=tuple(_entry(path, item) for item in (principals if isinstance(principals, list) else [])),
        skipped=_strings(plan.get("skipped")),
    )
