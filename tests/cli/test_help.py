"""Every command and option has help (a command without help is a bug, as in sqlite-utils)."""

from __future__ import annotations

import argparse

from iamscope.cli.main import COMMAND_MODULES, build_parser


def test_every_command_and_option_has_help() -> None:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {choice.dest: choice.help for choice in subparsers._choices_actions}
    assert len(helps) >= len(COMMAND_MODULES)
    for name, sub in subparsers.choices.items():
        assert helps.get(name), f"command {name} has no help"
        _check_options(name, sub)


def _check_options(name: str, parser: argparse.ArgumentParser) -> None:
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                _check_options(f"{name} {sub_name}", sub)
            continue
        assert action.help, f"{name}: option {action.option_strings or action.dest} has no help"


def test_running_one_command_imports_only_its_module() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from iamscope.cli.main import build_parser\n"
        "build_parser('simulate')\n"
        "print('duckdb' in sys.modules, 'boto3' in sys.modules, 'iamscope.cli.assess' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False", "False"]
