"""The demo organisation's S3 settings: Block Public Access, bucket ACLs and Object Ownership.

- startup: no Block Public Access anywhere (the account and its buckets answer
  NoSuchPublicAccessBlockConfiguration), so its public assets bucket is public, and a build-logs
  bucket whose ACL lets any AWS account list it (AuthenticatedUsers READ);
- production: Block Public Access on for the whole account, so the legacy exports bucket, whose
  policy and ACL are public, is not reachable from outside (a low finding says one setting stands
  between it and the internet); its other buckets have ACLs disabled;
- security: Block Public Access on for the account and its log bucket, ACLs disabled.
"""

from __future__ import annotations

from dataclasses import dataclass

from iamscope.model.document import JsonObject, JsonValue

__all__ = ["DemoCall", "demo_bucket_calls"]

_ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
_AUTHENTICATED = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
_REGION = "eu-west-1"
_ALL_ON: JsonObject = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


@dataclass(frozen=True, slots=True)
class DemoCall:
    """One recorded read: its bundle file and document, or the AWS error code that means "none"."""

    account: str
    region: str
    call: str
    relative: str | None
    document: JsonValue
    status: str = "ok"
    resource: str | None = None


@dataclass(frozen=True, slots=True)
class _Bucket:
    name: str
    block: JsonObject | None  # None: NoSuchPublicAccessBlockConfiguration
    grants: tuple[tuple[str, str], ...]  # (group URI, permission) besides the owner's FULL_CONTROL
    ownership: str | None  # None: OwnershipControlsNotFoundError
    policy_public: bool | None  # None: the bucket has no policy


def _owner(account: str) -> JsonObject:
    return {"ID": f"{account}{'c0ffee' * 8}"[:64], "DisplayName": f"demo-{account}"}


def _buckets(startup: str, production: str, security: str) -> dict[str, list[_Bucket]]:
    return {
        startup: [
            _Bucket("startup-public-assets", None, (), None, True),
            _Bucket("startup-build-logs", None, ((_AUTHENTICATED, "READ"),), "BucketOwnerPreferred", None),
        ],
        production: [
            _Bucket("orders-archive", None, (), "BucketOwnerEnforced", False),
            _Bucket("prod-cloudtrail", None, (), "BucketOwnerEnforced", False),
            _Bucket("prod-legacy-exports", None, ((_ALL_USERS, "READ"),), "ObjectWriter", True),
        ],
        security: [_Bucket("org-cloudtrail-logs", _ALL_ON, (), "BucketOwnerEnforced", False)],
    }


def demo_bucket_calls(startup: str, production: str, security: str) -> list[DemoCall]:
    """Every S3 settings read of the demo, as the collector records and writes it."""
    account_blocks = {startup: None, production: _ALL_ON, security: _ALL_ON}
    calls: list[DemoCall] = []
    for account, buckets in _buckets(startup, production, security).items():
        block = account_blocks[account]
        calls.append(
            DemoCall(
                account,
                "global",
                "s3control:GetPublicAccessBlock",
                f"{account}/s3control/global/get-public-access-block.json" if block else None,
                {"PublicAccessBlockConfiguration": block} if block else None,
                "ok" if block else "NoSuchPublicAccessBlockConfiguration",
            )
        )
        listing: JsonObject = {
            "Buckets": [
                {"Name": b.name, "CreationDate": "2021-03-01T09:00:00+00:00", "BucketRegion": _REGION}
                for b in buckets
            ],
            "Owner": _owner(account),
        }
        calls.append(
            DemoCall(account, "global", "s3:ListBuckets", f"{account}/s3/global/list-buckets.json", listing)
        )
        for bucket in buckets:
            calls += _bucket_calls(account, bucket)
    return calls


def _bucket_calls(account: str, bucket: _Bucket) -> list[DemoCall]:
    arn = f"arn:aws:s3:::{bucket.name}"
    base = f"{account}/s3/{_REGION}/buckets/{bucket.name}"

    def read(call: str, stem: str, document: JsonValue, absent: str) -> DemoCall:
        if document is None:
            return DemoCall(account, _REGION, call, None, None, absent, arn)
        return DemoCall(account, _REGION, call, f"{base}/{stem}.json", document, "ok", arn)

    owner = _owner(account)
    grants: list[JsonValue] = [{"Grantee": {**owner, "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"}]
    grants += [{"Grantee": {"Type": "Group", "URI": uri}, "Permission": p} for uri, p in bucket.grants]
    ownership: JsonObject = {"OwnershipControls": {"Rules": [{"ObjectOwnership": bucket.ownership}]}}
    acl: JsonObject = {"Owner": owner, "Grants": grants}
    calls = [
        read(
            "s3:GetPublicAccessBlock",
            "get-public-access-block",
            {"PublicAccessBlockConfiguration": bucket.block} if bucket.block else None,
            "NoSuchPublicAccessBlockConfiguration",
        ),
        read("s3:GetBucketAcl", "get-bucket-acl", acl, ""),
        read(
            "s3:GetBucketOwnershipControls",
            "get-bucket-ownership-controls",
            ownership if bucket.ownership else None,
            "OwnershipControlsNotFoundError",
        ),
    ]
    if bucket.policy_public is None:
        calls.append(DemoCall(account, _REGION, "s3:GetBucketPolicy", None, None, "NoSuchBucketPolicy", arn))
    else:
        status: JsonObject = {"PolicyStatus": {"IsPublic": bucket.policy_public}}
        calls.append(read("s3:GetBucketPolicyStatus", "get-bucket-policy-status", status, ""))
    return calls
