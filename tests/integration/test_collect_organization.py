"""Collect a seeded three-account organization from moto; check the bundle and the round trip."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from iamscope.collect.aws import CollectOptions, collect
from iamscope.collect.aws.run import CollectError
from iamscope.collect.bucket_files import NOT_CONFIGURED
from iamscope.inventory import build_inventory
from iamscope.model.snapshot import PublicAccessBlock
from tests.integration.conftest import REGIONS, Collected
from tests.integration.seed import MANAGEMENT
from tests.moto_server import MotoServer

# Only reads: Get*, List*, Describe*, GenerateCredentialReport and sts:AssumeRole.
# (GenerateServiceLastAccessedDetails is a read too, used only with --access-advisor; see the
# Stubber test.) Anything else, such as Create*/Put*/Update*/Delete*/Tag*, fails this test.
READ_PREFIXES = ("Get", "List", "Describe")
READ_EXTRA = {("iam", "GenerateCredentialReport"), ("sts", "AssumeRole")}


def test_collection_is_read_only(collected: Collected) -> None:
    names = {name for _, name in collected.operations}
    assert "GetAccountAuthorizationDetails" in names
    assert "AssumeRole" in names
    writes = [
        (service, name)
        for service, name in collected.operations
        if not name.startswith(READ_PREFIXES) and (service, name) not in READ_EXTRA
    ]
    assert writes == []


def test_calls_grow_with_pages_not_entities(collected: Collected) -> None:
    count = {key: collected.operations.count(key) for key in set(collected.operations)}
    accounts = len(collected.seeded.accounts)
    assert count[("iam", "GetAccountAuthorizationDetails")] == accounts
    # Three users per account, two of them hold keys: list-access-keys only for those two.
    holders = sum(
        1 for account in collected.seeded.accounts.values() for user in account.users.values() if user.keys
    )
    assert count[("iam", "ListAccessKeys")] == holders == 2 * accounts
    keys = sum(len(u.keys) for a in collected.seeded.accounts.values() for u in a.users.values())
    assert count[("iam", "GetAccessKeyLastUsed")] == keys
    assert ("iam", "ListUsers") not in count
    assert ("iam", "ListUserPolicies") not in count
    assert collected.result.api_calls == len(collected.operations)


def test_manifest_records_accounts_regions_and_outcomes(collected: Collected) -> None:
    bundle = collected.result.bundle
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["format"] == "iamscope-bundle/1"
    assert manifest["organization"] is True
    assert sorted(manifest["accounts"]) == sorted(collected.seeded.accounts)
    assert manifest["partition"] == "aws"
    for call in manifest["calls"]:
        # "resource" only on per-resource reads (S3 bucket settings): the bucket's ARN.
        assert set(call) - {"resource"} == {"account", "region", "call", "status", "error", "file"}
        if call["file"]:
            assert (bundle / call["file"]).is_file()
        if call["call"].startswith("s3:GetBucket"):
            assert call["resource"].startswith("arn:aws:s3:::")
    statuses = {(c["account"], c["call"]): c["status"] for c in manifest["calls"]}
    # No password policy was seeded: NoSuchEntity is recorded and is not a failure.
    assert statuses[(MANAGEMENT, "iam:GetAccountPasswordPolicy")] == "NoSuchEntity"
    # Nor account Block Public Access there: AWS's "none set" answer, not a failure either.
    assert statuses[(MANAGEMENT, "s3control:GetPublicAccessBlock")] == "NoSuchPublicAccessBlockConfiguration"
    per_bucket = {(c["call"], c["resource"]): c["status"] for c in manifest["calls"] if "resource" in c}
    plain = f"arn:aws:s3:::nopolicy-{MANAGEMENT}"
    assert per_bucket[("s3:GetPublicAccessBlock", plain)] == "NoSuchPublicAccessBlockConfiguration"
    assert per_bucket[("s3:GetBucketOwnershipControls", plain)] == "OwnershipControlsNotFoundError"
    assert per_bucket[("s3:GetBucketPolicy", plain)] == "NoSuchBucketPolicy"
    assert ("s3:GetBucketPolicyStatus", plain) not in per_bucket  # no policy, no status read
    # moto 5.2 has no Access Analyzer: recorded per region, the rest of the run is unaffected.
    failed = {(c.call, c.region) for c in collected.result.failures}
    assert failed == {("access-analyzer:ListAnalyzers", region) for region in REGIONS}


def test_bundle_files_match_the_seed(collected: Collected) -> None:
    bundle = collected.result.bundle
    for account_id, seeded in collected.seeded.accounts.items():
        gaad = json.loads((bundle / account_id / "iam/get-account-authorization-details.json").read_text())
        assert {u["UserName"] for u in gaad["UserDetailList"]} == set(seeded.users)
        assert {r["RoleName"] for r in gaad["RoleDetailList"]} >= set(seeded.roles)
        assert {g["GroupName"] for g in gaad["GroupDetailList"]} == set(seeded.groups)
        report = (bundle / account_id / "iam/credential-report.csv").read_text()
        assert report.startswith("user,arn,user_creation_time")
        keys = json.loads((bundle / account_id / "iam/list-access-keys.json").read_text())
        listed = {k["AccessKeyId"]: k["Status"] for k in keys["AccessKeyMetadata"]}
        assert listed == {k: s for u in seeded.users.values() for k, s in u.keys.items()}
        policy_files = {
            (path.parent.parent.name, path.stem.replace("%2F", "/"))
            for path in (bundle / account_id / "resource-policies").glob("*/*/*.json")
        }
        assert policy_files == seeded.resource_policies
        for path in (bundle / account_id / "resource-policies").glob("*/*/*.json"):
            document = json.loads(path.read_text())
            assert document["Arn"].startswith("arn:aws:")
            assert isinstance(document["Policy"], dict)
            assert document["Policy"]["Statement"]
        buckets = json.loads((bundle / account_id / "s3/global/list-buckets.json").read_text())
        assert {b["Name"] for b in buckets["Buckets"]} == set(seeded.buckets)
        for name, permissions in seeded.buckets.items():
            folder = bundle / account_id / "s3" / "us-east-1" / "buckets" / name
            acl = json.loads((folder / "get-bucket-acl.json").read_text())
            groups = [g["Permission"] for g in acl["Grants"] if g["Grantee"]["Type"] == "Group"]
            assert tuple(groups) == permissions
            has_block = seeded.block_level == "bucket" and name.startswith("data-")
            assert (folder / "get-public-access-block.json").is_file() is has_block
            assert (folder / "get-bucket-policy-status.json").is_file() is name.startswith("data-")
        account_block = bundle / account_id / "s3control/global/get-public-access-block.json"
        assert account_block.is_file() is (seeded.block_level == "account")
        for service, listing in (
            ("cloudtrail", "describe-trails"),
            ("config", "describe-config-rules"),
            ("events", "list-rules"),
        ):
            for region in REGIONS:
                assert (bundle / account_id / service / region / f"{listing}.json").is_file()


def test_organization_files_match_the_seed(collected: Collected) -> None:
    organization = collected.snapshot.organization
    seeded = collected.seeded
    assert organization is not None
    assert organization.id == seeded.organization_id
    assert organization.management_account_id == MANAGEMENT
    assert {unit.id: unit.parent_id for unit in organization.units} == {
        seeded.root_id: None,
        seeded.units["workloads"]: seeded.root_id,
        seeded.units["prod"]: seeded.units["workloads"],
    }
    assert {a.id: a.parent_id for a in organization.accounts} == seeded.account_parents
    scps = {p.id: set(p.targets) for p in organization.policies if p.type == "SERVICE_CONTROL_POLICY"}
    rcps = {p.id: set(p.targets) for p in organization.policies if p.type == "RESOURCE_CONTROL_POLICY"}
    assert scps == seeded.scps
    assert rcps == seeded.rcps
    prod_account = next(a for a, parent in seeded.account_parents.items() if parent == seeded.units["prod"])
    levels = organization.levels(prod_account, "SERVICE_CONTROL_POLICY")
    assert len(levels) == 4  # root, workloads, prod, account
    assert any(policy.name == "deny-iam-users" for policy in levels[2])


def test_round_trip_inventory_equals_the_seed(collected: Collected) -> None:
    snapshot = collected.snapshot
    assert snapshot.problems == ()
    inventory = build_inventory(snapshot, as_of=datetime.now(UTC))
    for account_id, seeded in collected.seeded.accounts.items():
        users = {u.name: u for u in inventory.users if u.account == account_id}
        assert set(users) == set(seeded.users)
        for name, expected in seeded.users.items():
            user = users[name]
            assert set(user.groups) == expected.groups
            assert set(user.inline_policies) == expected.inline
            assert set(user.managed_policies) == expected.managed
            assert user.permissions_boundary == expected.boundary
            assert user.console_access is expected.console
            assert user.mfa is expected.mfa
            assert {k.access_key_id: k.status for k in user.keys} == expected.keys
            assert all(k.age_days == 0 for k in user.keys)
        groups = {g.name: g for g in inventory.groups if g.account == account_id}
        assert set(groups) == set(seeded.groups)
        for name, (inline, managed) in seeded.groups.items():
            assert (set(groups[name].inline_policies), set(groups[name].managed_policies)) == (
                inline,
                managed,
            )
        assert set(groups["admins"].members) == {"alice"}
        roles = {r.name: r for r in inventory.roles if r.account == account_id}
        for name, (inline, managed, boundary) in seeded.roles.items():
            role = roles[name]
            assert (set(role.inline_policies), set(role.managed_policies)) == (inline, managed)
            assert role.permissions_boundary == boundary
            assert role.trusted == ("lambda.amazonaws.com",)
        policies = {p.arn: p for p in inventory.policies if p.account == account_id and not p.aws_managed}
        assert {arn: (p.versions, p.default_version) for arn, p in policies.items()} == seeded.policies
        account = snapshot.accounts[account_id]
        assert account.password_policy_status == "absent"
        assert account.regions == tuple(sorted({*REGIONS}))
        assert {(p.service, p.name) for p in account.resource_policies or ()} == seeded.resource_policies
        everything = PublicAccessBlock(True, True, True, True)
        expected_block = everything if seeded.block_level == "account" else NOT_CONFIGURED
        assert account.s3_public_access_block == expected_block
        loaded = {b.name: b for b in account.buckets or ()}
        assert set(loaded) == set(seeded.buckets)
        for name, permissions in seeded.buckets.items():
            bucket = loaded[name]
            assert bucket.region == "us-east-1"
            assert tuple(g.permission for g in bucket.acl or () if g.grantee_type == "Group") == permissions
            has_block = seeded.block_level == "bucket" and name.startswith("data-")
            assert bucket.public_access_block == (everything if has_block else NOT_CONFIGURED)
            assert bucket.object_ownership == seeded.ownership.get(name, "")
            # moto's GetBucketPolicyStatus calls the seeded "Principal": "*" policy public.
            assert bucket.policy_public is name.startswith("data-")
        attachment_kinds = {(a.principal, a.kind) for a in inventory.attachments if a.account == account_id}
        assert ("app", "boundary") in attachment_kinds
        assert ("bob", "managed") in attachment_kinds


def test_collect_refuses_a_non_empty_output_directory(aws: MotoServer, tmp_path: Path) -> None:
    (tmp_path / "something").write_text("x")
    with pytest.raises(CollectError, match="not an empty directory"):
        collect(tmp_path, CollectOptions(regions=("us-east-1",), max_attempts=1))
