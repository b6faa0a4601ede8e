"""S3 settings collected from moto over HTTP without help: what a user pointing AWS_ENDPOINT_URL
at a moto server gets.

botocore's endpoint rules put the account id in the S3 Control host name
(``http://123456789012.127.0.0.1:PORT/v20180820/configuration/publicAccessBlock``), which does not
resolve on loopback, so account Block Public Access fails with EndpointConnectionError. That is
recorded in the manifest, the rest of the run goes on, and the findings say the account's
setting was not considered. (The session fixture in conftest reaches S3 Control through a host
rewrite; the Stubber test in tests/collect covers AccessDenied.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import boto3

from iamscope.analysis.assess import AssessConfig, assess
from iamscope.collect import load
from iamscope.collect.aws import CollectOptions, collect
from iamscope.collect.bucket_files import NOT_CONFIGURED
from tests.moto_server import MotoServer

if TYPE_CHECKING:
    from mypy_boto3_s3.type_defs import GrantTypeDef

ACCOUNT = "123456789012"


def test_unreachable_s3_control_is_recorded_and_not_considered(aws: MotoServer, tmp_path: Path) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="site")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*"}
        ],
    }
    s3.put_bucket_policy(Bucket="site", Policy=json.dumps(policy))
    # moto 5.2 turns the canned ACL public-read-write into AllUsers READ only (AWS adds WRITE), so
    # the grants are given one by one.
    owner = s3.get_bucket_acl(Bucket="site")["Owner"]
    groups = "http://acs.amazonaws.com/groups/global/"
    grants: list[GrantTypeDef] = [
        {"Grantee": {"Type": "Group", "URI": f"{groups}AllUsers"}, "Permission": "WRITE"},
        {"Grantee": {"Type": "Group", "URI": f"{groups}AuthenticatedUsers"}, "Permission": "READ"},
    ]
    s3.put_bucket_acl(Bucket="site", AccessControlPolicy={"Owner": owner, "Grants": grants})
    out = tmp_path / "bundle"
    result = collect(out, CollectOptions(regions=("us-east-1",), max_attempts=1))
    failed = {(c.call, c.status) for c in result.failures}
    assert ("s3control:GetPublicAccessBlock", "EndpointConnectionError") in failed
    # Everything else about the bucket was read.
    assert not [c for c in result.failures if c.call.startswith("s3:")]
    snapshot = load(out)
    account = snapshot.accounts[ACCOUNT]
    assert account.s3_public_access_block is None  # not collected, not "none set"
    (bucket,) = account.buckets or ()
    assert bucket.public_access_block == NOT_CONFIGURED
    assert bucket.policy_public is True
    assert {
        (g.grantee.rsplit("/", 1)[-1], g.permission) for g in bucket.acl or () if g.grantee_type == "Group"
    } == {
        ("AllUsers", "WRITE"),
        ("AuthenticatedUsers", "READ"),
    }
    findings = {f.check: f for f in assess(snapshot, AssessConfig()).findings if f.resource == bucket.arn}
    note = "S3 Block Public Access was not collected (account), so it was not considered."
    assert findings["resource-policy-public"].message.endswith(note)
    acl = findings["s3-bucket-acl-public"].message
    assert "anyone (AllUsers) WRITE (create objects in the bucket, and overwrite or delete them)" in acl
    assert acl.endswith("S3 Block Public Access was not collected (account), so it was not considered.")
