"""Resource-based policies (S3, KMS, SQS, SNS, Lambda, Secrets Manager, ECR), one read per resource.

AWS has no bulk read of resource policies, so these calls grow with resources (each listing is
paginated); a resource without a policy writes no file.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from iamscope.collect.aws.calls import AccountCalls
from iamscope.collect.aws.session import AccountSession
from iamscope.collect.bundle import GLOBAL_REGION, resource_policy_file
from iamscope.collect.shape import policy_document

__all__ = ["collect_bucket_policies", "collect_regional_policies"]


def _policy_file(arn: str, name: str, key: str, response: Mapping[str, Any]) -> Mapping[str, object] | None:
    """The bundle file of one resource: its ARN and its policy (``key`` may be ``Attributes.X``)."""
    value: Any = response
    for part in key.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    if not isinstance(value, str) or not value.strip():
        return None
    if not arn and isinstance(response.get("Attributes"), Mapping):
        arn = str(response["Attributes"].get("QueueArn", ""))
    return {"Arn": arn, "Name": name, "Policy": policy_document(value)}


def collect_bucket_policies(calls: AccountCalls, session: AccountSession, partition: str) -> None:
    """Every bucket's policy, read in the bucket's own region."""
    s3 = session.client("s3")
    listing = calls.call(
        "s3:ListBuckets",
        GLOBAL_REGION,
        lambda: s3.get_paginator("list_buckets").paginate().build_full_result(),
    )
    for bucket in listing.get("Buckets", []) if listing else []:
        name = bucket.get("Name", "")
        region = bucket.get("BucketRegion") or _bucket_region(calls, session, name)
        if region is None:
            continue
        client = session.client("s3", region)
        calls.call(
            "s3:GetBucketPolicy",
            region,
            partial(client.get_bucket_policy, Bucket=name),
            file=resource_policy_file(calls.account, "s3", region, name),
            document=partial(_policy_file, f"arn:{partition}:s3:::{name}", name, "Policy"),
        )


def _bucket_region(calls: AccountCalls, session: AccountSession, name: str) -> str | None:
    s3 = session.client("s3")
    location = calls.call("s3:GetBucketLocation", GLOBAL_REGION, partial(s3.get_bucket_location, Bucket=name))
    if location is None:
        return None
    constraint = location.get("LocationConstraint")
    if not constraint:
        return "us-east-1"
    return "eu-west-1" if constraint == "EU" else str(constraint)


def collect_regional_policies(calls: AccountCalls, session: AccountSession, region: str) -> None:
    """KMS, SQS, SNS, Lambda, Secrets Manager and ECR resource policies in ``region``."""
    _kms(calls, session, region)
    _sqs(calls, session, region)
    _sns(calls, session, region)
    _lambda(calls, session, region)
    _secrets(calls, session, region)
    _ecr(calls, session, region)


def _kms(calls: AccountCalls, session: AccountSession, region: str) -> None:
    kms = session.client("kms", region)
    listing = calls.call(
        "kms:ListKeys",
        region,
        lambda: kms.get_paginator("list_keys").paginate().build_full_result(),
    )
    for key in listing.get("Keys", []) if listing else []:
        key_id, arn = key.get("KeyId", ""), key.get("KeyArn", "")
        calls.call(
            "kms:GetKeyPolicy",
            region,
            partial(kms.get_key_policy, KeyId=key_id, PolicyName="default"),
            file=resource_policy_file(calls.account, "kms", region, key_id),
            document=partial(_policy_file, arn, key_id, "Policy"),
        )


def _sqs(calls: AccountCalls, session: AccountSession, region: str) -> None:
    sqs = session.client("sqs", region)
    listing = calls.call(
        "sqs:ListQueues",
        region,
        lambda: sqs.get_paginator("list_queues").paginate().build_full_result(),
    )
    for url in listing.get("QueueUrls", []) if listing else []:
        name = url.rstrip("/").rsplit("/", 1)[-1]
        calls.call(
            "sqs:GetQueueAttributes",
            region,
            partial(sqs.get_queue_attributes, QueueUrl=url, AttributeNames=["Policy", "QueueArn"]),
            file=resource_policy_file(calls.account, "sqs", region, name),
            document=partial(_policy_file, "", name, "Attributes.Policy"),
        )


def _sns(calls: AccountCalls, session: AccountSession, region: str) -> None:
    sns = session.client("sns", region)
    listing = calls.call(
        "sns:ListTopics",
        region,
        lambda: sns.get_paginator("list_topics").paginate().build_full_result(),
    )
    for topic in listing.get("Topics", []) if listing else []:
        arn = topic.get("TopicArn", "")
        name = arn.rsplit(":", 1)[-1]
        calls.call(
            "sns:GetTopicAttributes",
            region,
            partial(sns.get_topic_attributes, TopicArn=arn),
            file=resource_policy_file(calls.account, "sns", region, name),
            document=partial(_policy_file, arn, name, "Attributes.Policy"),
        )


def _lambda(calls: AccountCalls, session: AccountSession, region: str) -> None:
    client = session.client("lambda", region)
    listing = calls.call(
        "lambda:ListFunctions",
        region,
        lambda: client.get_paginator("list_functions").paginate().build_full_result(),
    )
    for function in listing.get("Functions", []) if listing else []:
        name, arn = function.get("FunctionName", ""), function.get("FunctionArn", "")
        # A function without a policy answers ResourceNotFoundException: an absence, not a failure.
        calls.call(
            "lambda:GetPolicy",
            region,
            partial(client.get_policy, FunctionName=name),
            file=resource_policy_file(calls.account, "lambda", region, name),
            document=partial(_policy_file, arn, name, "Policy"),
        )


def _secrets(calls: AccountCalls, session: AccountSession, region: str) -> None:
    client = session.client("secretsmanager", region)
    listing = calls.call(
        "secretsmanager:ListSecrets",
        region,
        lambda: client.get_paginator("list_secrets").paginate().build_full_result(),
    )
    for secret in listing.get("SecretList", []) if listing else []:
        name, arn = secret.get("Name", ""), secret.get("ARN", "")
        calls.call(
            "secretsmanager:GetResourcePolicy",
            region,
            partial(client.get_resource_policy, SecretId=arn),
            file=resource_policy_file(calls.account, "secretsmanager", region, name),
            document=partial(_policy_file, arn, name, "ResourcePolicy"),
        )


def _ecr(calls: AccountCalls, session: AccountSession, region: str) -> None:
    client = session.client("ecr", region)
    listing = calls.call(
        "ecr:DescribeRepositories",
        region,
        lambda: client.get_paginator("describe_repositories").paginate().build_full_result(),
    )
    for repository in listing.get("repositories", []) if listing else []:
        name, arn = repository.get("repositoryName", ""), repository.get("repositoryArn", "")
        calls.call(
            "ecr:GetRepositoryPolicy",
            region,
            partial(client.get_repository_policy, repositoryName=name),
            file=resource_policy_file(calls.account, "ecr", region, name),
            document=partial(_policy_file, arn, name, "policyText"),
        )
