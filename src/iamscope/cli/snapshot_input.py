"""Reading the snapshot a command needs (``--bundle``), through iamscope.collect's loader.

The loader is ``iamscope.collect.load`` (a bundle directory, a bare GAAD JSON or a credential
report), as ``assess`` uses it. It is looked up when used, so commands that need no snapshot work
without it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import cast

from iamscope.model.snapshot import Snapshot

__all__ = ["SnapshotInputError", "load_snapshot"]


class SnapshotInputError(Exception):
    """The snapshot cannot be read; the message names the path and the fault."""


def load_snapshot(path: Path) -> Snapshot:
    """Read ``path`` (bundle directory or supported file) into a Snapshot."""
    try:
        collect = importlib.import_module("iamscope.collect")
    except ModuleNotFoundError as exc:
        raise SnapshotInputError(
            f"{path}: reading a bundle needs iamscope.collect, which this build lacks ({exc.name})"
        ) from exc
    load = cast(Callable[[str], Snapshot], collect.load)
    input_error = cast(type[Exception], collect.InputError)
    if not path.exists():
        raise SnapshotInputError(f"{path}: no such bundle directory or file")
    try:
        return load(str(path))
    except input_error as exc:
        raise SnapshotInputError(str(exc)) from exc
