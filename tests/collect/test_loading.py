"""Loading bundles, bare GAAD files and credential reports; one clear message per bad input."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from iamscope.collect import InputError, load
from iamscope.model.document import JsonObject
from tests.collect.samples import ACCOUNT, CREDENTIAL_REPORT, READ_ONLY, gaad, write_bundle


def test_bundle_loads_every_part(tmp_path: Path) -> None:
    snapshot = load(write_bundle(tmp_path / "bundle"))
    assert snapshot.problems == ()
    assert snapshot.collected_at == datetime(2024, 6, 1, tzinfo=UTC)
    account = snapshot.accounts[ACCOUNT]
    users = {user.name: user for user in account.users or ()}
    assert users["dana"].permissions_boundary == f"arn:aws:iam::{ACCOUNT}:policy/boundary"
    assert users["dana"].inline_policies[0].document == READ_ONLY  # URL-encoded text decoded
    assert users["dana"].tags == {"team": "ops"}
    assert users["dana"].groups == ("ops",)
    role = (account.roles or ())[0]
    assert role.last_used == datetime(2024, 3, 1, 10, tzinfo=UTC)
    assert role.last_used_region == "eu-west-1"
    policy = (account.policies or {})[f"arn:aws:iam::{ACCOUNT}:policy/boundary"]
    assert policy.name == "boundary"
    assert policy.document == READ_ONLY
    assert len(policy.versions) == 2
    assert account.password_policy_status == "absent"
    rows = {row.user: row for row in account.credential_report or ()}
    assert rows["<root_account>"].is_root
    assert rows["<root_account>"].password_enabled is None
    assert rows["<root_account>"].mfa_active is True
    assert rows["dana"].access_keys[0].last_used_service == "s3"
    assert account.access_keys is None  # not in the bundle: not collected


def test_bare_gaad_file_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "gaad.json"
    path.write_text(json.dumps(gaad()))
    snapshot = load(path)
    assert list(snapshot.accounts) == [ACCOUNT]
    account = snapshot.accounts[ACCOUNT]
    assert {u.name for u in account.users or ()} == {"dana", "eve"}
    assert account.credential_report is None
    assert snapshot.collected_at is None


def test_bare_credential_report_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_text(CREDENTIAL_REPORT)
    snapshot = load(path)
    account = snapshot.accounts[ACCOUNT]
    assert account.users is None
    assert [row.user for row in account.credential_report or ()] == [
        "<root_account>",
        "dana",
        "eve",
    ]


@pytest.mark.parametrize(
    ("content", "fault"),
    [
        ('{"UserDetailList": [{"UserName": "a"', "truncated file?"),
        ('{"Foo": 1}', "not get-account-authorization-details output"),
        ("", "the file is empty"),
        ("user,arn,mfa_active\nx,y,true\n", "missing column(s) user_creation_time"),
        (CREDENTIAL_REPORT.rsplit(",", 3)[0], "truncated file?"),
        ('{"UserDetailList": "oops"}', "UserDetailList should be a JSON array"),
        ('{"format": "iamscope-bundle/1", "calls": []}', "pass the bundle directory"),
        ("just some words", "not valid JSON"),
    ],
)
def test_bad_single_files_get_one_message(tmp_path: Path, content: str, fault: str) -> None:
    path = tmp_path / "input"
    path.write_text(content)
    if "UserDetailList should be" in fault:
        snapshot = load(path)  # a bad list inside a GAAD file is a problem, not a fatal error
        assert any(fault in problem.message for problem in snapshot.problems)
        return
    with pytest.raises(InputError) as raised:
        load(path)
    assert raised.value.path == str(path)
    assert fault in str(raised.value)
    assert str(raised.value).startswith(str(path))


def test_binary_and_missing_inputs(tmp_path: Path) -> None:
    binary = tmp_path / "gaad.json.gz"
    binary.write_bytes(gzip.compress(b'{"UserDetailList": []}'))
    with pytest.raises(InputError, match="not UTF-8 text"):
        load(binary)
    with pytest.raises(InputError, match="no such file or directory"):
        load(tmp_path / "absent")
    with pytest.raises(InputError, match="not an iamscope bundle"):
        load(tmp_path)  # a directory with only a file in it is no bundle


def test_newer_bundle_format_is_refused(tmp_path: Path) -> None:
    manifest: JsonObject = {"format": "iamscope-bundle/2", "accounts": [], "calls": []}
    root = write_bundle(tmp_path / "bundle", manifest=manifest)
    with pytest.raises(InputError, match="newer than this iamscope reads"):
        load(root)


def test_partial_bundle_loads_and_reports_what_is_missing(tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "bundle")
    (root / ACCOUNT / "iam" / "credential-report.csv").unlink()
    snapshot = load(root)
    account = snapshot.accounts[ACCOUNT]
    assert account.users is not None
    assert account.credential_report is None
    assert [p.message for p in snapshot.problems if p.file.endswith("credential-report.csv")] == [
        "not in the bundle: console access, MFA and key ages are unknown"
    ]


def test_bad_files_inside_a_bundle_do_not_stop_the_rest(tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "bundle")
    (root / ACCOUNT / "iam" / "get-account-summary.json").write_text('{"SummaryMap": {"Users": 2')
    (root / ACCOUNT / "iam" / "credential-report.csv").write_text("user,arn\nx,y\n")
    regional = root / ACCOUNT / "config" / "us-east-1"
    regional.mkdir(parents=True)
    (regional / "describe-config-rules.json").write_text('{"ConfigRules": [{"Source": {}}]}')
    policies = root / ACCOUNT / "resource-policies" / "s3" / "us-east-1"
    policies.mkdir(parents=True)
    (policies / "good.json").write_text(json.dumps({"Arn": "arn:aws:s3:::good", "Policy": READ_ONLY}))
    (policies / "bad.json").write_text(json.dumps({"Policy": READ_ONLY}))
    snapshot = load(root)
    by_file = {Path(p.file).name: p.message for p in snapshot.problems}
    assert "not valid JSON" in by_file["get-account-summary.json"]
    assert "missing column(s)" in by_file["credential-report.csv"]
    assert "has no string 'ConfigRuleName'" in by_file["describe-config-rules.json"]
    assert "has no string 'Arn'" in by_file["bad.json"]
    account = snapshot.accounts[ACCOUNT]
    assert account.users is not None
    assert len(account.users) == 2
    assert [p.arn for p in account.resource_policies or ()] == ["arn:aws:s3:::good"]
    assert account.config_rules is None
    assert account.account_summary is None


def test_bundle_without_manifest_is_read_from_directory_names(tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "bundle")
    (root / "manifest.json").unlink()
    snapshot = load(root)
    assert list(snapshot.accounts) == [ACCOUNT]
    assert snapshot.accounts[ACCOUNT].password_policy_status == "not_collected"
    assert any("absent" in p.message for p in snapshot.problems if p.file.endswith("manifest.json"))


def test_truncated_gaad_page_and_bad_entries_are_reported(tmp_path: Path) -> None:
    document = gaad()
    document["IsTruncated"] = True
    document["Marker"] = "abc"
    users = document["UserDetailList"]
    assert isinstance(users, list)
    users.append({"Arn": "arn:aws:iam::111122223333:user/nameless"})
    path = tmp_path / "gaad.json"
    path.write_text(json.dumps(document))
    snapshot = load(path)
    messages = [p.message for p in snapshot.problems]
    assert any("IsTruncated is true" in m for m in messages)
    assert any("UserDetailList[2] has no string 'UserName'" in m for m in messages)
    assert len(snapshot.accounts[ACCOUNT].users or ()) == 2


def test_resource_listings_that_found_nothing_mean_collected_and_empty(tmp_path: Path) -> None:
    # No resource-policies/ folder: "not collected" unless a resource listing succeeded.
    assert load(str(write_bundle(tmp_path / "plain"))).accounts[ACCOUNT].resource_policies is None
    manifest: JsonObject = {
        "format": "iamscope-bundle/1",
        "collected_at": "2024-06-01T00:00:00+00:00",
        "accounts": [ACCOUNT],
        "calls": [
            {
                "account": ACCOUNT,
                "region": "global",
                "call": "s3:ListBuckets",
                "status": "ok",
                "error": None,
                "file": None,
            },
            {
                "account": ACCOUNT,
                "region": "us-east-1",
                "call": "kms:ListKeys",
                "status": "AccessDenied",
                "error": "no",
                "file": None,
            },
        ],
    }
    snapshot = load(str(write_bundle(tmp_path / "listed", manifest=manifest)))
    assert snapshot.accounts[ACCOUNT].resource_policies == ()
    # As in a bundle from before S3 settings were collected: buckets listed, no list-buckets.json,
    # no s3/ or s3control/ folder: the settings are not collected (not "none set").
    assert snapshot.accounts[ACCOUNT].buckets is None
    assert snapshot.accounts[ACCOUNT].s3_public_access_block is None


def test_hand_made_s3_settings_load_and_a_bad_file_loses_only_itself(tmp_path: Path) -> None:
    """Files as `aws s3control get-public-access-block`, `aws s3api list-buckets`,
    `get-public-access-block`, `get-bucket-acl`, `get-bucket-ownership-controls` print them."""
    root = write_bundle(tmp_path / "bundle")
    account_dir = root / ACCOUNT
    (account_dir / "s3control" / "global").mkdir(parents=True)
    config = {"BlockPublicAcls": True, "IgnorePublicAcls": "true", "BlockPublicPolicy": False}
    (account_dir / "s3control/global/get-public-access-block.json").write_text(
        json.dumps({"PublicAccessBlockConfiguration": config})
    )
    (account_dir / "s3" / "global").mkdir(parents=True)
    listing = {
        "Buckets": [{"Name": "logs"}, {"Name": "site", "BucketRegion": "eu-west-1"}],
        "Owner": {"ID": "o"},
    }
    (account_dir / "s3/global/list-buckets.json").write_text(json.dumps(listing))
    site = account_dir / "s3" / "eu-west-1" / "buckets" / "site"
    site.mkdir(parents=True)
    acl = {
        "Owner": {"ID": "o"},
        "Grants": [
            {"Grantee": {"Type": "CanonicalUser", "ID": "o"}, "Permission": "FULL_CONTROL"},
            {
                "Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
                "Permission": "READ",
            },
        ],
    }
    (site / "get-bucket-acl.json").write_text(json.dumps(acl))
    (site / "get-bucket-ownership-controls.json").write_text('{"OwnershipControls": {"Rules": [')
    snapshot = load(root)
    account = snapshot.accounts[ACCOUNT]
    block = account.s3_public_access_block
    assert block is not None
    assert (block.block_public_acls, block.ignore_public_acls, block.block_public_policy) == (
        True,
        True,
        False,
    )
    assert block.configured
    assert not block.restrict_public_buckets
    buckets = {b.name: b for b in account.buckets or ()}
    assert set(buckets) == {"logs", "site"}
    assert buckets["logs"].region == ""  # listed only: nothing else known about it
    assert buckets["logs"].acl is None
    site_bucket = buckets["site"]
    assert [(g.grantee_type, g.permission) for g in site_bucket.acl or ()] == [
        ("CanonicalUser", "FULL_CONTROL"),
        ("Group", "READ"),
    ]
    assert site_bucket.owner_id == "o"
    assert site_bucket.object_ownership is None  # truncated file: reported, not guessed
    assert site_bucket.public_access_block is None  # no file and no manifest record: not collected
    (problem,) = [p for p in snapshot.problems if "ownership" in p.file]
    assert "truncated" in problem.message
    assert "eu-west-1" in account.regions
