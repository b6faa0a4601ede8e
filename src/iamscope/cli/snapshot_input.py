"""Reading the snapshot a command needs (a bundle, a bare GAAD JSON or a credential report).

Every command that reads an inventory goes through here, so they all accept the same inputs and
report unusable ones the same way: one message naming the path and the fault.
"""

from __future__ import annotations

from pathlib import Path

from iamscope.collect import InputError, load
from iamscope.model.snapshot import Snapshot

__all__ = ["SnapshotInputError", "load_snapshot"]


class SnapshotInputError(Exception):
    """The snapshot cannot be read; the message names the path and the fault."""


def load_snapshot(path: Path) -> Snapshot:
    """Read ``path`` (bundle directory or supported file) into a Snapshot."""
    try:
        return load(str(path))
    except InputError as exc:
        raise SnapshotInputError(str(exc)) from exc
