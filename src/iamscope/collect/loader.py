"""The one way every command reads input: a bundle directory, a bare GAAD JSON or a report CSV."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from iamscope.collect.account_loader import load_account
from iamscope.collect.bundle import (
    MANIFEST,
    ORGANIZATION_DIR,
    FormatError,
    Manifest,
    parse_manifest,
)
from iamscope.collect.files import FileReader, UnreadableFileError, read_json
from iamscope.collect.input_error import InputError
from iamscope.collect.offline import load_file
from iamscope.collect.org_files import parse_org_policy, parse_organization
from iamscope.collect.shape import ShapeError
from iamscope.model.snapshot import (
    AccountSnapshot,
    CallRecord,
    LoadProblem,
    Organization,
    OrgPolicy,
    Snapshot,
)

__all__ = ["load", "load_bundle"]

_ACCOUNT_DIR = re.compile(r"^\d{12}$")


def load(path: str | os.PathLike[str]) -> Snapshot:
    """Read any supported input into a Snapshot.

    ``path`` is a bundle directory (design §3), a bare ``get-account-authorization-details`` JSON
    file or a credential report CSV; the kind is detected from the content. Files that are bad
    inside a usable input become ``Snapshot.problems`` (one LoadProblem each) and the rest loads.
    Raises :class:`InputError` (naming the file and the fault) when the whole input is unusable.
    """
    target = Path(path)
    if not target.exists():
        raise InputError(target, "no such file or directory")
    if target.is_dir():
        return load_bundle(target)
    return load_file(target)


def load_bundle(root: Path) -> Snapshot:
    """Read a bundle directory; see :func:`load`."""
    problems: list[LoadProblem] = []
    reader = FileReader(root, problems)
    fault = _directory_fault(root)
    if fault is not None:
        raise InputError(root, f"cannot list the directory: {fault}")
    manifest = _manifest(root, reader)
    try:
        directories = sorted(p.name for p in root.iterdir() if p.is_dir() and _ACCOUNT_DIR.match(p.name))
    except OSError as error:
        raise InputError(root, f"cannot list the directory: {error.strerror or error}") from None
    has_organization = (root / ORGANIZATION_DIR).is_dir()
    if manifest is None and not directories and not has_organization:
        raise InputError(
            root,
            "not an iamscope bundle: no manifest.json, no <account-id>/ and no organization/ "
            "directory (pass a bundle directory, a GAAD JSON file or a credential report CSV)",
        )
    if manifest is None and not (root / MANIFEST).exists():
        reader.problem(
            MANIFEST,
            "absent: collection time and call outcomes are unknown; accounts are taken from "
            "the directory names",
        )
    listed = manifest.accounts if manifest else ()
    accounts = list(dict.fromkeys([*listed, *directories]))
    calls = manifest.calls if manifest else ()
    loaded: dict[str, AccountSnapshot] = {}
    for account in accounts:
        if account not in directories:
            failures = [c for c in calls if c.account == account and c.status != "ok"]
            detail = (
                f" ({failures[0].call}: {failures[0].status} {failures[0].error or ''})" if failures else ""
            )
            reader.problem(account, "nothing was collected for this account" + detail.rstrip())
            loaded[account] = AccountSnapshot(account_id=account)
            continue
        loaded[account] = _readable_account(reader, account, calls, manifest.partition if manifest else "aws")
    organization = None
    if has_organization:
        try:
            organization = _organization(reader)
        except OSError as error:
            reader.problem(ORGANIZATION_DIR, f"{_os_fault(error)}; the organization is not loaded")
    return Snapshot(
        collected_at=manifest.collected_at if manifest else None,
        accounts=loaded,
        partition=manifest.partition if manifest else "aws",
        organization=organization,
        calls=calls,
        problems=tuple(problems),
        source=str(root),
    )


def _directory_fault(path: Path) -> str | None:
    """Why the directory cannot be listed (e.g. "Permission denied"), or None when it can."""
    try:
        with os.scandir(path) as entries:
            next(entries, None)
    except OSError as error:
        return error.strerror or str(error)
    return None


def _readable_account(
    reader: FileReader, account: str, calls: Sequence[CallRecord], partition: str
) -> AccountSnapshot:
    """The account's snapshot; an account folder that cannot be read is reported, not raised.

    A folder that cannot be listed at all is named up front; one where a deeper read fails (a
    subfolder without permissions) loses only that account, never the rest of the bundle.
    """
    fault = _directory_fault(reader.root / account)
    if fault is None:
        try:
            return load_account(reader, account, calls, partition)
        except OSError as error:
            fault = _os_fault(error)
    reader.problem(account, f"cannot read the account's folder: {fault}; this account is not loaded")
    return AccountSnapshot(account_id=account)


def _os_fault(error: OSError) -> str:
    where = f" ({error.filename})" if error.filename else ""
    return f"{error.strerror or error}{where}"


def _manifest(root: Path, reader: FileReader) -> Manifest | None:
    path = root / MANIFEST
    if not path.is_file():
        return None
    try:
        document = read_json(path)
    except UnreadableFileError as fault:
        reader.problem(MANIFEST, f"{fault}; accounts are taken from the directory names")
        return None
    try:
        return parse_manifest(document)
    except FormatError as error:
        raise InputError(path, str(error)) from None
    except ShapeError as error:
        reader.problem(MANIFEST, f"{error}; accounts are taken from the directory names")
        return None


def _organization(reader: FileReader) -> Organization | None:
    base = f"{ORGANIZATION_DIR}/"
    description = reader.json(base + "describe-organization.json")
    if description is None:
        if not reader.exists(base + "describe-organization.json"):
            reader.problem(base + "describe-organization.json", "absent: the organization is not loaded")
        return None
    policies: list[OrgPolicy] = []
    policy_dir = reader.root / ORGANIZATION_DIR / "policies"
    if policy_dir.is_dir():
        for file in sorted(policy_dir.glob("*.json")):
            relative = f"{base}policies/{file.name}"
            document = reader.json(relative)
            if document is None:
                continue
            targets_relative = f"{base}policy-targets/{file.name}"
            targets = reader.json(targets_relative)
            if targets is None and not reader.exists(targets_relative):
                reader.problem(targets_relative, "absent: the policy's attachments are unknown")
            policy = reader.guard(relative, partial(parse_org_policy, document, targets))
            if policy is not None:
                policies.append(policy)
    roots = reader.json(base + "list-roots.json")
    units = reader.json(base + "ous.json")
    accounts = reader.json(base + "list-accounts.json")
    parents = reader.json(base + "account-parents.json")
    return reader.guard(
        base + "describe-organization.json",
        lambda: parse_organization(
            description,
            roots=roots,
            units=units,
            accounts=accounts,
            parents=parents,
            policies=policies,
        ),
    )
