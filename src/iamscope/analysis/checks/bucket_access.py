"""What S3 Block Public Access, Object Ownership and bucket ACLs let through, as AWS documents them.

From the Amazon S3 User Guide, "Blocking public access to your Amazon S3 storage": the account's and
the bucket's settings combine and the most restrictive wins; ``IgnorePublicAcls`` makes S3 ignore
public ACL grants; ``RestrictPublicBuckets`` limits a bucket whose policy is public to AWS service
principals and authorized users of the bucket owner's account (cross-account grants in that policy
are blocked too); ``BlockPublicAcls`` and ``BlockPublicPolicy`` only reject new public ACLs and
policies and do not affect those already in place. "The meaning of public": an ACL is public when it
grants anything to AllUsers or AuthenticatedUsers. From "Access control list (ACL) overview": what
each ACL permission allows on a bucket, and that with Object Ownership ``BucketOwnerEnforced`` ACLs
are disabled and no longer affect permissions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from iamscope.analysis.checks.registry import Hit
from iamscope.model.document import JsonValue
from iamscope.model.snapshot import Bucket, PublicAccessBlock

__all__ = [
    "ACL_ALLOWS",
    "PUBLIC_GROUPS",
    "BlockState",
    "PolicyGate",
    "PublicGrant",
    "Setting",
    "acl_hits",
    "block_state",
    "blocked_acl",
    "bucket_params",
    "policy_gate",
    "public_grants",
]

Setting = Literal["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"]

_FIELDS: Mapping[Setting, str] = {
    "BlockPublicAcls": "block_public_acls",
    "IgnorePublicAcls": "ignore_public_acls",
    "BlockPublicPolicy": "block_public_policy",
    "RestrictPublicBuckets": "restrict_public_buckets",
}

# The two ACL groups that make a grant public, and who they stand for.
PUBLIC_GROUPS: Mapping[str, str] = {
    "http://acs.amazonaws.com/groups/global/AllUsers": "anyone (AllUsers)",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "any AWS account (AuthenticatedUsers)",
}

_READ = ("s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads")
_WRITE = ("s3:PutObject", "s3:DeleteObject")
# What an ACL permission granted on a bucket allows, as policy actions and in words.
ACL_ALLOWS: Mapping[str, tuple[tuple[str, ...], str]] = {
    "READ": (_READ, "list the objects in the bucket"),
    "WRITE": (_WRITE, "create objects in the bucket, and overwrite or delete them"),
    "READ_ACP": (("s3:GetBucketAcl",), "read the bucket ACL"),
    "WRITE_ACP": (("s3:PutBucketAcl",), "rewrite the bucket ACL, so grant itself anything an ACL can"),
    "FULL_CONTROL": (
        (*_READ, *_WRITE, "s3:GetBucketAcl", "s3:PutBucketAcl"),
        "list, write and delete objects and rewrite the bucket ACL",
    ),
}


@dataclass(frozen=True, slots=True)
class BlockState:
    """One Block Public Access setting as it applies to one bucket."""

    setting: Setting
    on: tuple[str, ...]  # the levels where it is on: "account", "bucket"
    unknown: tuple[str, ...]  # the levels that were not collected

    @property
    def effective(self) -> bool | None:
        """On at some level: True; off everywhere it was read and read everywhere: False; else None."""
        if self.on:
            return True
        return None if self.unknown else False

    def describe(self) -> str:
        """``RestrictPublicBuckets (account)``, ``... off`` or ``... not collected (bucket)``."""
        if self.on:
            return f"{self.setting} ({', '.join(self.on)})"
        if self.unknown:
            return f"{self.setting} not collected ({', '.join(self.unknown)})"
        return f"{self.setting} off"


def block_state(
    account: PublicAccessBlock | None, bucket: PublicAccessBlock | None, setting: Setting
) -> BlockState:
    """``setting`` for a bucket: the account's and the bucket's value (None: not collected)."""
    name = _FIELDS[setting]
    on: list[str] = []
    unknown: list[str] = []
    for level, value in (("account", account), ("bucket", bucket)):
        if value is None:
            unknown.append(level)
        elif getattr(value, name):
            on.append(level)
    return BlockState(setting, tuple(on), tuple(unknown))


@dataclass(frozen=True, slots=True)
class PublicGrant:
    """One ACL grant to AllUsers or AuthenticatedUsers and what it allows."""

    who: str
    permission: str
    actions: tuple[str, ...]
    meaning: str


def public_grants(bucket: Bucket) -> tuple[PublicGrant, ...]:
    """The bucket ACL's public grants (none when the ACL was not collected)."""
    found: list[PublicGrant] = []
    for grant in bucket.acl or ():
        who = PUBLIC_GROUPS.get(grant.grantee) if grant.grantee_type == "Group" else None
        if who is None:
            continue
        actions, meaning = ACL_ALLOWS.get(grant.permission, ((), f"{grant.permission} (unknown permission)"))
        found.append(PublicGrant(who, grant.permission, actions, meaning))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class PolicyGate:
    """How S3 Block Public Access applies to one bucket policy's access from outside."""

    restrict: BlockState
    block_policy: BlockState
    policy_public: bool  # AWS's GetBucketPolicyStatus verdict when collected, else the engine's
    aws_verdict: bool | None

    @property
    def restricted(self) -> bool:
        """RestrictPublicBuckets applies: only AWS services and the owner's account get in."""
        return self.policy_public and self.restrict.effective is True

    def evidence(self) -> dict[str, JsonValue]:
        """The settings as the finding's evidence shows them."""
        return {
            "RestrictPublicBuckets": self.restrict.describe(),
            "BlockPublicPolicy": self.block_policy.describe(),
            "policy_public": self.policy_public,
            "policy_status_is_public": self.aws_verdict,
            "considered": self.restrict.effective is not None,
        }

    def note(self) -> str:
        """What the finding's message says about Block Public Access."""
        if self.restrict.effective is None:
            levels = ", ".join(self.restrict.unknown)
            return f" S3 Block Public Access was not collected ({levels}), so it was not considered."
        if self.aws_verdict is False and not self.restricted and self.restrict.on:
            return (
                " AWS's policy status says the policy is not public, so RestrictPublicBuckets does not apply."
            )
        if self.block_policy.on:
            return (
                f" {self.block_policy.describe()} is on but only rejects new public policies; "
                "RestrictPublicBuckets is off."
            )
        return (
            " Block Public Access does not stop it "
            "(RestrictPublicBuckets is off for the account and the bucket)."
        )


