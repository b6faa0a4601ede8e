"""The IAM inventory of accounts as read from a bundle: the contract between collect and analysis.

A field that is ``None`` was not collected; an empty tuple was collected and found empty.
Policy documents stay raw JSON (:data:`JsonValue`); the engine parses them where needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from iamscope.model.document import JsonValue

__all__ = [
    "AccessKey",
    "AccountSnapshot",
    "AclGrant",
    "Analyzer",
    "AttachedPolicy",
    "Bucket",
    "CallRecord",
    "ConfigRule",
    "CredentialKey",
    "CredentialReportRow",
    "EventRule",
    "Group",
    "IdentityProvider",
    "InlinePolicy",
    "LoadProblem",
    "ManagedPolicy",
    "MetricFilter",
    "OrgAccount",
    "OrgPolicy",
    "OrgUnit",
    "Organization",
    "PasswordPolicy",
    "PolicyVersion",
    "PublicAccessBlock",
    "ResourcePolicy",
    "Role",
    "ServerCertificate",
    "ServiceLastAccessed",
    "Snapshot",
    "Trail",
    "User",
    "VirtualMfaDevice",
]


@dataclass(frozen=True, slots=True)
class InlinePolicy:
    """A policy embedded in one user, group or role."""

    name: str
    document: JsonValue


@dataclass(frozen=True, slots=True)
class AttachedPolicy:
    """A managed policy attached to a principal; ``name`` is empty when AWS (or moto) omitted it."""

    arn: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class User:
    """An IAM user with what is attached to it."""

    name: str
    arn: str
    user_id: str = ""
    path: str = "/"
    created: datetime | None = None
    inline_policies: tuple[InlinePolicy, ...] = ()
    attached_policies: tuple[AttachedPolicy, ...] = ()
    groups: tuple[str, ...] = ()
    permissions_boundary: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Group:
    """An IAM group with its policies (members are listed on each user)."""

    name: str
    arn: str
    group_id: str = ""
    path: str = "/"
    created: datetime | None = None
    inline_policies: tuple[InlinePolicy, ...] = ()
    attached_policies: tuple[AttachedPolicy, ...] = ()


@dataclass(frozen=True, slots=True)
class Role:
    """An IAM role with its trust policy and what is attached to it."""

    name: str
    arn: str
    role_id: str = ""
    path: str = "/"
    created: datetime | None = None
    trust_policy: JsonValue = None
    inline_policies: tuple[InlinePolicy, ...] = ()
    attached_policies: tuple[AttachedPolicy, ...] = ()
    permissions_boundary: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    description: str = ""
    max_session_duration: int | None = None
    last_used: datetime | None = None
    last_used_region: str | None = None
    instance_profiles: tuple[str, ...] = ()

    @property
    def is_service_linked(self) -> bool:
        """Service-linked roles live under /aws-service-role/ and are managed by AWS."""
        return self.path.startswith("/aws-service-role/")


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    """One version of a managed policy."""

    version_id: str
    document: JsonValue
    is_default: bool
    created: datetime | None = None


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    """A customer or AWS managed policy; ``document`` is the default version."""

    arn: str
    name: str
    document: JsonValue
    policy_id: str = ""
    path: str = "/"
    default_version_id: str = ""
    versions: tuple[PolicyVersion, ...] = ()
    attachment_count: int | None = None
    boundary_usage_count: int | None = None
    is_attachable: bool = True
    created: datetime | None = None
    updated: datetime | None = None

    @property
    def aws_managed(self) -> bool:
        """AWS managed policies live in the ``aws`` pseudo-account."""
        return ":iam::aws:policy/" in self.arn


@dataclass(frozen=True, slots=True)
class CredentialKey:
    """One of the two access-key (or signing-certificate) slots of a credential report row."""

    slot: int
    active: bool
    last_rotated: datetime | None = None
    last_used: datetime | None = None
    last_used_region: str | None = None
    last_used_service: str | None = None


@dataclass(frozen=True, slots=True)
class CredentialReportRow:
    """One user (or ``<root_account>``) of the credential report, with AWS's 'N/A' turned into None."""

    user: str
    arn: str
    user_creation_time: datetime | None
    password_enabled: bool | None  # None: 'not_supported' (root)
    password_last_used: datetime | None
    password_last_changed: datetime | None
    password_next_rotation: datetime | None
    mfa_active: bool
    access_keys: tuple[CredentialKey, ...] = ()
    certificates: tuple[CredentialKey, ...] = ()

    @property
    def is_root(self) -> bool:
        """The root user's row is named ``<root_account>``."""
        return self.user == "<root_account>"


