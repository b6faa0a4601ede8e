"""S3 bucket settings and the account's Block Public Access, read from a bundle into the model.

Files are what the AWS CLI prints (``aws s3control get-public-access-block``, ``aws s3api
list-buckets``, ``get-public-access-block``, ``get-bucket-acl``, ``get-bucket-ownership-controls``,
``get-bucket-policy-status``). An absent file is "none set" only when the manifest records AWS's
answer that there is none for that account or bucket; otherwise the setting was not collected.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote

from iamscope.collect.bundle import ABSENCE_CODES, GLOBAL_REGION, bucket_file, regional_file
from iamscope.collect.files import FileReader
from iamscope.collect.shape import (
    as_bool,
    as_object,
    field_list,
    field_object,
    field_text,
    optional_text,
)
from iamscope.model.document import JsonValue
from iamscope.model.snapshot import AclGrant, Bucket, CallRecord, PublicAccessBlock

__all__ = [
    "NOT_CONFIGURED",
    "load_account_public_access_block",
    "load_buckets",
    "parse_bucket_acl",
    "parse_ownership_controls",
    "parse_policy_status",
    "parse_public_access_block",
]

T = TypeVar("T")

# AWS answered NoSuchPublicAccessBlockConfiguration: nothing is set, every setting is off.
NOT_CONFIGURED = PublicAccessBlock(configured=False)


def parse_public_access_block(document: JsonValue) -> PublicAccessBlock:
    """``get-public-access-block`` output (s3control for the account, s3api for a bucket)."""
    root = as_object(document, "the document")
    config = field_object(root, "PublicAccessBlockConfiguration", "the document")
    return PublicAccessBlock(
        block_public_acls=as_bool(config.get("BlockPublicAcls")),
        ignore_public_acls=as_bool(config.get("IgnorePublicAcls")),
        block_public_policy=as_bool(config.get("BlockPublicPolicy")),
        restrict_public_buckets=as_bool(config.get("RestrictPublicBuckets")),
    )


def parse_bucket_acl(document: JsonValue) -> tuple[str | None, tuple[AclGrant, ...]]:
    """``get-bucket-acl`` output: the owner's canonical id and the grants."""
    root = as_object(document, "the document")
    owner = root.get("Owner")
    owner_id = optional_text(owner, "ID") if isinstance(owner, dict) else None
    grants: list[AclGrant] = []
    for position, entry in enumerate(field_list(root, "Grants", "the document")):
        where = f"Grants[{position}]"
        item = as_object(entry, where)
        grantee = field_object(item, "Grantee", where)
        grants.append(
            AclGrant(
                grantee_type=field_text(grantee, "Type", f"{where}.Grantee"),
                grantee=optional_text(grantee, "URI")
                or optional_text(grantee, "ID")
                or optional_text(grantee, "EmailAddress")
                or "",
                permission=field_text(item, "Permission", where),
            )
        )
    return owner_id, tuple(grants)


def parse_ownership_controls(document: JsonValue) -> str:
    """``get-bucket-ownership-controls`` output: the Object Ownership rule (``""`` if none)."""
    root = as_object(document, "the document")
    controls = field_object(root, "OwnershipControls", "the document")
    for position, rule in enumerate(field_list(controls, "Rules", "OwnershipControls")):
        return field_text(as_object(rule, f"Rules[{position}]"), "ObjectOwnership", f"Rules[{position}]")
    return ""


def parse_policy_status(document: JsonValue) -> bool:
    """``get-bucket-policy-status`` output: whether AWS considers the bucket policy public."""
    root = as_object(document, "the document")
    return as_bool(field_object(root, "PolicyStatus", "the document").get("IsPublic"))


def load_account_public_access_block(
    reader: FileReader, account: str, calls: Sequence[CallRecord]
) -> PublicAccessBlock | None:
    """The account's Block Public Access; NOT_CONFIGURED when AWS said none is set."""
    outcomes = {call.call: call.status for call in calls if call.resource is None}
    return _read(
        reader,
        regional_file(account, "s3control", GLOBAL_REGION, "get-public-access-block"),
        parse_public_access_block,
        NOT_CONFIGURED,
        outcomes.get("s3control:GetPublicAccessBlock"),
    )


