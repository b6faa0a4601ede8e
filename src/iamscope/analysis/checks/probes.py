"""Asking the engine "may this principal do X on any resource?": probe ARNs and sensitive action lists.

A probe resource is a concrete ARN of the action's resource type in the principal's account with
made-up names, so only a policy that allows the action on (effectively) every resource passes.
Action lists come from the catalogue's access levels where that is the definition (resource
exposure = permissions management outside IAM) and from known lists where it is not.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from iamscope.engine.catalog import ActionInfo, load_catalog

__all__ = [
    "ADMIN_COVERAGE",
    "BREADTH_PROBES",
    "CATEGORIES",
    "GUARDRAIL_PROBES",
    "PROBE_CONTEXT",
    "PROBE_NAME",
    "PROBE_REGION",
    "category_actions",
    "probe_resource",
]

_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")
PROBE_NAME = "iamscope-probe"
PROBE_REGION = "us-east-1"

# A probe request is what an SDK sends: over TLS, to the probe region. Without these keys an
# "enforce TLS" RCP or a region guardrail would deny every probe, which no real call meets.
PROBE_CONTEXT: Mapping[str, str] = {"aws:SecureTransport": "true", "aws:RequestedRegion": PROBE_REGION}

# Breadth: one ordinary write action in each of many services (compute, storage, data, network,
# identity, security, logging, analytics, ML, developer tools, rarely granted ones). What share of
# these a principal may do measures "can do (almost) everything" (see checks/admin.py). None is a
# classic guardrail target, and none needs a key policy or trust policy to allow on its own.
BREADTH_PROBES: tuple[str, ...] = (
    "ec2:RunInstances",
    "s3:PutObject",
    "lambda:CreateFunction",
    "iam:CreateRole",
    "kms:CreateKey",
    "rds:CreateDBInstance",
    "dynamodb:CreateTable",
    "ecs:CreateCluster",
    "eks:CreateCluster",
    "ecr:CreateRepository",
    "sqs:CreateQueue",
    "sns:CreateTopic",
    "cloudformation:CreateStack",
    "secretsmanager:CreateSecret",
    "ssm:PutParameter",
    "logs:CreateLogGroup",
    "cloudwatch:PutMetricAlarm",
    "events:PutRule",
    "route53:CreateHostedZone",
    "cloudfront:CreateDistribution",
    "elasticloadbalancing:CreateLoadBalancer",
    "autoscaling:CreateAutoScalingGroup",
    "apigateway:POST",
    "kinesis:CreateStream",
    "firehose:CreateDeliveryStream",
    "glue:CreateDatabase",
    "athena:StartQueryExecution",
    "redshift:CreateCluster",
    "elasticache:CreateCacheCluster",
    "es:CreateDomain",
    "sagemaker:CreateNotebookInstance",
    "bedrock:CreateAgent",
    "states:CreateStateMachine",
    "codebuild:CreateProject",
    "codepipeline:CreatePipeline",
    "codecommit:CreateRepository",
    "acm:RequestCertificate",
    "backup:CreateBackupVault",
    "elasticfilesystem:CreateFileSystem",
    "account:PutAlternateContact",
    "guardduty:CreateDetector",
    "config:PutConfigRule",
    "cloudtrail:CreateTrail",
    "wafv2:CreateWebACL",
    "ses:SendEmail",
    "cognito-idp:CreateUserPool",
    "appsync:CreateGraphqlApi",
    "batch:SubmitJob",
    "elasticmapreduce:RunJobFlow",
    "lightsail:CreateInstances",
    "kafka:CreateCluster",
    "iot:CreateThing",
    "transfer:CreateServer",
    "workspaces:CreateWorkspaces",
    "support:CreateCase",
    "ram:CreateResourceShare",
    "groundstation:CancelContact",
)

# The share of breadth probes an administrator-equivalent principal may do: "almost everything"
# leaves room for guardrails that deny a few services or actions, not for allow-lists.
ADMIN_COVERAGE = 0.9

# What the usual SCPs and guardrails deny. Not counted in the breadth share; an administrator's
# finding names which of these (and of the breadth probes) are denied, and by what.
GUARDRAIL_PROBES: tuple[str, ...] = (
    "cloudtrail:StopLogging",
    "cloudtrail:DeleteTrail",
    "organizations:LeaveOrganization",
    "account:CloseAccount",
    "guardduty:DeleteDetector",
    "config:StopConfigurationRecorder",
    "securityhub:DisableSecurityHub",
    "access-analyzer:DeleteAnalyzer",
    "ec2:DisableEbsEncryptionByDefault",
    "ec2:DeleteFlowLogs",
    "s3:PutAccountPublicAccessBlock",
    "iam:CreateUser",
)

_PRIVILEGE_ESCALATION = (
    "iam:AddUserToGroup",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:AttachUserPolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:CreatePolicyVersion",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteUserPermissionsBoundary",
    "iam:PutGroupPolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:PutUserPermissionsBoundary",
    "iam:PutUserPolicy",
    "iam:SetDefaultPolicyVersion",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateLoginProfile",
    "glue:UpdateDevEndpoint",
    "lambda:UpdateFunctionCode",
    "lambda:UpdateFunctionConfiguration",
    "ssm:SendCommand",
    "ssm:StartSession",
    "ec2-instance-connect:SendSSHPublicKey",
    "codestar:CreateProjectFromTemplate",
    "cloudformation:UpdateStack",
)

_DATA_EXFILTRATION = (
    "s3:GetObject",
    "s3:GetObjectVersion",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "secretsmanager:GetSecretValue",
    "dynamodb:Scan",
    "dynamodb:GetItem",
    "rds:CopyDBSnapshot",
    "rds:CreateDBSnapshot",
    "ec2:CreateSnapshot",
    "ec2:ModifySnapshotAttribute",
    "ebs:GetSnapshotBlock",
    "sqs:ReceiveMessage",
    "kinesis:GetRecords",
    # Login secrets of servers (SSH keys, passwords): read access to what runs there.
    "lightsail:GetInstanceAccessDetails",
    "gamelift:GetInstanceAccess",
)

# Credentials of another identity (an IAM user, a database or service user). Calls that return
# only the caller's own permissions are not here: sts:GetSessionToken and sts:GetFederationToken
# (id_credentials_temp_control-access_getsessiontoken / _getfederationtoken: the same permissions
# or fewer), ecr:GetAuthorizationToken (the caller's own ECR access), sso:GetRoleCredentials (an
# SSO bearer token, not IAM), cognito-identity:GetCredentialsForIdentity (a public API).
_CREDENTIALS_EXPOSURE = (
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:CreateServiceSpecificCredential",
    "iam:ResetServiceSpecificCredential",
    "iam:UpdateAccessKey",
    "iam:UploadSSHPublicKey",
    "redshift:GetClusterCredentials",
    "rds-db:connect",
    "codecommit:GetRepositoryCredentials",
    "chime:CreateApiKey",
    "appsync:CreateApiKey",
    "mediapackage:RotateIngestEndpointCredentials",
)

# Services whose Write actions change infrastructure (compute, network, storage, data stores).
_INFRASTRUCTURE_SERVICES = (
    "ec2",
    "rds",
    "lambda",
    "ecs",
    "eks",
    "cloudformation",
    "autoscaling",
    "s3",
    "dynamodb",
)


# Verbs of calls that only read: the catalogue files some of them under "Permissions management"
# (quicksight:DescribeTopicPermissions, billing:GetResourcePolicy), but a read changes nobody's access.
_READ_VERBS = ("Get", "List", "Describe", "Search", "View", "Check", "Preview", "Validate", "BatchGet")


def _resource_exposure() -> tuple[str, ...]:
    """Every permissions-management action outside IAM that writes: they change who can reach a
    resource."""
    catalog = load_catalog()
    return tuple(
        f"{service}:{name}"
        for service in catalog.services
        if service != "iam"
        for name, level in catalog.access_levels(service)
        if level == "Permissions management" and not name.startswith(_READ_VERBS)
    )


def _infrastructure() -> tuple[str, ...]:
    """Destructive and creating Write actions of core infrastructure services."""
    catalog = load_catalog()
    verbs = ("Delete", "Terminate", "Create", "Modify", "Update", "Put", "Run", "Stop", "Reboot")
    return tuple(
        f"{service}:{name}"
        for service in _INFRASTRUCTURE_SERVICES
        for name, level in catalog.access_levels(service)
        if level == "Write" and name.startswith(verbs)
    )


CATEGORIES: Mapping[str, str] = {
    "privilege-escalation": "privilege escalation",
    "data-exfiltration": "data exfiltration",
    "resource-exposure": "resource exposure",
    "credentials-exposure": "credentials exposure",
    "infrastructure-modification": "infrastructure modification",
}


@functools.cache
def category_actions(category: str) -> tuple[str, ...]:
    """The actions of one category that the catalogue knows (unknown names are dropped)."""
    catalog = load_catalog()
    if category == "privilege-escalation":
        names: tuple[str, ...] = _PRIVILEGE_ESCALATION
    elif category == "data-exfiltration":
        names = _DATA_EXFILTRATION
    elif category == "credentials-exposure":
        names = _CREDENTIALS_EXPOSURE
    elif category == "resource-exposure":
        names = _resource_exposure()
    elif category == "infrastructure-modification":
        names = _infrastructure()
    else:
        raise KeyError(category)
    return tuple(n for n in names if catalog.action(n) is not None)


def _fill(arn_format: str, partition: str, account: str, region: str) -> str:
    values = {"Partition": partition, "Region": region, "Account": account}
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), PROBE_NAME), arn_format)


@functools.cache
def probe_resource(action: str, partition: str, account: str, region: str = PROBE_REGION) -> str:
    """A made-up concrete resource the action applies to (``*`` for actions without one)."""
    catalog = load_catalog()
    info: ActionInfo | None = catalog.action(action)
    if info is None or info.wildcard_only:
        return "*"
    required = {r.name for r in info.resource_types if r.required}
    types = [t for t in catalog.resource_types_of(info) if not required or t.name in required]
    if not types:
        return "*"
    chosen = min(types, key=lambda t: (len(t.arn_format), t.name))
    return _fill(chosen.arn_format, partition, account, region)
