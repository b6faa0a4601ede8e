"""``iamscope simulate``: one request on the command line, or a whole decision-cases file."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from iamscope.engine import (
    CompiledPolicy,
    PolicyError,
    PolicySet,
    Request,
    RequestError,
    compile_policy,
    evaluate,
)
from iamscope.engine.cases import CaseResult, case_resource_account, run_case_line

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


def run(args: argparse.Namespace) -> int:
    """Run the command; exit status 0, or 1 when a case had an error, 2 for unusable input."""
    if args.cases:
        return _run_cases(args.cases, bool(args.explain), sys.stdout)
    if not args.principal or not args.action:
        print("iamscope simulate: give --cases FILE, or --principal and --action", file=sys.stderr)
        return 2
    return _run_one(args)


def _lines(source: str) -> Iterable[str]:
    if source == "-":
        yield from sys.stdin
        return
    with Path(source).open(encoding="utf-8") as handle:
        yield from handle


def _run_cases(source: str, explain: bool, out: TextIO) -> int:
    errors = 0
    write = out.write
    try:
        for number, line in enumerate(_lines(source), start=1):
            if not line.strip():
                continue
            result = run_case_line(line)
            if result.error is not None:
                errors += 1
                if result.case_id is None:
                    result = CaseResult(None, error=f"line {number}: {result.error}")
            write(json.dumps(result.to_json(explain)) + "\n")
    except OSError as error:
        print(f"iamscope simulate: cannot read {source}: {error.strerror or error}", file=sys.stderr)
        return 2
    except UnicodeDecodeError:
        print(f"iamscope simulate: {source} is not UTF-8 text", file=sys.stderr)
        return 2
    if errors:
        print(f"iamscope simulate: {errors} case(s) could not be evaluated", file=sys.stderr)
        return 1
    return 0


class _InputError(Exception):
    """A policy file that cannot be used; the message names the file and the fault."""


def _load(path: str, name: str) -> CompiledPolicy:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise _InputError(f"{path}: cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise _InputError(f"{path}: not UTF-8 text") from None
    try:
        compiled = compile_policy(json.loads(text), name or Path(path).name)
    except json.JSONDecodeError as error:
        raise _InputError(f"{path}: not valid JSON: {error.msg} at line {error.lineno}") from None
    except PolicyError as error:
        raise _InputError(f"{path}: {error}") from None
    for problem in compiled.problems:  # accepted by AWS, but matches no request
        print(f"iamscope simulate: warning: {path}: {problem}", file=sys.stderr)
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
            print(f"iamscope simulate: --context {item!r} is not KEY=VALUE", file=sys.stderr)
            return 2
        previous = context.get(key)
        if previous is None:
            context[key] = value
        elif isinstance(previous, list):
            previous.append(value)
        else:
            context[key] = [previous, value]
    try:
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
    except _InputError as error:
        print(f"iamscope simulate: {error}", file=sys.stderr)
        return 2
    account = case_resource_account(args.principal, args.resource, args.resource_account)
    request = Request(args.principal, args.action, args.resource, account, context)
    try:
        decision = evaluate(request, policies)
    except RequestError as error:
        print(f"iamscope simulate: {error}", file=sys.stderr)
        return 2
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
