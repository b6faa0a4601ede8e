"""Access keys without a per-user loop: the credential report names who holds keys."""

from __future__ import annotations

import time
from functools import partial
from typing import TYPE_CHECKING, Any

from iamscope.collect.aws.calls import AccountCalls
from iamscope.collect.bundle import CREDENTIAL_REPORT_FILE, GLOBAL_REGION, iam_file
from iamscope.collect.credential_report import CredentialReportError, parse_credential_report
from iamscope.model.snapshot import CredentialReportRow

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_iam.type_defs import AccessKeyMetadataTypeDef

__all__ = ["collect_credential_report", "collect_keys"]


def collect_credential_report(
    calls: AccountCalls, iam: IAMClient, *, wait_seconds: float, poll_seconds: float
) -> tuple[CredentialReportRow, ...] | None:
    """Generate the report, poll until ready (bounded), decode and write it; rows or None."""
    deadline = time.monotonic() + wait_seconds
    while True:
        state = calls.call("iam:GenerateCredentialReport", GLOBAL_REGION, iam.generate_credential_report)
        if state is None:
            return None
        if state.get("State") == "COMPLETE" or time.monotonic() >= deadline:
            break
        time.sleep(poll_seconds)
    report = calls.call("iam:GetCredentialReport", GLOBAL_REGION, iam.get_credential_report)
    if report is None:
        return None
    content = report.get("Content", b"")
    text = content.decode("utf-8", errors="replace") if isinstance(content, bytes) else str(content)
    relative = iam_file(calls.account, CREDENTIAL_REPORT_FILE)
    calls.writer.write_text(relative, text if text.endswith("\n") else text + "\n")
    try:
        return parse_credential_report(text)
    except CredentialReportError as error:
        calls.record("iam:GetCredentialReport", GLOBAL_REGION, status="Unreadable", error=str(error))
        return None


def holders_of_keys(rows: tuple[CredentialReportRow, ...]) -> tuple[str, ...]:
    """Users (not root) whose report row shows a key in either slot, active or not."""
    return tuple(
        row.user
        for row in rows
        if not row.is_root and any(key.active or key.last_rotated is not None for key in row.access_keys)
    )


def collect_keys(calls: AccountCalls, iam: IAMClient, rows: tuple[CredentialReportRow, ...]) -> None:
    """list-access-keys for key holders only, then get-access-key-last-used per key.

    There is no account-wide key listing in IAM; the credential report narrows the listing to the
    users that hold keys, so an account of 5,000 users of whom 40 hold keys costs 40 listings.
    """
    metadata: list[AccessKeyMetadataTypeDef] = []
    for user in holders_of_keys(rows):
        listing = calls.call(
            "iam:ListAccessKeys",
            GLOBAL_REGION,
            partial(_keys_of, iam, user),
        )
        if listing is not None:
            metadata.extend(listing.get("AccessKeyMetadata", []))
    account = calls.account
    calls.writer.write_json(iam_file(account, "list-access-keys.json"), {"AccessKeyMetadata": metadata})
    used: list[dict[str, object]] = []
    for key in metadata:
        key_id = key["AccessKeyId"]
        response = calls.call(
            "iam:GetAccessKeyLastUsed",
            GLOBAL_REGION,
            partial(iam.get_access_key_last_used, AccessKeyId=key_id),
        )
        if response is not None:
            used.append(
                {
                    "UserName": response.get("UserName", key.get("UserName")),
                    "AccessKeyId": key_id,
                    "AccessKeyLastUsed": response.get("AccessKeyLastUsed", {}),
                }
            )
    calls.writer.write_json(iam_file(account, "access-keys-last-used.json"), {"AccessKeyLastUsed": used})


def _keys_of(iam: IAMClient, user: str) -> dict[str, Any]:
    pages = iam.get_paginator("list_access_keys").paginate(UserName=user)
    return pages.build_full_result()