def load_buckets(
    reader: FileReader, account: str, calls: Sequence[CallRecord], partition: str, regions: set[str]
) -> tuple[Bucket, ...] | None:
    """Every bucket the listing or the bucket folders name (None: buckets were not collected)."""
    listed = _listing(reader, account)
    found = _bucket_folders(reader.root / account / "s3")
    if listed is None and not found:
        return None
    outcomes: dict[tuple[str, str], CallRecord] = {}
    for call in calls:
        if call.resource is not None:
            outcomes[(call.call, call.resource)] = call
    names = dict(listed or {})
    for name, region in found.items():
        names[name] = region
    result: list[Bucket] = []
    for name, listed_region in names.items():
        arn = f"arn:{partition}:s3:::{name}"
        region = listed_region or next(
            (c.region for (_, r), c in outcomes.items() if r == arn and c.region != GLOBAL_REGION), ""
        )
        if region:
            regions.add(region)

        def status(call: str, arn: str = arn) -> str | None:
            record = outcomes.get((call, arn))
            return record.status if record is not None else None

        def path(stem: str, region: str = region, name: str = name) -> str:
            return bucket_file(account, region, name, stem)

        acl = _read(reader, path("get-bucket-acl"), parse_bucket_acl, None, None) if region else None
        result.append(
            Bucket(
                name=name,
                arn=arn,
                region=region,
                public_access_block=_read(
                    reader,
                    path("get-public-access-block"),
                    parse_public_access_block,
                    NOT_CONFIGURED,
                    status("s3:GetPublicAccessBlock"),
                ),
                acl=acl[1] if acl is not None else None,
                owner_id=acl[0] if acl is not None else None,
                object_ownership=_read(
                    reader,
                    path("get-bucket-ownership-controls"),
                    parse_ownership_controls,
                    "",
                    status("s3:GetBucketOwnershipControls"),
                ),
                policy_public=_read(
                    reader,
                    path("get-bucket-policy-status"),
                    parse_policy_status,
                    False,
                    status("s3:GetBucketPolicyStatus") or status("s3:GetBucketPolicy"),
                ),
            )
        )
    return tuple(result)


def _read(
    reader: FileReader,
    relative: str,
    parse: Callable[[JsonValue], T],
    absent: T | None,
    outcome: str | None,
) -> T | None:
    """The file's value; ``absent`` when AWS answered that there is none; otherwise None."""
    if reader.exists(relative):
        return reader.parse(relative, parse)
    return absent if outcome in ABSENCE_CODES else None


def _listing(reader: FileReader, account: str) -> Mapping[str, str] | None:
    relative = regional_file(account, "s3", GLOBAL_REGION, "list-buckets")
    return reader.parse(relative, _bucket_names)


def _bucket_names(document: JsonValue) -> dict[str, str]:
    """``list-buckets`` output: bucket name to region (``""`` when the listing does not say)."""
    root = as_object(document, "the document")
    names: dict[str, str] = {}
    for position, entry in enumerate(field_list(root, "Buckets", "the document", required=True)):
        item = as_object(entry, f"Buckets[{position}]")
        names[field_text(item, "Name", f"Buckets[{position}]")] = optional_text(item, "BucketRegion") or ""
    return names


def _bucket_folders(base: Path) -> dict[str, str]:
    """Bucket name to region for every ``s3/<region>/buckets/<name>/`` folder."""
    if not base.is_dir():
        return {}
    found: dict[str, str] = {}
    for region_dir in sorted(p for p in base.iterdir() if p.is_dir() and p.name != GLOBAL_REGION):
        buckets = region_dir / "buckets"
        if buckets.is_dir():
            for bucket_dir in sorted(p for p in buckets.iterdir() if p.is_dir()):
                found[unquote(bucket_dir.name)] = region_dir.name
    return found
