"""Single exported files as input: a bare authorization-details JSON or a credential report CSV."""

from __future__ import annotations

import json
from pathlib import Path

from iamscope.collect.credential_report import (
    CredentialReportError,
    looks_like_credential_report,
    parse_credential_report,
)
from iamscope.collect.files import UnreadableFileError, read_text
from iamscope.collect.gaad import GAAD_KEYS, AuthorizationDetails, looks_like_gaad, parse_gaad
from iamscope.collect.input_error import InputError
from iamscope.collect.shape import ShapeError
from iamscope.model.arn import parse_arn
from iamscope.model.document import JsonValue, json_syntax_fault
from iamscope.model.snapshot import AccountSnapshot, LoadProblem, Snapshot

__all__ = ["UNKNOWN_ACCOUNT", "load_file"]

UNKNOWN_ACCOUNT = "unknown"


def load_file(path: Path) -> Snapshot:
    """Detect one file's kind from its content and read it; InputError when it is neither kind."""
    try:
        text = read_text(path)
    except UnreadableFileError as fault:
        raise InputError(path, str(fault)) from None
    stripped = text.lstrip()
    if not stripped:
        raise InputError(path, "the file is empty")
    if looks_like_credential_report(text) or (
        not stripped.startswith(("{", "[")) and (_is_csv_like(stripped) or path.suffix.lower() == ".csv")
    ):
        return _credential_report(path, text)
    try:
        document: JsonValue = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            path,
            f"{json_syntax_fault(error)}; "
            "expected get-account-authorization-details JSON or a credential report CSV",
        ) from None
    except RecursionError:
        raise InputError(path, "not usable JSON: nested too deeply") from None
    if isinstance(document, dict) and isinstance(document.get("format"), str) and "calls" in document:
        raise InputError(path, "this is a bundle's manifest: pass the bundle directory instead")
    if not looks_like_gaad(document):
        raise InputError(
            path,
            "JSON but not get-account-authorization-details output (it has none of "
            + ", ".join(GAAD_KEYS)
            + ")",
        )
    try:
        details = parse_gaad(document)
    except ShapeError as error:
        raise InputError(path, str(error)) from None
    account = _account_of_gaad(details)
    problems = tuple(LoadProblem(file=str(path), message=message) for message in details.problems)
    snapshot = AccountSnapshot(
        account_id=account,
        users=details.users,
        groups=details.groups,
        roles=details.roles,
        policies=details.policies,
    )
    return Snapshot(collected_at=None, accounts={account: snapshot}, problems=problems, source=str(path))


def _credential_report(path: Path, text: str) -> Snapshot:
    try:
        rows = parse_credential_report(text)
    except CredentialReportError as error:
        raise InputError(path, str(error)) from None
    if not rows:
        raise InputError(
            path,
            "a credential report with only its header line: AWS's report always has a row for "
            "the root user (truncated file?)",
        )
    accounts = {arn.account for row in rows if (arn := parse_arn(row.arn)) and arn.account}
    account = sorted(accounts)[0] if accounts else UNKNOWN_ACCOUNT
    problems: tuple[LoadProblem, ...] = ()
    if len(accounts) > 1:
        problems = (
            LoadProblem(
                str(path),
                f"rows from several accounts ({', '.join(sorted(accounts))}); read as {account}",
            ),
        )
    return Snapshot(
        collected_at=None,
        accounts={account: AccountSnapshot(account_id=account, credential_report=rows)},
        problems=problems,
        source=str(path),
    )


def _is_csv_like(text: str) -> bool:
    """A first line with a comma, outside JSON: meant as CSV, so CSV's message says what is wrong."""
    return "," in text.split("\n", 1)[0]


def _account_of_gaad(details: AuthorizationDetails) -> str:
    arns = [u.arn for u in details.users] + [r.arn for r in details.roles] + [g.arn for g in details.groups]
    arns += [p.arn for p in details.policies.values() if not p.aws_managed]
    for text in arns:
        arn = parse_arn(text)
        if arn is not None and arn.account.isdigit():
            return arn.account
    return UNKNOWN_ACCOUNT
