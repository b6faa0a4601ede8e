"""The resources whose policies are collected: how each is listed and read, as one table.

The live collector walks this table; the bundle loader uses its listing names to tell "collected,
no policies" from "not collected". Adding a service is one row.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["REGIONAL_KINDS", "RESOURCE_LISTINGS", "ResourceKind"]


@dataclass(frozen=True, slots=True)
class ResourceKind:
    """One regional resource type with a resource-based policy."""

    service: str  # boto3 client and bundle folder name
    listing: str  # the IAM action of the listing call (as the manifest records it)
    paginator: str  # boto3 paginator of the listing
    items: str  # key of the listing's items
    name_field: str  # item field holding the resource name ("" for SQS: its URL)
    arn_field: str  # item field holding the ARN ("" when the read returns it)
    read: str  # the IAM action of the policy read
    method: str  # boto3 method of the policy read
    id_parameter: str  # the read's parameter naming the resource
    id_field: str  # item field passed as that parameter
    policy_key: str  # where the policy text sits in the read's answer ("Attributes.Policy"...)
    extra: tuple[tuple[str, str], ...] = ()  # constant read parameters (name, value)


REGIONAL_KINDS: tuple[ResourceKind, ...] = (
    ResourceKind(
        "kms", "kms:ListKeys", "list_keys", "Keys", "KeyId", "KeyArn",
        "kms:GetKeyPolicy", "get_key_policy", "KeyId", "KeyId", "Policy",
        extra=(("PolicyName", "default"),),
    ),
    ResourceKind(
        "sqs", "sqs:ListQueues", "list_queues", "QueueUrls", "", "",
        "sqs:GetQueueAttributes", "get_queue_attributes", "QueueUrl", "", "Attributes.Policy",
    ),
    ResourceKind(
        "sns", "sns:ListTopics", "list_topics", "Topics", "", "TopicArn",
        "sns:GetTopicAttributes", "get_topic_attributes", "TopicArn", "TopicArn", "Attributes.Policy",
    ),
    # A function without a policy answers ResourceNotFoundException: an absence, not a failure.
    ResourceKind(
        "lambda", "lambda:ListFunctions", "list_functions", "Functions", "FunctionName", "FunctionArn",
        "lambda:GetPolicy", "get_policy", "FunctionName", "FunctionName", "Policy",
    ),
    ResourceKind(
        "secretsmanager", "secretsmanager:ListSecrets", "list_secrets", "SecretList", "Name", "ARN",
        "secretsmanager:GetResourcePolicy", "get_resource_policy", "SecretId", "ARN", "ResourcePolicy",
    ),
    ResourceKind(
        "ecr", "ecr:DescribeRepositories", "describe_repositories", "repositories", "repositoryName",
        "repositoryArn", "ecr:GetRepositoryPolicy", "get_repository_policy", "repositoryName",
        "repositoryName", "policyText",
    ),
)  # fmt: skip

# Every listing that finds resources with policies, S3's included.
RESOURCE_LISTINGS: frozenset[str] = frozenset({"s3:ListBuckets", *(k.listing for k in REGIONAL_KINDS)})
