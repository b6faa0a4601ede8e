"""Entry point of the ``iamscope`` command: builds the parser from one module per command."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Protocol, cast

__all__ = ["COMMAND_MODULES", "build_parser", "main"]

# One module per command group; each has ``register(subparsers)`` that sets ``func`` on its parser.
COMMAND_MODULES: tuple[str, ...] = (
    "iamscope.cli.simulate",
    "iamscope.cli.assess",
    "iamscope.cli.collect",
    "iamscope.cli.inventory",
    "iamscope.cli.activity",
    "iamscope.cli.generate_policy",
    "iamscope.cli.unused",
    "iamscope.cli.replay",
    "iamscope.cli.rightsize",
)


class _CommandModule(Protocol):
    def register(self, subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None: ...


class _Handler(Protocol):
    def __call__(self, args: argparse.Namespace) -> int: ...


def build_parser() -> argparse.ArgumentParser:
    """The full parser with every command registered."""
    from iamscope import __version__

    parser = argparse.ArgumentParser(
        prog="iamscope",
        description="Who can do what in your AWS accounts, what is dangerous about it, "
        "and how to reach least privilege without breaking production.",
    )
    parser.add_argument("--version", action="version", version=f"iamscope {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = cast(_CommandModule, importlib.import_module(name))
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
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