def policy_gate(
    account: PublicAccessBlock | None, bucket: Bucket | None, *, engine_public: bool
) -> PolicyGate:
    """How Block Public Access applies to a bucket's policy; ``engine_public``: the engine found
    anyone or any account allowed (used when AWS's own policy status was not collected)."""
    own = bucket.public_access_block if bucket is not None else None
    verdict = bucket.policy_public if bucket is not None else None
    return PolicyGate(
        restrict=block_state(account, own, "RestrictPublicBuckets"),
        block_policy=block_state(account, own, "BlockPublicPolicy"),
        policy_public=verdict if verdict is not None else engine_public,
        aws_verdict=verdict,
    )


def bucket_params(name: str, account: str) -> dict[str, str]:
    """Remediation placeholders of a bucket finding."""
    return {"name": name, "account": account}


def _acl_state(account: PublicAccessBlock | None, bucket: Bucket) -> tuple[str | None, BlockState]:
    """What neutralises the bucket's public ACL grants (None: nothing known to), and IgnorePublicAcls."""
    ignore = block_state(account, bucket.public_access_block, "IgnorePublicAcls")
    if bucket.object_ownership == "BucketOwnerEnforced":
        return "Object Ownership BucketOwnerEnforced (ACLs disabled)", ignore
    if ignore.effective:
        return ignore.describe(), ignore
    return None, ignore


def _grants_evidence(grants: tuple[PublicGrant, ...]) -> list[JsonValue]:
    return [
        {"grantee": g.who, "permission": g.permission, "allows": list(g.actions), "meaning": g.meaning}
        for g in grants
    ]


def blocked_acl(account: PublicAccessBlock | None, bucket: Bucket) -> tuple[str, JsonValue] | None:
    """The sentence and evidence for public ACL grants that a setting neutralises (None: none)."""
    grants = public_grants(bucket)
    neutraliser, _ = _acl_state(account, bucket)
    if not grants or neutraliser is None:
        return None
    said = ", ".join(f"{g.who} {g.permission}" for g in grants)
    return (
        f"its ACL grants {said}, but {neutraliser} makes S3 ignore that",
        {"grants": _grants_evidence(grants), "neutralised_by": neutraliser},
    )


def acl_hits(account: PublicAccessBlock | None, buckets: tuple[Bucket, ...], account_id: str) -> list[Hit]:
    """One hit per bucket whose ACL grants AllUsers or AuthenticatedUsers and nothing neutralises it."""
    hits: list[Hit] = []
    for bucket in buckets:
        grants = public_grants(bucket)
        neutraliser, ignore = _acl_state(account, bucket)
        if not grants or neutraliser is not None:
            continue
        notes = []
        if ignore.effective is None:
            notes.append(f"S3 Block Public Access was not collected ({', '.join(ignore.unknown)})")
        if bucket.object_ownership is None:
            notes.append("Object Ownership was not collected")
        note = f" {' and '.join(notes)}, so it was not considered." if notes else ""
        said = "; ".join(f"{g.who} {g.permission} ({g.meaning})" for g in grants)
        hits.append(
            Hit(
                resource=bucket.arn,
                message=f"The ACL of S3 bucket {bucket.name} grants {said}.{note}",
                evidence={
                    "bucket": bucket.name,
                    "region": bucket.region,
                    "grants": _grants_evidence(grants),
                    "IgnorePublicAcls": ignore.describe(),
                    "object_ownership": bucket.object_ownership,
                    "considered": not notes,
                },
                params=bucket_params(bucket.name, account_id),
            )
        )
    return hits
