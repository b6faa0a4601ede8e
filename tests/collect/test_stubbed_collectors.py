"""Collector paths moto 5.2 cannot serve, fed AWS-shaped responses through botocore's Stubber.

moto lacks: GAAD paging, a real RoleLastUsed, the credential report's root row, Access Analyzer and
service-last-accessed (Access Advisor); moto serves S3 Control only on a host that does not resolve
on loopback (see tests/integration/test_collect_buckets.py), and never denies a call. Each test
here feeds documented AWS response shapes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber

from iamscope.collect import load
from iamscope.collect.aws.access_advisor import collect_access_advisor
from iamscope.collect.aws.buckets import collect_buckets
from iamscope.collect.aws.calls import AccountCalls, CallLog
from iamscope.collect.aws.iam import collect_iam
from iamscope.collect.aws.keys import collect_credential_report, collect_keys
from iamscope.collect.aws.regional import collect_regional
from iamscope.collect.aws.session import AccountSession
from iamscope.collect.bucket_files import NOT_CONFIGURED
from iamscope.collect.bundle import ABSENCE_CODES, BundleWriter, Manifest
from tests.collect.samples import ACCOUNT, CREDENTIAL_REPORT

JOB_USER = "11111111-2222-3333-4444-555555555555"
JOB_ROLE = "66666666-7777-8888-9999-000000000000"
CONFIG = Config(retries={"mode": "standard", "max_attempts": 1})


def _client(service: str) -> Any:
    session = boto3.Session(aws_access_key_id="stub", aws_secret_access_key="stub", region_name="us-east-1")
    return session.client(service, config=CONFIG)  # type: ignore[call-overload]


@pytest.fixture
def calls(tmp_path: Path) -> AccountCalls:
    return AccountCalls(ACCOUNT, BundleWriter(tmp_path), CallLog())


@pytest.fixture
def iam() -> Iterator[tuple[Any, Stubber]]:
    client = _client("iam")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def _user(name: str) -> dict[str, Any]:
    return {
        "UserName": name,
        "UserId": f"AIDA{name.upper():0<12}",
        "Arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
        "Path": "/",
        "CreateDate": datetime(2020, 1, 1, tzinfo=UTC),
        "UserPolicyList": [],
        "GroupList": [],
        "AttachedManagedPolicies": [],
    }


def _stub_other_global_iam(stubber: Stubber) -> None:
    stubber.add_client_error("get_account_password_policy", "NoSuchEntity", "no policy", 404)
    stubber.add_client_error("get_account_summary", "AccessDenied", "not allowed", 403)
    stubber.add_response("list_virtual_mfa_devices", {"VirtualMFADevices": [], "IsTruncated": False})
    stubber.add_response("list_server_certificates", {"ServerCertificateMetadataList": []})
    stubber.add_response("list_saml_providers", {"SAMLProviderList": []})
    stubber.add_response("list_open_id_connect_providers", {"OpenIDConnectProviderList": []})


def test_gaad_pages_are_merged_and_role_last_used_kept(
    calls: AccountCalls, iam: tuple[Any, Stubber], tmp_path: Path
) -> None:
    client, stubber = iam
    role = {
        "RoleName": "deploy",
        "RoleId": "AROAEXAMPLE00000",
        "Arn": f"arn:aws:iam::{ACCOUNT}:role/deploy",
        "Path": "/",
        "CreateDate": datetime(2021, 1, 1, tzinfo=UTC),
        # The raw query API returns documents URL-encoded.
        "AssumeRolePolicyDocument": quote('{"Version":"2012-10-17","Statement":[]}'),
        "RoleLastUsed": {"LastUsedDate": datetime(2024, 3, 1, tzinfo=UTC), "Region": "eu-west-1"},
    }
    stubber.add_response(
        "get_account_authorization_details",
        {"UserDetailList": [_user("a"), _user("b")], "IsTruncated": True, "Marker": "page2"},
        {"MaxItems": 1000},
    )
    stubber.add_response(
        "get_account_authorization_details",
        {"UserDetailList": [_user("c")], "RoleDetailList": [role], "IsTruncated": False},
        {"MaxItems": 1000, "Marker": "page2"},
    )
    _stub_other_global_iam(stubber)
    collect_iam(calls, client)
    written = json.loads((tmp_path / ACCOUNT / "iam/get-account-authorization-details.json").read_text())
    assert [u["UserName"] for u in written["UserDetailList"]] == ["a", "b", "c"]
    assert "IsTruncated" not in written
    assert "Marker" not in written
    assert written["RoleDetailList"][0]["RoleLastUsed"]["LastUsedDate"] == "2024-03-01T00:00:00+00:00"
    records = {r.call: r.status for r in calls.log.records()}
    assert records["iam:GetAccountPasswordPolicy"] == "NoSuchEntity"
    assert records["iam:GetAccountSummary"] == "AccessDenied"  # recorded, the rest went on
    assert records["iam:ListOpenIDConnectProviders"] == "ok"
    BundleWriter(tmp_path).write_manifest(
        Manifest(
            collected_at=datetime(2024, 6, 1, tzinfo=UTC),
            accounts=(ACCOUNT,),
            calls=calls.log.records(),
        )
    )
    account = load(tmp_path).accounts[ACCOUNT]
    assert account.password_policy_status == "absent"
    assert account.account_summary is None
    role_loaded = (account.roles or ())[0]
    assert role_loaded.last_used == datetime(2024, 3, 1, tzinfo=UTC)
    assert role_loaded.trust_policy == {"Version": "2012-10-17", "Statement": []}


def test_credential_report_polls_then_lists_keys_of_holders_only(
    calls: AccountCalls, iam: tuple[Any, Stubber], tmp_path: Path
) -> None:
    client, stubber = iam
    stubber.add_response("generate_credential_report", {"State": "STARTED"})
    stubber.add_response("generate_credential_report", {"State": "COMPLETE"})
    stubber.add_response(
        "get_credential_report",
        {
            "Content": CREDENTIAL_REPORT.encode(),
            "ReportFormat": "text/csv",
            "GeneratedTime": datetime(2024, 6, 1),
        },
    )
    key = {
        "UserName": "dana",
        "AccessKeyId": "AKIADANA00000001",
        "Status": "Active",
        "CreateDate": datetime(2020, 1, 2, tzinfo=UTC),
    }
    stubber.add_response(
        "list_access_keys", {"AccessKeyMetadata": [key], "IsTruncated": False}, {"UserName": "dana"}
    )
    stubber.add_response(
        "get_access_key_last_used",
        {
            "UserName": "dana",
            "AccessKeyLastUsed": {
                "LastUsedDate": datetime(2024, 4, 1, tzinfo=UTC),
                "ServiceName": "s3",
                "Region": "us-east-1",
            },
        },
        {"AccessKeyId": "AKIADANA00000001"},
    )
    rows = collect_credential_report(calls, client, wait_seconds=5, poll_seconds=0)
    assert rows is not None
    assert rows[0].is_root
    collect_keys(calls, client, rows)  # root and eve hold no key: only dana is listed
    BundleWriter(tmp_path).write_manifest(Manifest(collected_at=None, accounts=(ACCOUNT,)))
    keys = load(tmp_path).accounts[ACCOUNT].access_keys
    assert keys is not None
    assert len(keys) == 1
    assert (keys[0].access_key_id, keys[0].last_used_service, keys[0].last_used_region) == (
        "AKIADANA00000001",
        "s3",
        "us-east-1",
    )
    assert "SecretAccessKey" not in (tmp_path / ACCOUNT / "iam/list-access-keys.json").read_text()


def test_credential_report_wait_is_bounded(calls: AccountCalls, iam: tuple[Any, Stubber]) -> None:
    client, stubber = iam
    stubber.add_response("generate_credential_report", {"State": "INPROGRESS"})
    stubber.add_client_error("get_credential_report", "ReportInProgress", "not ready", 410)
    assert collect_credential_report(calls, client, wait_seconds=0, poll_seconds=0) is None
    assert calls.log.records()[-1].status == "ReportInProgress"


def test_access_analyzer_listing_is_read(calls: AccountCalls, tmp_path: Path) -> None:
    session = AccountSession(boto3.Session(region_name="us-east-1"), CONFIG, "us-east-1")
    stubbers = []
    analyzer = _client("accessanalyzer")
    stub = Stubber(analyzer)
    stub.add_response(
        "list_analyzers",
        {
            "analyzers": [
                {
                    "arn": f"arn:aws:access-analyzer:us-east-1:{ACCOUNT}:analyzer/org",
                    "name": "org",
                    "type": "ORGANIZATION",
                    "createdAt": datetime(2024, 1, 1, tzinfo=UTC),
                    "status": "ACTIVE",
                }
            ]
        },
    )
    stubbers.append(stub)
    session.install("accessanalyzer", "us-east-1", analyzer)
    for service, operation in (
        ("config", "describe_config_rules"),
        ("events", "list_rules"),
        ("cloudtrail", "describe_trails"),
        ("logs", "describe_metric_filters"),
    ):
        client = _client(service)
        stub = Stubber(client)
        stub.add_client_error(operation, "AccessDeniedException", "denied", 400)
        stubbers.append(stub)
        session.install(service, "us-east-1", client)
    for stub in stubbers:
        stub.activate()
    collect_regional(calls, session, "us-east-1")
    for stub in stubbers:
        stub.assert_no_pending_responses()
    BundleWriter(tmp_path).write_manifest(
        Manifest(collected_at=None, accounts=(ACCOUNT,), calls=calls.log.records())
    )
    account = load(tmp_path).accounts[ACCOUNT]
    assert [(a.name, a.type, a.region) for a in account.analyzers or ()] == [
        ("org", "ORGANIZATION", "us-east-1")
    ]
    assert account.analyzer_regions == ("us-east-1",)
    assert account.config_rules is None  # denied: not collected, and said so in the manifest
    denied = {r.call for r in calls.log.records() if r.status == "AccessDeniedException"}
    assert denied == {
        "config:DescribeConfigRules",
        "events:ListRules",
        "cloudtrail:DescribeTrails",
        "logs:DescribeMetricFilters",
    }


def test_access_advisor_jobs_are_polled_and_written(
    calls: AccountCalls, iam: tuple[Any, Stubber], tmp_path: Path
) -> None:
    client, stubber = iam
    user = f"arn:aws:iam::{ACCOUNT}:user/dana"
    role = f"arn:aws:iam::{ACCOUNT}:role/deploy"
    stubber.add_response("generate_service_last_accessed_details", {"JobId": JOB_USER}, {"Arn": user})
    stubber.add_response("generate_service_last_accessed_details", {"JobId": JOB_ROLE}, {"Arn": role})
    in_progress = {
        "JobStatus": "IN_PROGRESS",
        "JobCreationDate": datetime(2024, 6, 1),
        "JobCompletionDate": datetime(2024, 6, 1),
        "ServicesLastAccessed": [],
    }
    done = {
        "JobStatus": "COMPLETED",
        "JobCreationDate": datetime(2024, 6, 1),
        "JobCompletionDate": datetime(2024, 6, 1),
        "IsTruncated": False,
        "ServicesLastAccessed": [
            {
                "ServiceName": "Amazon S3",
                "ServiceNamespace": "s3",
                "LastAuthenticated": datetime(2024, 5, 1, tzinfo=UTC),
                "LastAuthenticatedEntity": user,
                "LastAuthenticatedRegion": "us-east-1",
                "TotalAuthenticatedEntities": 1,
            },
            {"ServiceName": "AWS KMS", "ServiceNamespace": "kms", "TotalAuthenticatedEntities": 0},
        ],
    }
    stubber.add_response("get_service_last_accessed_details", in_progress, {"JobId": JOB_USER})
    stubber.add_response("get_service_last_accessed_details", done, {"JobId": JOB_ROLE})
    stubber.add_response("get_service_last_accessed_details", done, {"JobId": JOB_USER})
    collect_access_advisor(calls, client, (user, role), wait_seconds=5, poll_seconds=0)
    BundleWriter(tmp_path).write_manifest(Manifest(collected_at=None, accounts=(ACCOUNT,)))
    data = load(tmp_path).accounts[ACCOUNT].service_last_accessed or ()
    assert {(d.principal_arn, d.service_namespace) for d in data} == {
        (user, "s3"),
        (user, "kms"),
        (role, "s3"),
        (role, "kms"),
    }
    never = [d for d in data if d.service_namespace == "kms"]
    assert all(d.last_authenticated is None for d in never)


def test_bucket_settings_denials_and_absences_are_told_apart(calls: AccountCalls, tmp_path: Path) -> None:
    """AccessDenied (not collected) versus AWS's "none set" answers, per bucket, in its region."""
    session = AccountSession(boto3.Session(region_name="us-east-1"), CONFIG, "us-east-1")
    control, s3, regional = _client("s3control"), _client("s3"), _client("s3")
    stubs = [Stubber(control), Stubber(s3), Stubber(regional)]
    session.install("s3control", "us-east-1", control)
    session.install("s3", "us-east-1", s3)
    session.install("s3", "eu-west-1", regional)
    stubs[0].add_client_error(
        "get_public_access_block", "AccessDenied", "no s3:GetAccountPublicAccessBlock", 403
    )
    stubs[1].add_response(
        "list_buckets",
        {
            "Buckets": [
                {
                    "Name": "site",
                    "CreationDate": datetime(2024, 1, 1, tzinfo=UTC),
                    "BucketRegion": "eu-west-1",
                }
            ],
            "Owner": {"ID": "a" * 64},
        },
    )
    bucket = {"Bucket": "site"}
    policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*"}]}'
    stubs[2].add_response("get_bucket_policy", {"Policy": policy}, bucket)
    stubs[2].add_response("get_bucket_policy_status", {"PolicyStatus": {"IsPublic": True}}, bucket)
    stubs[2].add_client_error("get_public_access_block", "NoSuchPublicAccessBlockConfiguration", "none", 404)
    stubs[2].add_client_error("get_bucket_acl", "AccessDenied", "no s3:GetBucketAcl", 403)
    stubs[2].add_client_error("get_bucket_ownership_controls", "OwnershipControlsNotFoundError", "none", 404)
    for stub in stubs:
        stub.activate()
    collect_buckets(calls, session, "aws")
    for stub in stubs:
        stub.assert_no_pending_responses()
    records = {(r.call, r.region, r.resource): r.status for r in calls.log.records()}
    arn = "arn:aws:s3:::site"
    assert records == {
        ("s3control:GetPublicAccessBlock", "global", None): "AccessDenied",
        ("s3:ListBuckets", "global", None): "ok",
        ("s3:GetBucketPolicy", "eu-west-1", arn): "ok",
        ("s3:GetBucketPolicyStatus", "eu-west-1", arn): "ok",
        ("s3:GetPublicAccessBlock", "eu-west-1", arn): "NoSuchPublicAccessBlockConfiguration",
        ("s3:GetBucketAcl", "eu-west-1", arn): "AccessDenied",
        ("s3:GetBucketOwnershipControls", "eu-west-1", arn): "OwnershipControlsNotFoundError",
    }
    BundleWriter(tmp_path).write_manifest(
        Manifest(collected_at=None, accounts=(ACCOUNT,), calls=calls.log.records())
    )
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert {c["call"]: c.get("resource") for c in manifest["calls"]}["s3:GetBucketAcl"] == arn
    account = load(tmp_path).accounts[ACCOUNT]
    assert account.s3_public_access_block is None  # denied: not collected
    (loaded,) = account.buckets or ()
    assert (loaded.name, loaded.region) == ("site", "eu-west-1")
    assert loaded.public_access_block == NOT_CONFIGURED  # collected, none set
    assert loaded.acl is None  # denied: not collected
    assert loaded.object_ownership == ""  # collected, no rule: ACLs apply
    assert loaded.policy_public is True
    assert [p.name for p in account.resource_policies or ()] == ["site"]
    failures = {r.status for r in calls.log.records() if r.status != "ok" and r.status not in ABSENCE_CODES}
    assert failures == {"AccessDenied"}
