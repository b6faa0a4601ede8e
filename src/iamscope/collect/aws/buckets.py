"""S3 buckets: the listing, each bucket's policy and public-access settings, and the account's Block
Public Access.

Per bucket, in the bucket's own region: its policy (into ``resource-policies/``) and what decides
whether it is public: Block Public Access, the ACL, Object Ownership (``BucketOwnerEnforced`` turns
ACLs off) and, when it has a policy, AWS's own verdict on it (GetBucketPolicyStatus). Every call is
recorded with the bucket's ARN, so "none set" (NoSuchPublicAccessBlockConfiguration,
OwnershipControlsNotFoundError) stays distinct from "could not read" (AccessDenied...).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from iamscope.collect.aws.calls import AccountCalls
from iamscope.collect.aws.resource_policies import policy_file
from iamscope.collect.aws.session import AccountSession
from iamscope.collect.bundle import GLOBAL_REGION, bucket_file, regional_file, resource_policy_file

__all__ = ["BUCKET_SETTINGS", "collect_buckets"]

# (manifest call, boto3 method, bundle file stem) of the settings read for every bucket.
BUCKET_SETTINGS: tuple[tuple[str, str, str], ...] = (
    ("s3:GetPublicAccessBlock", "get_public_access_block", "get-public-access-block"),
    ("s3:GetBucketAcl", "get_bucket_acl", "get-bucket-acl"),
    ("s3:GetBucketOwnershipControls", "get_bucket_ownership_controls", "get-bucket-ownership-controls"),
)


def collect_buckets(calls: AccountCalls, session: AccountSession, partition: str) -> None:
    """The account's Block Public Access, then every bucket's policy and settings."""
    control = session.client("s3control")
    calls.call(
        "s3control:GetPublicAccessBlock",
        GLOBAL_REGION,
        partial(control.get_public_access_block, AccountId=calls.account),
        file=regional_file(calls.account, "s3control", GLOBAL_REGION, "get-public-access-block"),
    )
    s3 = session.client("s3")
    listing = calls.call(
        "s3:ListBuckets",
        GLOBAL_REGION,
        lambda: s3.get_paginator("list_buckets").paginate().build_full_result(),
        file=regional_file(calls.account, "s3", GLOBAL_REGION, "list-buckets"),
    )
    for bucket in listing.get("Buckets", []) if listing else []:
        name = bucket.get("Name", "")
        region = bucket.get("BucketRegion") or _bucket_region(calls, session, name, partition)
        if region is not None:
            _collect_bucket(calls, session.client("s3", region), partition, name, region)


def _collect_bucket(calls: AccountCalls, client: Any, partition: str, name: str, region: str) -> None:
    arn = f"arn:{partition}:s3:::{name}"
    policy = calls.call(
        "s3:GetBucketPolicy",
        region,
        partial(client.get_bucket_policy, Bucket=name),
        file=resource_policy_file(calls.account, "s3", region, name),
        document=partial(policy_file, arn, name, "Policy"),
        resource=arn,
    )
    if policy is not None:  # without a policy the status call answers NoSuchBucketPolicy
        calls.call(
            "s3:GetBucketPolicyStatus",
            region,
            partial(client.get_bucket_policy_status, Bucket=name),
            file=bucket_file(calls.account, region, name, "get-bucket-policy-status"),
            resource=arn,
        )
    for call, method, stem in BUCKET_SETTINGS:
        calls.call(
            call,
            region,
            partial(getattr(client, method), Bucket=name),
            file=bucket_file(calls.account, region, name, stem),
            resource=arn,
        )


def _bucket_region(calls: AccountCalls, session: AccountSession, name: str, partition: str) -> str | None:
    s3 = session.client("s3")
    location = calls.call(
        "s3:GetBucketLocation",
        GLOBAL_REGION,
        partial(s3.get_bucket_location, Bucket=name),
        resource=f"arn:{partition}:s3:::{name}",
    )
    if location is None:
        return None
    constraint = location.get("LocationConstraint")
    if not constraint:
        return "us-east-1"
    return "eu-west-1" if constraint == "EU" else str(constraint)
