"""``iamscope generate-policy``: the smallest policy covering a principal's recorded activity."""

from __future__ import annotations

import argparse
import ipaddress
import sys

from iamscope.activity.queries import call_contexts, used_calls
from iamscope.activity.store import ActivityStore
from iamscope.analysis.leastpriv.conditions import PolicyConditions, check_conditions
from iamscope.analysis.leastpriv.formats import render_policies
from iamscope.analysis.leastpriv.generate import GenerateOptions, generate_policy
from iamscope.cli.activity import add_db_argument, add_window_arguments, parse_date, window_from
from iamscope.cli.messages import warn
from iamscope.engine.catalog import load_catalog
from iamscope.user_error import UserError

__all__ = ["add_allow_wildcard_argument", "register"]


def _cidr(text: str) -> str:
    try:
        return str(ipaddress.ip_network(text, strict=False))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a CIDR: {text!r}") from exc


def _action(text: str) -> str:
    """An IAM action of the catalogue, with AWS's capitalisation (``--allow-wildcard``)."""
    info = load_catalog().action(text)
    if info is None:
        raise argparse.ArgumentTypeError(f"not an IAM action in the catalogue (service:Action): {text!r}")
    return info.full_name


def add_allow_wildcard_argument(parser: argparse.ArgumentParser) -> None:
    """``--allow-wildcard ACTION``: a privilege-escalation action that may get ``Resource: "*"``."""
    parser.add_argument(
        "--allow-wildcard",
        action="append",
        default=[],
        type=_action,
        metavar="ACTION",
        help="let this privilege-escalation action (e.g. ssm:StartSession) get '*' when its calls "
        "name no resource (repeatable); without it such an action is left out, with a warning",
    )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``generate-policy``."""
    parser = subparsers.add_parser(
        "generate-policy",
        help="write the smallest policy covering what a principal did (from the activity store)",
        description="Generate an identity policy from a principal's successful calls in the "
        "activity store: actions grouped by service, resources scoped to the ARNs seen (per-call "
        "ids such as sessions as their stable pattern), '*' only for actions that take no "
        "resource or calls that named none, iam:PassRole scoped to the roles passed with "
        "iam:PassedToService. A privilege-escalation action never gets '*' unless named with "
        "--allow-wildcard. Warnings and notes go to standard error.",
    )
    parser.add_argument("--principal", required=True, metavar="ARN", help="user or role ARN")
    add_db_argument(parser)
    add_window_arguments(parser)
    parser.add_argument(
        "--generalize",
        choices=("none", "prefix"),
        default="none",
        help="'prefix': S3 object keys of a bucket become their common folder + '*'",
    )
    parser.add_argument(
        "--format",
        choices=("json", "terraform", "cloudformation"),
        default="json",
        help="policy JSON (an array when split), a Terraform snippet, or a CloudFormation template",
    )
    parser.add_argument(
        "--require-mfa", action="store_true", help="allow only with aws:MultiFactorAuthPresent"
    )
    parser.add_argument(
        "--source-ip",
        nargs="+",
        type=_cidr,
        default=(),
        metavar="CIDR",
        help="deny calls from outside these networks (AWS services acting for you still work)",
    )
    parser.add_argument("--not-before", type=parse_date, help="allow only after this time (aws:CurrentTime)")
    parser.add_argument("--not-after", type=parse_date, help="allow only before this time (aws:CurrentTime)")
    parser.add_argument("--name", default="", help="policy name in snippets (default: from the principal)")
    add_allow_wildcard_argument(parser)
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    conditions = PolicyConditions(
        require_mfa=args.require_mfa,
        source_ips=tuple(args.source_ip),
        not_before=args.not_before,
        not_after=args.not_after,
    )
    window = window_from(args)
    with ActivityStore(args.db, read_only=True) as store:  # StoreError: a UserError
        calls = used_calls(store, args.principal, window)
        contexts = call_contexts(store, args.principal, window)
    if not calls:
        raise UserError(
            f"no successful calls recorded for {args.principal} in the store "
            f"{args.db} (check the ARN and --since/--until)"
        )
    options = GenerateOptions(
        generalize=args.generalize, conditions=conditions, allow_wildcard=frozenset(args.allow_wildcard)
    )
    policy = generate_policy(calls, load_catalog(), options)
    for warning in check_conditions(contexts, conditions):
        warn(warning.text())
    for text in policy.warnings:
        warn(text)
    for note in policy.notes:
        print(f"note: {note}", file=sys.stderr)
    name = args.name or f"{args.principal.rsplit('/', 1)[-1]}-least-privilege"
    description = f"Generated by iamscope from CloudTrail activity of {args.principal}"
    sys.stdout.write(render_policies(policy.documents, args.format, name, description))
    return 0
