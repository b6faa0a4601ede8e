"""Reading one bundle or offline file as JSON or text, every fault as a one-line message."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from iamscope.collect.credential_report import CredentialReportError
from iamscope.collect.shape import ShapeError
from iamscope.model.document import JsonValue, json_syntax_fault
from iamscope.model.snapshot import LoadProblem

__all__ = ["FileReader", "UnreadableFileError", "read_json", "read_text"]

T = TypeVar("T")


class UnreadableFileError(ValueError):
    """A file exists but cannot be read as what it should be."""


def read_text(path: Path) -> str:
    """The file as UTF-8 text; UnreadableFileError on I/O or encoding faults."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UnreadableFileError(f"cannot read the file: {error.strerror or error}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFileError("not UTF-8 text (a binary or compressed file?)") from None


def read_json(path: Path) -> JsonValue:
    """The file as JSON; UnreadableFileError naming the line and column of a syntax fault."""
    text = read_text(path)
    if not text.strip():
        raise UnreadableFileError("the file is empty, expected JSON")
    try:
        value: JsonValue = json.loads(text)
    except json.JSONDecodeError as error:
        raise UnreadableFileError(json_syntax_fault(error)) from None
    except RecursionError:
        raise UnreadableFileError("not usable JSON: nested too deeply") from None
    return value


class FileReader:
    """Reads files under a root, recording a LoadProblem per bad file instead of raising."""

    def __init__(self, root: Path, problems: list[LoadProblem]) -> None:
        self.root = root
        self.problems = problems

    def exists(self, relative: str) -> bool:
        """True when the bundle has that file."""
        return (self.root / relative).is_file()

    def json(self, relative: str) -> JsonValue | None:
        """The file's JSON, or None when it is absent or bad (bad is recorded)."""
        path = self.root / relative
        if not path.is_file():
            return None
        try:
            return read_json(path)
        except UnreadableFileError as fault:
            self.problem(relative, str(fault))
            return None

    def text(self, relative: str) -> str | None:
        """The file's text, or None when it is absent or unreadable (recorded)."""
        path = self.root / relative
        if not path.is_file():
            return None
        try:
            return read_text(path)
        except UnreadableFileError as fault:
            self.problem(relative, str(fault))
            return None

    def parse(self, relative: str, read: Callable[[JsonValue], T]) -> T | None:
        """``read`` applied to the file's JSON; None (and a recorded problem) when either fails."""
        document = self.json(relative)
        if document is None:
            return None
        return self.guard(relative, lambda: read(document))

    def guard(self, relative: str, work: Callable[[], T]) -> T | None:
        """Run ``work``; a shape fault in it becomes a problem on ``relative`` and None."""
        try:
            return work()
        except (ShapeError, CredentialReportError) as fault:
            self.problem(relative, str(fault))
            return None

    def problem(self, relative: str, message: str) -> None:
        """Record a problem with a bundle-relative file."""
        self.problems.append(LoadProblem(file=str(self.root / relative), message=message))
