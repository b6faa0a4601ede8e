"""Entry point of the ``iamscope`` command: builds the parser from one module per command."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Protocol, cast

__all__ = ["COMMANDS", "COMMAND_MODULES", "build_parser", "main"]

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


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser with every command registered, or only ``command``'s when it is a known one."""
    from iamscope import __version__

    parser = argparse.ArgumentParser(
        prog="iamscope",
        description="Who can do what in your AWS accounts, what is dangerous about it, "
        "and how to reach least privilege without breaking production.",
    )
    parser.add_argument("--version", action="version", version=f"iamscope {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules = (COMMANDS[command],) if command in COMMANDS else COMMAND_MODULES
    for name in modules:
        module = cast(_CommandModule, importlib.import_module(name))
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    first = next((a for a in arguments if not a.startswith("-")), None)
    parser = build_parser(first)
    args = parser.parse_args(arguments)
    handler = cast("_Handler | None", getattr(args, "func", None))
    if handler is None:
        parser.print_help()
        return 2
    try:
        return handler(args)
    except KeyboardInterrupt:
        print("iamscope: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
