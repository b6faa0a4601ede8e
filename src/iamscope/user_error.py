"""The one exception a user's mistake raises, whichever layer finds it, so every command reports it alike.

Library code (engine, collect, activity, analysis) raises a subclass of :class:`UserError` for
input, options or paths a user can fix; ``iamscope.cli.main`` catches it once, prints
``iamscope: error: <message>`` and exits with status 2, the status argparse uses for its own usage
errors. Anything else that escapes is a bug and keeps its traceback. This module imports nothing,
so the pure layers can raise it without depending on the CLI.
"""

from __future__ import annotations

__all__ = ["UserError"]


class UserError(Exception):
    """A mistake the user can fix (bad input, option, path or store); ``str()`` is the whole message."""
