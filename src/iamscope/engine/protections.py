"""What AWS enforces whatever the policies say: resources only AWS or their service may change,
and the one call that needs no permission.

Pure functions of (action, resource, principal), shared by the evaluator, the checks and the
privilege-escalation graph: a grant on an AWS managed policy's ARN is no escalation, because AWS
refuses the change before any policy is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from iamscope.model.arn import parse_arn

__all__ = ["NO_PERMISSION_ACTIONS", "PROTECTED_ACTIONS", "Protection", "ProtectionKind", "protection"]

ProtectionKind = Literal[
    "aws-managed-policy", "aws-managed-key-alias", "identity-center-role", "service-linked-role"
]

# sts:GetCallerIdentity: "No permissions are required to perform this operation. If an administrator
# attaches a policy to your identity that explicitly denies access to the sts:GetCallerIdentity
# action, you can still perform this operation." (STS API reference, GetCallerIdentity)
NO_PERMISSION_ACTIONS = frozenset({"sts:getcalleridentity"})

# "AWS managed policies cannot be edited." (IAM User Guide, access_policies_manage-edit.html): every
# write to a policy under arn:aws:iam::aws:policy/.
_POLICY_WRITES = frozenset(
    {
        "iam:createpolicy",
        "iam:createpolicyversion",
        "iam:deletepolicy",
        "iam:deletepolicyversion",
        "iam:setdefaultpolicyversion",
        "iam:tagpolicy",
        "iam:untagpolicy",
    }
)
# "The alias/aws/ prefix is reserved for AWS managed key." (KMS Developer Guide, alias-create.html)
_ALIAS_WRITES = frozenset({"kms:createalias", "kms:deletealias", "kms:updatealias"})
# Writes to a role: its policies, boundary, trust policy, tags, the role itself.
_ROLE_POLICY_WRITES = frozenset(
    {
        "iam:attachrolepolicy",
        "iam:detachrolepolicy",
        "iam:putrolepolicy",
        "iam:deleterolepolicy",
        "iam:putrolepermissionsboundary",
        "iam:deleterolepermissionsboundary",
        "iam:updateassumerolepolicy",
        "iam:createrole",
        "iam:deleterole",
    }
)
# IAM Identity Center "manages the role" it creates for a permission set (AWSReservedSSO_*): every
# change goes through the permission set, so IAM refuses even the description and the tags.
_SSO_ROLE_WRITES = _ROLE_POLICY_WRITES | {
    "iam:updaterole",
    "iam:updateroledescription",
    "iam:tagrole",
    "iam:untagrole",
    "iam:createservicelinkedrole",
    "iam:deleteservicelinkedrole",
}
# Service-linked roles: "You cannot modify the permissions policy for a service-linked role in IAM"
# (id_roles_update-role-permissions.html); "Only the service that depends on the service-linked
# role can modify or delete the role" (UnmodifiableEntity); "You can edit the description of any
# role" (id_roles_update-service-linked-role.html), and DeleteServiceLinkedRole is how it is deleted.
_SLR_WRITES = _ROLE_POLICY_WRITES

#: Every lower-cased action some protection covers (a cheap first test on the hot path).
PROTECTED_ACTIONS = _POLICY_WRITES | _ALIAS_WRITES | _SSO_ROLE_WRITES | _SLR_WRITES
_SSO_PATH = "role/aws-reserved/sso.amazonaws.com/"
_SLR_PATH = "role/aws-service-role/"
_SSO_SERVICE_ROLE = "AWSServiceRoleForSSO"


@dataclass(frozen=True, slots=True)
class Protection:
    """A protection AWS enforces on a resource, and the words an explanation uses for it."""

    kind: ProtectionKind
    reason: str
    doc: str  # the AWS documentation page that states it


_MANAGED_POLICY = Protection(
    "aws-managed-policy",
    "AWS managed policies cannot be changed: AWS alone creates, versions, tags and deletes them",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_manage-edit.html",
)
_KEY_ALIAS = Protection(
    "aws-managed-key-alias",
    "aliases under alias/aws/ are reserved for AWS managed keys: no principal creates, moves or deletes them",
    "https://docs.aws.amazon.com/kms/latest/developerguide/alias-create.html",
)
_SSO_ROLE = Protection(
    "identity-center-role",
    "AWSReservedSSO_ roles are managed by IAM Identity Center: change the permission set instead",
    "https://docs.aws.amazon.com/singlesignon/latest/userguide/identity-center-and-iam-roles.html",
)
_SERVICE_LINKED_ROLE = Protection(
    "service-linked-role",
    "service-linked roles are protected: only the service that depends on the role can change or delete it",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-permissions.html",
)


def protection(action: str, resource: str, principal: str | None = None) -> Protection | None:
    """The protection AWS enforces on ``action`` (``service:Name``, any case) against ``resource``,
    or None. ``principal`` (an ARN or service name) exempts the service that owns a protected role:
    IAM Identity Center's service-linked role for AWSReservedSSO_ roles, the linked service for its
    service-linked role."""
    lowered = action.lower()
    if lowered not in PROTECTED_ACTIONS:
        return None
    arn = parse_arn(resource)
    if arn is None:
        return None
    if arn.service == "iam":
        if arn.account == "aws" and arn.resource.startswith("policy/") and lowered in _POLICY_WRITES:
            return _MANAGED_POLICY
        if arn.resource.startswith(_SSO_PATH) and lowered in _SSO_ROLE_WRITES:
            if principal is not None and _is_sso_service_role(principal):
                return None
            return _SSO_ROLE
        if arn.resource.startswith(_SLR_PATH) and lowered in _SLR_WRITES:
            owner = arn.resource[len(_SLR_PATH) :].partition("/")[0]
            if principal is not None and principal == owner:
                return None
            return _SERVICE_LINKED_ROLE
        return None
    if arn.service == "kms" and arn.resource.startswith("alias/aws/") and lowered in _ALIAS_WRITES:
        return _KEY_ALIAS
    return None


def _is_sso_service_role(principal: str) -> bool:
    """IAM Identity Center's own service-linked role (or a session of it) in any account."""
    parts = principal.split(":", 5)
    if len(parts) != 6:
        return False
    resource = parts[5]
    if parts[2] == "iam":
        return resource.startswith("role/aws-service-role/sso.amazonaws.com/") and resource.endswith(
            f"/{_SSO_SERVICE_ROLE}"
        )
    return parts[2] == "sts" and resource.startswith(f"assumed-role/{_SSO_SERVICE_ROLE}/")
