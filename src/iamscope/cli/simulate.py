"""``iamscope simulate``: one request on the command line, or a whole decision-cases file."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from iamscope.cli.messages import warn
from iamscope.engine import (
    CompiledPolicy,
    PolicyError,
    PolicySet,
    Request,
    compile_policy,
    evaluate,
)
from iamscope.engine.cases import CaseResult, case_resource_account, run_case_line
from iamscope.model.document import json_syntax_fault
from iamscope.user_error import UserError

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``simulate`` command."""
    parser = subparsers.add_parser(
        "simulate",
        help="decide one request (or a JSONL file of cases) as AWS would, with explanations",
        description="Evaluate AWS authorization locally: explicit denies, SCPs, RCPs, VPC endpoint "
        "policies, permissions boundaries, session policies, identity and resource-based policies.",
    )
    parser.add_argument(
        "--cases",
        metavar="FILE",
        help="JSON Lines file of decision cases (shared/spec/decision-cases.md); '-' reads stdin",
    )
    parser.add_argument("--principal", help="principal ARN, service principal or 'anonymous'")
    parser.add_argument("--action", help="the action, e.g. s3:GetObject")
    parser.add_argument("--resource", default="*", help="the resource ARN (default: *)")
    parser.add_argument(
        "--resource-account",
        help="account owning the resource, for ARNs without one such as S3 (default: the principal's)",
    )
    parser.add_argument(
        "--context",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a condition key of the request; repeat a key to make it multivalued",
    )
    parser.add_argument(
        "--identity-policy", action="append", default=[], metavar="FILE", help="identity-based policy"
    )
    parser.add_argument(
        "--boundary",
        action="append",
        default=None,
        metavar="FILE",
        help="permissions boundary (repeat: documents that together form the boundary)",
    )
    parser.add_argument("--session-policy", metavar="FILE", help="session policy")
    parser.add_argument("--resource-policy", metavar="FILE", help="resource-based policy")
    parser.add_argument(
        "--scp",
        action="append",
        default=None,
        metavar="FILE[,FILE]",
        help="SCPs of one organization level, root first (repeat per level; comma for several)",
    )
    parser.add_argument(
        "--rcp", action="append", default=None, metavar="FILE[,FILE]", help="RCPs of one level"
    )
    parser.add_argument(
        "--vpc-endpoint-policy", action="append", default=[], metavar="FILE", help="VPC endpoint policy"
    )
    parser.add_argument("--management-account", help="the organization's management account id")
    parser.add_argument("--explain", action="store_true", help="say which layer decided and why")
    parser.add_argument("--format", choices=["text", "json"], default="text", help="single-request output")
    parser.set_defaults(func=run)


EXIT_CASE_ERRORS = 1  # every case was answered, but some could not be evaluated (see their lines)


def run(args: argparse.Namespace) -> int:
    """Run the command; exit status 0, or 1 when a case had an error (UserError: unusable input)."""
    if args.cases:
        return _run_cases(args.cases, bool(args.explain), sys.stdout)
    if not args.principal or not args.action:
        raise UserError("simulate needs --cases FILE, or --principal and --action")
    return _run_one(args)


def _lines(source: str) -> Iterator[str]:
    """The cases file's lines; a fault reading it is a UserError.

    Only reading happens in this generator: a fault writing the output (a closed pipe) is raised
    where the caller writes, so it is never mistaken for an unreadable input.
    """
    try:
        if source == "-":
            yield from sys.stdin
            return
        with Path(source).open(encoding="utf-8") as handle:
            yield from handle
    except OSError as error:
        raise UserError(f"{source}: cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise UserError(f"{source}: not UTF-8 text") from None


def _run_cases(source: str, explain: bool, out: TextIO) -> int:
    errors = 0
    write = out.write
    for number, line in enumerate(_lines(source), start=1):
        if not line.strip():
            continue
        result = run_case_line(line)
        if result.error is not None:
            errors += 1
            if result.case_id is None:
                result = CaseResult(None, error=f"line {number}: {result.error}")
        write(json.dumps(result.to_json(explain)) + "\n")
    if errors:
        warn(f"{errors} case(s) could not be evaluated")
        return EXIT_CASE_ERRORS
    return 0


def _load(path: str, name: str) -> CompiledPolicy:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise UserError(f"{path}: cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text") from None
    try:
        compiled = compile_policy(json.loads(text), name or Path(path).name)
    except json.JSONDecodeError as error:
        raise UserError(f"{path}: {json_syntax_fault(error)}") from None
    except PolicyError as error:
        raise UserError(f"{path}: {error}") from None
    for problem in compiled.problems:  # accepted by AWS, but matches no request
        warn(f"{path}: {problem}")
    return compiled


def _levels(values: list[str] | None) -> list[list[CompiledPolicy]] | None:
    if values is None:
        return None
    return [[_load(p, "") for p in level.split(",") if p] for level in values]


def _run_one(args: argparse.Namespace) -> int:
    context: dict[str, str | list[str]] = {}
    for item in args.context:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UserError(f"--context {item!r} is not KEY=VALUE")
        previous = context.get(key)
        if previous is None:
            context[key] = value
        elif isinstance(previous, list):
            previous.append(value)
        else:
            context[key] = [previous, value]
    policies = PolicySet(
        identity=[_load(p, "") for p in args.identity_policy],
        permissions_boundary=(None if args.boundary is None else [_load(p, "") for p in args.boundary]),
        session=None if args.session_policy is None else _load(args.session_policy, ""),
        resource=None if args.resource_policy is None else _load(args.resource_policy, ""),
        scps=_levels(args.scp),
        rcps=_levels(args.rcp),
        vpc_endpoint=[_load(p, "") for p in args.vpc_endpoint_policy],
        management_account=args.management_account,
    )
    account = case_resource_account(args.principal, args.resource, args.resource_account)
    request = Request(args.principal, args.action, args.resource, account, context)
    decision = evaluate(request, policies)  # RequestError (a UserError) for an unusable request
    if args.format == "json":
        out: dict[str, object] = {"decision": decision.decision}
        if args.explain:
            out["explanation"] = decision.explanation.to_json()
        print(json.dumps(out, indent=2))
    else:
        print(decision.decision)
        if args.explain:
            print(decision.explanation.text())
    return 0
