"""``iamscope replay``: would a proposed policy have denied any recorded call of a principal?"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from iamscope.activity.queries import recorded_calls
from iamscope.activity.store import ActivityStore
from iamscope.analysis.leastpriv.replay import BasePolicies, replay
from iamscope.analysis.leastpriv.rightsize import snapshot_base
from iamscope.analysis.leastpriv.views import replay_json, replay_text
from iamscope.cli.activity import add_db_argument, add_window_arguments, window_from
from iamscope.cli.snapshot_input import load_snapshot
from iamscope.engine import CompiledPolicy, PolicyError, compile_policy
from iamscope.model.document import JsonValue, json_syntax_fault
from iamscope.user_error import UserError

__all__ = ["EXIT_DENIALS", "load_policy_documents", "register"]

EXIT_DENIALS = 3


class PolicyFileError(UserError):
    """A policy file that cannot be read or compiled."""


def load_policy_documents(path: Path) -> list[CompiledPolicy]:
    """A policy JSON file: one document, or an array of documents (generate-policy's output)."""
    try:
        value: JsonValue = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyFileError(f"{path}: cannot read the policy: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise PolicyFileError(f"{path}: the policy is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise PolicyFileError(f"{path}: the policy is {json_syntax_fault(exc)}") from None
    documents = value if isinstance(value, list) else [value]
    compiled = []
    for index, document in enumerate(documents):
        name = path.name if len(documents) == 1 else f"{path.name}[{index}]"
        try:
            compiled.append(compile_policy(document, name, "identity"))
        except PolicyError as exc:
            raise PolicyFileError(f"{name}: {exc}") from exc
    return compiled


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``replay``."""
    parser = subparsers.add_parser(
        "replay",
        help="replay a principal's recorded calls against a proposed policy",
        description="Evaluate every recorded successful call of the principal against the proposed "
        "policy (in place of its identity policies; with its boundary, SCPs and resource policies "
        "when --bundle is given) and list the calls that would be denied by action and resource: "
        "how many, why, and what differs between the denied requests and the allowed ones (source "
        "IP, MFA, region...). "
        f"Exit status: 0 none denied, {EXIT_DENIALS} some denied, 2 bad input.",
    )
    parser.add_argument(
        "--policy", required=True, type=Path, help="proposed policy JSON (a document or an array)"
    )
    parser.add_argument("--principal", required=True, metavar="ARN", help="user or role ARN")
    parser.add_argument("--bundle", type=Path, help="snapshot bundle: boundary, SCPs and resource policies")
    add_db_argument(parser)
    add_window_arguments(parser)
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    # PolicyFileError, InputError and StoreError are UserErrors: cli.main reports them.
    proposed = load_policy_documents(args.policy)
    base: BasePolicies | None = snapshot_base(load_snapshot(args.bundle)) if args.bundle is not None else None
    with ActivityStore(args.db, read_only=True) as store:
        calls = recorded_calls(store, args.principal, window_from(args))
    if not calls:
        raise UserError(
            f"no successful calls recorded for {args.principal} in {args.db} "
            "(check the ARN and --since/--until)"
        )
    result = replay(calls, args.principal, proposed, base)
    if args.format == "json":
        print(json.dumps(replay_json(result), indent=2))
    else:
        sys.stdout.write(replay_text(result))
    return 0 if result.clean else EXIT_DENIALS
