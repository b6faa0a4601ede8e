"""The one error readers raise for input they cannot use at all, naming the file and fault."""

from __future__ import annotations

from pathlib import Path

from iamscope.user_error import UserError

__all__ = ["InputError"]


class InputError(UserError, ValueError):
    """An input (bundle, GAAD JSON, credential report) that is unusable; ``str()`` is for users."""

    def __init__(self, path: Path | str, fault: str) -> None:
        self.path = str(path)
        self.fault = fault
        super().__init__(f"{self.path}: {fault}")
