"""How every command speaks on standard error: one prefix for errors and warnings, one exit code.

``iamscope: error: ...`` ends a command with :data:`EXIT_USER_ERROR` (printed by ``cli.main`` for
every :class:`iamscope.user_error.UserError` and by the argument parser for usage errors);
``iamscope: warning: ...`` names something left out while the command goes on.
"""

from __future__ import annotations

import sys

__all__ = ["ERROR_PREFIX", "EXIT_USER_ERROR", "WARNING_PREFIX", "error", "warn"]

ERROR_PREFIX = "iamscope: error: "
WARNING_PREFIX = "iamscope: warning: "
EXIT_USER_ERROR = 2  # as argparse exits for its own usage errors


def error(message: str) -> None:
    """One plain error line on standard error (no wrapping: one line per fault)."""
    print(ERROR_PREFIX + message, file=sys.stderr)


def warn(message: str) -> None:
    """One plain warning line on standard error."""
    print(WARNING_PREFIX + message, file=sys.stderr)
