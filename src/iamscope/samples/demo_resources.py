"""The demo organisation's resource policies: some open to the world or to a vendor, most narrowed.

- startup: a public assets bucket (anyone may read), a queue a vendor outside the organisation may
  write to, a key with the default key policy;
- production: an archive bucket open to ``"*"`` but only inside the organisation
  (aws:PrincipalOrgID), a log bucket for CloudTrail with source conditions, a legacy exports bucket
  whose policy is public but neutralised by the account's Block Public Access (see
  ``demo_buckets``), a Lambda function any account's S3 bucket can invoke (no aws:SourceAccount: a
  confused deputy), a queue fed by its own SNS topic (aws:SourceArn), a secret shared with the
  security account;
- security: the organisation's log bucket (aws:PrincipalOrgID).
"""

from __future__ import annotations

from dataclasses import dataclass

from iamscope.model.document import JsonValue

__all__ = ["DemoResource", "demo_resources"]


@dataclass(frozen=True, slots=True)
class DemoResource:
    """One resource policy file of the demo bundle."""

    account: str
    service: str
    region: str
    name: str
    arn: str
    policy: JsonValue
    call: str  # the API call that reads it, as the manifest records


def _doc(*statements: JsonValue) -> JsonValue:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def demo_resources(startup: str, production: str, security: str, organization: str) -> list[DemoResource]:
    """Every resource policy of the demo organisation (account ids and organization id given)."""
    region = "eu-west-1"
    queue = f"arn:aws:sqs:{region}:{startup}:vendor-events"
    key = f"arn:aws:kms:{region}:{startup}:key/0b7e5c1a-demo-4c1e-9a7d-3f2e1d0c9b8a"
    thumbnails = f"arn:aws:lambda:{region}:{production}:function:thumbnailer"
    orders_queue = f"arn:aws:sqs:{region}:{production}:order-events"
    topic = f"arn:aws:sns:{region}:{production}:order-updates"
    secret = f"arn:aws:secretsmanager:{region}:{production}:secret:prod/db-password-Xy12Ab"
    in_org: JsonValue = {"StringEquals": {"aws:PrincipalOrgID": organization}}
    return [
        DemoResource(
            startup,
            "s3",
            region,
            "startup-public-assets",
            "arn:aws:s3:::startup-public-assets",
            _doc(
                {
                    "Sid": "PublicRead",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::startup-public-assets/*",
                }
            ),
            "s3:GetBucketPolicy",
        ),
        DemoResource(
            startup,
            "sqs",
            region,
            "vendor-events",
            queue,
            _doc(
                {
                    "Sid": "VendorWrites",
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                    "Action": ["sqs:SendMessage", "sqs:GetQueueAttributes"],
                    "Resource": queue,
                }
            ),
            "sqs:GetQueueAttributes",
        ),
        DemoResource(
            startup,
            "kms",
            region,
            key.rsplit("/", 1)[-1],
            key,
            _doc(
                {
                    "Sid": "Enable IAM User Permissions",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{startup}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ),
            "kms:GetKeyPolicy",
        ),
        DemoResource(
            production,
            "s3",
            region,
            "orders-archive",
            "arn:aws:s3:::orders-archive",
            _doc(
                {
                    "Sid": "OrganizationReads",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": ["s3:GetObject", "s3:ListBucket"],
                    "Resource": ["arn:aws:s3:::orders-archive", "arn:aws:s3:::orders-archive/*"],
                    "Condition": in_org,
                }
            ),
            "s3:GetBucketPolicy",
        ),
        DemoResource(
            production,
            "s3",
            region,
            "prod-cloudtrail",
            "arn:aws:s3:::prod-cloudtrail",
            _doc(
                {
                    "Sid": "CloudTrailWrites",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": f"arn:aws:s3:::prod-cloudtrail/AWSLogs/{production}/*",
                    "Condition": {
                        "StringEquals": {"aws:SourceAccount": production},
                        "ArnLike": {"aws:SourceArn": f"arn:aws:cloudtrail:{region}:{production}:trail/*"},
                    },
                }
            ),
            "s3:GetBucketPolicy",
        ),
        DemoResource(
            production,
            "s3",
            region,
            "prod-legacy-exports",
            "arn:aws:s3:::prod-legacy-exports",
            _doc(
                {
                    "Sid": "PartnerDownloads2019",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::prod-legacy-exports/*",
                }
            ),
            "s3:GetBucketPolicy",
        ),
        DemoResource(
            production,
            "lambda",
            region,
            "thumbnailer",
            thumbnails,
            _doc(
                {
                    "Sid": "s3-invoke",
                    "Effect": "Allow",
                    "Principal": {"Service": "s3.amazonaws.com"},
                    "Action": "lambda:InvokeFunction",
                    "Resource": thumbnails,
                }
            ),
            "lambda:GetPolicy",
        ),
        DemoResource(
            production,
            "sqs",
            region,
            "order-events",
            orders_queue,
            _doc(
                {
                    "Sid": "FromOwnTopic",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "sqs:SendMessage",
                    "Resource": orders_queue,
                    "Condition": {"ArnEquals": {"aws:SourceArn": topic}},
                }
            ),
            "sqs:GetQueueAttributes",
        ),
        DemoResource(
            production,
            "secretsmanager",
            region,
            "prod/db-password",
            secret,
            _doc(
                {
                    "Sid": "SecurityAccountReads",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{security}:role/incident-support"},
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": "*",
                }
            ),
            "secretsmanager:GetResourcePolicy",
        ),
        DemoResource(
            security,
            "s3",
            region,
            "org-cloudtrail-logs",
            "arn:aws:s3:::org-cloudtrail-logs",
            _doc(
                {
                    "Sid": "OrganizationWrites",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:PutObject",
                    "Resource": "arn:aws:s3:::org-cloudtrail-logs/*",
                    "Condition": in_org,
                }
            ),
            "s3:GetBucketPolicy",
        ),
    ]
