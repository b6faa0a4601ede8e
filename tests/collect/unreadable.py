"""Folders that behave as chmod 000 does, even for root, by answering at the operating system's seams.

Tests may run as root, where chmod stops no read. :func:`refuse_reads` makes listing a refused
directory (``os.scandir``, ``os.listdir``, so ``os.walk`` and ``Path.iterdir``) or looking at
anything inside it (``os.stat``, so ``Path.is_file``) raise PermissionError, as the OS does for
other users; the directory itself can still be stat'ed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

__all__ = ["refuse_reads"]


def refuse_reads(monkeypatch: pytest.MonkeyPatch) -> set[Path]:
    """A set of directories to refuse; add to it after the files are written."""
    refused: set[Path] = set()
    real_scandir, real_listdir, real_stat = os.scandir, os.listdir, os.stat

    def check(path: object, *, inside_only: bool) -> None:
        if not isinstance(path, str | os.PathLike):
            return  # a file descriptor
        target = Path(os.fspath(path))
        for folder in refused:
            if target.is_relative_to(folder) and not (inside_only and target == folder):
                raise PermissionError(13, "Permission denied", str(target))

    def scandir(path: int | str | os.PathLike[str] = ".") -> Iterator[os.DirEntry[str]]:
        check(path, inside_only=False)
        return real_scandir(path)

    def listdir(path: int | str | os.PathLike[str] = ".") -> list[str]:
        check(path, inside_only=False)
        return real_listdir(path)

    def stat(path: int | str | os.PathLike[str], **kwargs: bool) -> os.stat_result:
        check(path, inside_only=True)
        return real_stat(path, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "listdir", listdir)
    monkeypatch.setattr(os, "stat", stat)
    return refused
