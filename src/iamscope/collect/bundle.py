"""The snapshot bundle on disk (design §3): its layout, its manifest, and a writer of CLI JSON."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote

from iamscope.collect.awstime import format_aws_time, parse_aws_time
from iamscope.collect.shape import as_bool, as_list, as_object, field_text, optional_text
from iamscope.model.document import JsonValue
from iamscope.model.snapshot import CallRecord

__all__ = [
    "ABSENCE_CODES",
    "CREDENTIAL_REPORT_FILE",
    "FORMAT",
    "FORMAT_PREFIX",
    "FORMAT_VERSION",
    "GAAD_FILE",
    "GLOBAL_REGION",
    "MANIFEST",
    "ORGANIZATION_DIR",
    "BundleWriter",
    "FormatError",
    "Manifest",
    "bucket_file",
    "iam_file",
    "parse_manifest",
    "regional_file",
    "resource_policy_file",
]

FORMAT_PREFIX = "iamscope-bundle/"
FORMAT_VERSION = 1
FORMAT = f"{FORMAT_PREFIX}{FORMAT_VERSION}"
MANIFEST = "manifest.json"
ORGANIZATION_DIR = "organization"
GLOBAL_REGION = "global"
GAAD_FILE = "get-account-authorization-details.json"
CREDENTIAL_REPORT_FILE = "credential-report.csv"

# Error codes that mean "AWS says there is nothing" rather than "we could not look": such a call's
# manifest status is the code, no file is written, and it is not reported as a collection failure.
ABSENCE_CODES = frozenset(
    {
        "NoSuchEntity",
        "NoSuchBucketPolicy",
        "ResourceNotFoundException",
        "RepositoryPolicyNotFoundException",
        "NotFoundException",
        # S3: no Block Public Access configuration (every setting off), no Object Ownership rule.
        "NoSuchPublicAccessBlockConfiguration",
        "OwnershipControlsNotFoundError",
    }
)


class FormatError(ValueError):
    """The manifest is from a format this iamscope does not read."""


@dataclass(frozen=True, slots=True)
class Manifest:
    """What manifest.json records: when, which partition and accounts, and every call's outcome."""

    collected_at: datetime | None
    partition: str = "aws"
    accounts: tuple[str, ...] = ()
    organization: bool = False
    calls: tuple[CallRecord, ...] = ()
    regions: tuple[str, ...] = ()
    tool: str = ""
    format: str = FORMAT

    def to_json(self) -> dict[str, JsonValue]:
        """The manifest as written to disk."""
        return {
            "format": self.format,
            "collected_at": format_aws_time(self.collected_at) if self.collected_at else None,
            "partition": self.partition,
            "accounts": list(self.accounts),
            "organization": self.organization,
            "regions": list(self.regions),
            "tool": self.tool,
            "calls": [_call_json(call) for call in self.calls],
        }


def _call_json(call: CallRecord) -> dict[str, JsonValue]:
    entry: dict[str, JsonValue] = {
        "account": call.account,
        "region": call.region,
        "call": call.call,
        "status": call.status,
        "error": call.error,
        "file": call.file,
    }
    if call.resource is not None:  # per-resource reads only (S3 bucket settings)
        entry["resource"] = call.resource
    return entry


def parse_manifest(document: JsonValue) -> Manifest:
    """Read manifest.json; FormatError for another or newer format, ShapeError for bad shape."""
    root = as_object(document, "the manifest")
    declared = root.get("format")
    if not isinstance(declared, str) or not declared.startswith(FORMAT_PREFIX):
        raise FormatError(f"format is {declared!r}, expected {FORMAT!r}: not an iamscope bundle manifest")
    version_text = declared[len(FORMAT_PREFIX) :]
    if not version_text.isdigit():
        raise FormatError(f"format {declared!r} has no version number")
    if int(version_text) > FORMAT_VERSION:
        raise FormatError(
            f"bundle format {declared} is newer than this iamscope reads ({FORMAT}); upgrade iamscope"
        )
    calls: list[CallRecord] = []
    for position, entry in enumerate(as_list(root.get("calls", []), "calls")):
        item = as_object(entry, f"calls[{position}]")
        calls.append(
            CallRecord(
                account=optional_text(item, "account") or "",
                region=optional_text(item, "region") or GLOBAL_REGION,
                call=field_text(item, "call", f"calls[{position}]"),
                status=field_text(item, "status", f"calls[{position}]"),
                error=optional_text(item, "error"),
                file=optional_text(item, "file"),
                resource=optional_text(item, "resource"),
            )
        )
    accounts = tuple(
        str(a) for a in as_list(root.get("accounts", []), "accounts") if isinstance(a, str | int)
    )
    regions = tuple(r for r in as_list(root.get("regions", []), "regions") if isinstance(r, str))
    return Manifest(
        collected_at=parse_aws_time(root.get("collected_at")),
        partition=optional_text(root, "partition") or "aws",
        accounts=accounts,
        organization=as_bool(root.get("organization")),
        calls=tuple(calls),
        regions=regions,
        tool=optional_text(root, "tool") or "",
        format=declared,
    )


def iam_file(account: str, name: str) -> str:
    """``<account>/iam/<name>`` (name includes its extension)."""
    return f"{account}/iam/{name}"


def regional_file(account: str, service: str, region: str, call: str) -> str:
    """``<account>/<service>/<region>/<call>.json``; region-less services use ``global``."""
    return f"{account}/{service}/{region}/{call}.json"


def resource_policy_file(account: str, service: str, region: str, name: str) -> str:
    """``<account>/resource-policies/<service>/<region>/<name>.json``, the name file-safe."""
    return f"{account}/resource-policies/{service}/{region}/{quote(name, safe='')}.json"


def bucket_file(account: str, region: str, bucket: str, call: str) -> str:
    """``<account>/s3/<region>/buckets/<bucket>/<call>.json``: one S3 bucket's settings, per call."""
    return f"{account}/s3/{region}/buckets/{quote(bucket, safe='')}/{call}.json"


class BundleWriter:
    """Writes bundle files atomically (temp + rename) as the AWS CLI prints them; thread-safe."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write_json(self, relative: str, document: Mapping[str, object]) -> str:
        """Write a response (``ResponseMetadata`` dropped) and return its bundle-relative path."""
        body = {key: value for key, value in document.items() if key != "ResponseMetadata"}
        text = json.dumps(body, indent=4, ensure_ascii=False, default=_aws_cli_default)
        return self.write_text(relative, text + "\n")

    def write_text(self, relative: str, text: str) -> str:
        """Write text to a bundle-relative path and return that path."""
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            Path(temporary).replace(target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return relative

    def write_manifest(self, manifest: Manifest) -> str:
        """Write manifest.json last, so a bundle with a manifest is a finished one."""
        return self.write_json(MANIFEST, manifest.to_json())


def _aws_cli_default(value: object) -> str:
    if isinstance(value, datetime):
        return format_aws_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    raise TypeError(f"cannot write {type(value).__name__} to a bundle file")
