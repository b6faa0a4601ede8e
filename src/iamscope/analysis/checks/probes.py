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

__all__ = ["ADMIN_PROBES", "CATEGORIES", "category_actions", "probe_resource"]

_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")
PROBE_NAME = "iamscope-probe"
PROBE_REGION = "us-east-1"

# A principal allowed all of these on arbitrary resources can do anything: they span identity,
# data, compute, keys, networking, logging and the organization, and include a rarely granted
# service that only "*" or a broad NotAction reaches.
ADMIN_PROBES: tuple[str, ...] = (
    "iam:CreateUser",
    "iam:AttachRolePolicy",
    "iam:PutRolePolicy",
    "s3:DeleteBucket",
    "s3:GetObject",
    "ec2:TerminateInstances",
    "kms:CreateKey",  # key-level KMS actions need the key policy too; CreateKey takes no key
    "cloudtrail:StopLogging",
    "lambda:UpdateFunctionCode",
    "organizations:LeaveOrganization",
    "account:PutAlternateContact",
    "groundstation:CancelContact",
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
)

_CREDENTIALS_EXPOSURE = (
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:CreateServiceSpecificCredential",
    "iam:ResetServiceSpecificCredential",
    "iam:UpdateAccessKey",
    "iam:UploadSSHPublicKey",
    "sts:GetFederationToken",
    "sts:GetSessionToken",
    "ecr:GetAuthorizationToken",
    "redshift:GetClusterCredentials",
    "rds-db:connect",
    "codecommit:GetRepositoryCredentials",
    "cognito-identity:GetCredentialsForIdentity",
    "sso:GetRoleCredentials",
    "lightsail:GetInstanceAccessDetails",
    "gamelift:GetInstanceAccess",
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


def _resource_exposure() -> tuple[str, ...]:
    """Every permissions-management action outside IAM: they change who can reach a resource."""
    catalog = load_catalog()
    return tuple(
        f"{service}:{name}"
        for service in catalog.services
        if service != "iam"
        for name, level in catalog.access_levels(service)
        if level == "Permissions management"
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


def _fill(arn_format: str, partition: str, account: str) -> str:
    values = {"Partition": partition, "Region": PROBE_REGION, "Account": account}
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), PROBE_NAME), arn_format)


@functools.cache
def probe_resource(action: str, partition: str, account: str) -> str:
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
    return _fill(chosen.arn_format, partition, account)