@dataclass(frozen=True, slots=True)
class AccessKey:
    """An access key of a user (its id, never its secret) with last-use data."""

    user_name: str
    access_key_id: str
    status: str = "Active"
    created: datetime | None = None
    last_used: datetime | None = None
    last_used_service: str | None = None
    last_used_region: str | None = None


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """The account password policy (get-account-password-policy)."""

    minimum_length: int | None = None
    require_symbols: bool = False
    require_numbers: bool = False
    require_uppercase: bool = False
    require_lowercase: bool = False
    allow_users_to_change: bool = False
    expire_passwords: bool = False
    max_age_days: int | None = None
    reuse_prevention: int | None = None
    hard_expiry: bool = False


@dataclass(frozen=True, slots=True)
class VirtualMfaDevice:
    """A virtual MFA device; the root user's one has a user ARN ending in ``:root``."""

    serial_number: str
    user_arn: str | None = None
    enabled: datetime | None = None


@dataclass(frozen=True, slots=True)
class ServerCertificate:
    """An IAM server certificate (CIS: expired ones must be removed)."""

    name: str
    arn: str
    expiration: datetime | None = None
    uploaded: datetime | None = None


@dataclass(frozen=True, slots=True)
class IdentityProvider:
    """A SAML or OIDC identity provider of the account."""

    arn: str
    kind: Literal["saml", "oidc"]


@dataclass(frozen=True, slots=True)
class Analyzer:
    """An IAM Access Analyzer analyzer in one region."""

    name: str
    arn: str
    region: str
    type: str
    status: str


@dataclass(frozen=True, slots=True)
class ConfigRule:
    """An AWS Config rule in one region."""

    name: str
    region: str
    source_identifier: str | None = None
    state: str | None = None


@dataclass(frozen=True, slots=True)
class EventRule:
    """An EventBridge rule in one region; ``event_pattern`` is raw JSON text as AWS returns it."""

    name: str
    region: str
    event_pattern: str | None = None
    state: str | None = None
    arn: str = ""


@dataclass(frozen=True, slots=True)
class MetricFilter:
    """A CloudWatch Logs metric filter (CIS alerting on root use and IAM changes)."""

    name: str
    region: str
    log_group: str
    pattern: str
    metric_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Trail:
    """A CloudTrail trail as describe-trails reports it."""

    name: str
    arn: str
    region: str
    home_region: str | None = None
    is_multi_region: bool = False
    is_organization: bool = False
    log_group_arn: str | None = None
    s3_bucket: str | None = None


@dataclass(frozen=True, slots=True)
class ResourcePolicy:
    """The resource-based policy of one resource (bucket, key, queue, topic, function...)."""

    arn: str
    service: str
    region: str
    document: JsonValue
    name: str = ""


@dataclass(frozen=True, slots=True)
class PublicAccessBlock:
    """S3 Block Public Access of an account or a bucket; ``configured=False``: collected, none set
    (AWS answered NoSuchPublicAccessBlockConfiguration, so every setting is off)."""

    block_public_acls: bool = False
    ignore_public_acls: bool = False
    block_public_policy: bool = False
    restrict_public_buckets: bool = False
    configured: bool = True


@dataclass(frozen=True, slots=True)
class AclGrant:
    """One grant of a bucket ACL: the grantee (group URI, canonical user id or e-mail) and permission."""

    grantee_type: str  # Group, CanonicalUser or AmazonCustomerByEmail
    grantee: str
    permission: str  # READ, WRITE, READ_ACP, WRITE_ACP or FULL_CONTROL


@dataclass(frozen=True, slots=True)
class Bucket:
    """An S3 bucket with its access settings; each ``None`` field was not collected.

    ``object_ownership`` is the Object Ownership rule (``BucketOwnerEnforced`` disables ACLs), ``""``
    when the bucket has no ownership controls (ACLs then apply). ``policy_public`` is AWS's own verdict
    (GetBucketPolicyStatus ``IsPublic``) on the bucket policy.
    """

    name: str
    arn: str
    region: str = ""
    public_access_block: PublicAccessBlock | None = None
    acl: tuple[AclGrant, ...] | None = None
    owner_id: str | None = None
    object_ownership: str | None = None
    policy_public: bool | None = None


