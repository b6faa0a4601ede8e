"""Reading the snapshot a command needs (a bundle, a bare GAAD JSON or a credential report).

Every command that reads an inventory goes through here, so they all accept the same inputs and
report unusable ones the same way: an :class:`~iamscope.collect.InputError` (a user error) whose
message names the path and the fault.
"""

from __future__ import annotations

from pathlib import Path

from iamscope.collect import InputError, load
from iamscope.model.snapshot import Snapshot

__all__ = ["SnapshotInputError", "load_snapshot"]

# The loader's own error (a UserError, which cli.main reports); the old name stays for callers.
SnapshotInputError = InputError


def load_snapshot(path: Path) -> Snapshot:
    """Read ``path`` (bundle directory or supported file) into a Snapshot; InputError if unusable."""
    return load(str(path))
