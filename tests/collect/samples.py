"""AWS-shaped documents for offline and bundle tests, written the way the AWS CLI prints them.

They cover what moto 5.2 does not produce: user permissions boundaries, RoleLastUsed, URL-encoded
policy documents from the raw query API, and the credential report's root row.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from iamscope.model.document import JsonObject

ACCOUNT = "111122223333"
READ_ONLY: JsonObject = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}],
}
TRUST: JsonObject = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def gaad() -> JsonObject:
    """get-account-authorization-details output with one of each kind of entity."""
    return {
        "UserDetailList": [
            {
                "Path": "/",
                "UserName": "dana",
                "UserId": "AIDAEXAMPLE1",
                "Arn": f"arn:aws:iam::{ACCOUNT}:user/dana",
                "CreateDate": "2020-01-01T00:00:00Z",
                "UserPolicyList": [
                    {"PolicyName": "dana-inline", "PolicyDocument": quote(json.dumps(READ_ONLY))}
                ],
                "GroupList": ["ops"],
                "AttachedManagedPolicies": [
                    {
                        "PolicyName": "ReadOnlyAccess",
                        "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
                    }
                ],
                "PermissionsBoundary": {
                    "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                    "PermissionsBoundaryArn": f"arn:aws:iam::{ACCOUNT}:policy/boundary",
                },
                "Tags": [{"Key": "team", "Value": "ops"}],
            },
            {
                "Path": "/",
                "UserName": "eve",
                "UserId": "AIDAEXAMPLE2",
                "Arn": f"arn:aws:iam::{ACCOUNT}:user/eve",
                "CreateDate": "2023-06-01T00:00:00+00:00",
                "UserPolicyList": [],
                "GroupList": [],
                "AttachedManagedPolicies": [],
            },
        ],
        "GroupDetailList": [
            {
                "Path": "/",
                "GroupName": "ops",
                "GroupId": "AGPAEXAMPLE",
                "Arn": f"arn:aws:iam::{ACCOUNT}:group/ops",
                "CreateDate": "2020-01-01T00:00:00Z",
                "GroupPolicyList": [],
                "AttachedManagedPolicies": [{"PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/boundary"}],
            }
        ],
        "RoleDetailList": [
            {
                "Path": "/",
                "RoleName": "deploy",
                "RoleId": "AROAEXAMPLE",
                "Arn": f"arn:aws:iam::{ACCOUNT}:role/deploy",
                "CreateDate": "2021-01-01T00:00:00Z",
                "AssumeRolePolicyDocument": TRUST,
                "InstanceProfileList": [],
                "RolePolicyList": [],
                "AttachedManagedPolicies": [],
                "RoleLastUsed": {"LastUsedDate": "2024-03-01T10:00:00Z", "Region": "eu-west-1"},
            }
        ],
        "Policies": [
            {
                # No PolicyName/PolicyId, as moto writes it: the name comes from the ARN.
                "Arn": f"arn:aws:iam::{ACCOUNT}:policy/boundary",
                "Path": "/",
                "DefaultVersionId": "v2",
                "AttachmentCount": 1,
                "PermissionsBoundaryUsageCount": 1,
                "IsAttachable": True,
                "PolicyVersionList": [
                    {"Document": READ_ONLY, "VersionId": "v2", "IsDefaultVersion": True},
                    {"Document": TRUST, "VersionId": "v1", "IsDefaultVersion": False},
                ],
            }
        ],
    }


CREDENTIAL_REPORT = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n"
    f"<root_account>,arn:aws:iam::{ACCOUNT}:root,2019-01-01T00:00:00+00:00,not_supported,"
    "2024-01-01T00:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,"
    "N/A,N/A,N/A,false,N/A,false,N/A\n"
    f"dana,arn:aws:iam::{ACCOUNT}:user/dana,2020-01-01T00:00:00+00:00,true,2024-05-01T00:00:00+00:00,"
    "2020-01-01T00:00:00+00:00,N/A,false,true,2020-01-02T00:00:00+00:00,2024-04-01T00:00:00+00:00,"
    "us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
    f"eve,arn:aws:iam::{ACCOUNT}:user/eve,2023-06-01T00:00:00+00:00,false,N/A,N/A,N/A,false,"
    "false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
)


def write_bundle(root: Path, *, manifest: JsonObject | None = None) -> Path:
    """A minimal hand-made bundle: manifest, GAAD and credential report for one account."""
    iam = root / ACCOUNT / "iam"
    iam.mkdir(parents=True)
    (iam / "get-account-authorization-details.json").write_text(json.dumps(gaad(), indent=4))
    (iam / "credential-report.csv").write_text(CREDENTIAL_REPORT)
    document = manifest or {
        "format": "iamscope-bundle/1",
        "collected_at": "2024-06-01T00:00:00+00:00",
        "partition": "aws",
        "accounts": [ACCOUNT],
        "organization": False,
        "calls": [
            {
                "account": ACCOUNT,
                "region": "global",
                "call": "iam:GetAccountPasswordPolicy",
                "status": "NoSuchEntity",
                "error": "The Password Policy with domain name 111122223333 cannot be found.",
                "file": None,
            }
        ],
    }
    (root / "manifest.json").write_text(json.dumps(document))
    return root
