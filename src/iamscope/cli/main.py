"""Entry point of the ``iamscope`` command: builds the parser from one module per command.

It is also the one place where a user's mistake becomes a message and an exit status: every
:class:`~iamscope.user_error.UserError` a command raises, and every usage error of the argument
parser, prints ``iamscope: error: ...`` and exits 2; a closed standard output (``| head``) ends
the command quietly. Commands return their own statuses for outcomes that are not errors
(``assess --fail-on`` 1, replay denials 3...).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn, Protocol, cast

from iamscope.cli.messages import ERROR_PREFIX, EXIT_USER_ERROR, error
from iamscope.user_error import UserError

__all__ = ["COMMANDS", "COMMAND_MODULES", "EXIT_INTERRUPTED", "build_parser", "main"]

EXIT_INTERRUPTED = 130

# Each command and the module that registers it (``register(subparsers)`` sets ``func``). Running
# one command imports only its module, so ``assess`` does not pay for DuckDB or boto3.
COMMANDS: dict[str, str] = {
    "simulate": "iamscope.cli.simulate",
    "assess": "iamscope.cli.assess",
    "collect": "iamscope.cli.collect",
    "inventory": "iamscope.cli.inventory",
    "activity": "iamscope.cli.activity",
    "generate-policy": "iamscope.cli.generate_policy",
    "unused": "iamscope.cli.unused",
    "replay": "iamscope.cli.replay",
    "rightsize": "iamscope.cli.rightsize",
}
COMMAND_MODULES: tuple[str, ...] = tuple(dict.fromkeys(COMMANDS.values()))


class _CommandModule(Protocol):
    def register(self, subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None: ...


class _Handler(Protocol):
    def __call__(self, args: argparse.Namespace) -> int: ...


class _Parser(argparse.ArgumentParser):
    """argparse with the house error line; its subcommands' parsers are of this class too."""

    def error(self, message: str) -> NoReturn:
        """Usage, then ``iamscope: error: MESSAGE``, status 2."""
        self.print_usage(sys.stderr)
        self.exit(EXIT_USER_ERROR, f"{ERROR_PREFIX}{message}\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser with every command registered, or only ``command``'s when it is a known one."""
    from iamscope import __version__

    parser = _Parser(
        prog="iamscope",
        description="Who can do what in your AWS accounts, what is dangerous about it, "
        "and how to reach least privilege without breaking production.",
    )
    parser.add_argument("--version", action="version", version=f"iamscope {__version__}")
    # The command parsers are _Parser too (argparse makes them of the parent's class).
    subparsers = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(dest="command", metavar="COMMAND"),
    )
    modules = (COMMANDS[command],) if command in COMMANDS else COMMAND_MODULES
    for name in modules:
        module = cast(_CommandModule, importlib.import_module(name))
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit status (never raises for a user's mistake)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    first = next((a for a in arguments if not a.startswith("-")), None)
    status = 0
    try:
        parser = build_parser(first)
        try:
            args = parser.parse_args(arguments)
        except SystemExit as stop:  # --help, --version and usage errors end here
            return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else EXIT_USER_ERROR)
        handler = cast("_Handler | None", getattr(args, "func", None))
        if handler is None:
            parser.print_help()
            return EXIT_USER_ERROR
        status = handler(args)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
    except UserError as mistake:
        error(str(mistake))
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("iamscope: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
    return status


def _silence_stdout() -> None:
    """The reader went away (``| head``): nothing more can be shown, so end without a message.

    Python would flush standard output again at exit and report the broken pipe there; pointing
    the descriptor at /dev/null makes that flush succeed.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real descriptor (captured in tests): nothing to silence
        pass


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
