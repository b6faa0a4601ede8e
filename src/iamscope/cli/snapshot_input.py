"""Reading the snapshot a command needs (a bundle, a bare GAAD JSON or a credential report).

Every command that reads an inventory goes through here, so they all accept the same inputs and
report unusable ones the same way: an :class:`~iamscope.collect.InputError` (a user error) whose
message names the path and the fault.
"""

from __future__ import annotations

from pathlib import Path

from iamscope.collect import load
from iamscope.model.snapshot import Snapshot

__all__ = ["load_snapshot"]


def load_snapshot(path: Path) -> Snapshot:
    """Read ``path`` (bundle directory or supported file) into a Snapshot; InputError if unusable."""
    return load(str(path))