@dataclass(frozen=True, slots=True)
class ServiceLastAccessed:
    """Access Advisor data: when a principal last used a service (None: never in the tracking period)."""

    principal_arn: str
    service_namespace: str
    last_authenticated: datetime | None
    last_authenticated_entity: str | None = None
    last_authenticated_region: str | None = None


@dataclass(frozen=True, slots=True)
class AccountSnapshot:
    """Everything collected about one account; ``None`` means not collected."""

    account_id: str
    users: tuple[User, ...] | None = None
    groups: tuple[Group, ...] | None = None
    roles: tuple[Role, ...] | None = None
    policies: Mapping[str, ManagedPolicy] | None = None
    credential_report: tuple[CredentialReportRow, ...] | None = None
    password_policy: PasswordPolicy | None = None
    password_policy_status: Literal["present", "absent", "not_collected"] = "not_collected"
    account_summary: Mapping[str, int] | None = None
    virtual_mfa_devices: tuple[VirtualMfaDevice, ...] | None = None
    server_certificates: tuple[ServerCertificate, ...] | None = None
    identity_providers: tuple[IdentityProvider, ...] | None = None
    access_keys: tuple[AccessKey, ...] | None = None
    analyzers: tuple[Analyzer, ...] | None = None
    analyzer_regions: tuple[str, ...] | None = None  # regions where list-analyzers succeeded
    config_rules: tuple[ConfigRule, ...] | None = None
    event_rules: tuple[EventRule, ...] | None = None
    metric_filters: tuple[MetricFilter, ...] | None = None
    trails: tuple[Trail, ...] | None = None
    resource_policies: tuple[ResourcePolicy, ...] | None = None
    # S3 Block Public Access of the whole account (s3control), and every bucket with its settings.
    s3_public_access_block: PublicAccessBlock | None = None
    buckets: tuple[Bucket, ...] | None = None
    service_last_accessed: tuple[ServiceLastAccessed, ...] | None = None
    regions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OrgUnit:
    """An organizational unit (or the root, whose parent is None)."""

    id: str
    name: str
    parent_id: str | None


@dataclass(frozen=True, slots=True)
class OrgAccount:
    """A member account of the organization."""

    id: str
    name: str
    parent_id: str | None
    email: str = ""
    status: str = "ACTIVE"


@dataclass(frozen=True, slots=True)
class OrgPolicy:
    """An SCP or RCP with its document and the roots, OUs and accounts it is attached to."""

    id: str
    name: str
    type: Literal["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"]
    document: JsonValue
    targets: tuple[str, ...] = ()
    aws_managed: bool = False


@dataclass(frozen=True, slots=True)
class Organization:
    """The organization: its tree, accounts and authorization policies."""

    id: str
    management_account_id: str
    units: tuple[OrgUnit, ...] = ()
    accounts: tuple[OrgAccount, ...] = ()
    policies: tuple[OrgPolicy, ...] = ()

    def path_to(self, account_id: str) -> tuple[str, ...]:
        """Target ids from the root down to the account itself (empty when not a member)."""
        parents = {unit.id: unit.parent_id for unit in self.units}
        account = next((a for a in self.accounts if a.id == account_id), None)
        if account is None:
            return ()
        chain = [account_id]
        current = account.parent_id
        seen: set[str] = set()
        while current is not None and current not in seen:
            seen.add(current)
            chain.append(current)
            current = parents.get(current)
        return tuple(reversed(chain))

    def levels(
        self,
        account_id: str,
        kind: Literal["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"],
    ) -> tuple[tuple[OrgPolicy, ...], ...]:
        """The policies of one kind attached at each level of the account's path, root first."""
        return tuple(
            tuple(p for p in self.policies if p.type == kind and target in p.targets)
            for target in self.path_to(account_id)
        )


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One collection call as the manifest records it."""

    account: str
    region: str
    call: str
    status: str
    error: str | None = None
    file: str | None = None
    resource: str | None = None  # the ARN a per-resource read was about (S3 bucket settings)


@dataclass(frozen=True, slots=True)
class LoadProblem:
    """A file that could not be read, or was read only in part, and why."""

    file: str
    message: str


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One or more accounts (and their organization) at one collection time."""

    collected_at: datetime | None
    accounts: Mapping[str, AccountSnapshot]
    partition: str = "aws"
    organization: Organization | None = None
    calls: tuple[CallRecord, ...] = ()
    problems: tuple[LoadProblem, ...] = ()
    source: str = ""
