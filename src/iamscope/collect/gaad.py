"""get-account-authorization-details output read into users, groups, roles and managed policies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from iamscope.collect.awstime import parse_aws_time
from iamscope.collect.shape import (
    ShapeError,
    as_bool,
    as_int,
    as_object,
    field_list,
    field_text,
    optional_text,
    policy_document,
    string_map,
)
from iamscope.model.document import JsonObject, JsonValue
from iamscope.model.snapshot import (
    AttachedPolicy,
    Group,
    InlinePolicy,
    ManagedPolicy,
    PolicyVersion,
    Role,
    User,
)

__all__ = ["GAAD_KEYS", "AuthorizationDetails", "looks_like_gaad", "parse_gaad"]

T = TypeVar("T")

GAAD_KEYS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


@dataclass(frozen=True, slots=True)
class AuthorizationDetails:
    """What one GAAD document holds, plus the entries that could not be read and why."""

    users: tuple[User, ...]
    groups: tuple[Group, ...]
    roles: tuple[Role, ...]
    policies: dict[str, ManagedPolicy]
    problems: tuple[str, ...] = ()


def looks_like_gaad(document: JsonValue) -> bool:
    """True when the document is an object with at least one of GAAD's four lists."""
    return isinstance(document, dict) and any(key in document for key in GAAD_KEYS)


def parse_gaad(document: JsonValue) -> AuthorizationDetails:
    """Read a (pages-merged) GAAD document; bad entries are skipped and listed in ``problems``."""
    root = as_object(document, "the document")
    if not looks_like_gaad(root):
        raise ShapeError("not get-account-authorization-details output: none of " + ", ".join(GAAD_KEYS))
    problems: list[str] = []
    if root.get("IsTruncated") is True:
        problems.append(
            "IsTruncated is true: this is one page of the listing and entities beyond it are "
            "missing (let the AWS CLI paginate, do not pass --max-items)"
        )
    users = _each(root, "UserDetailList", _user, problems)
    groups = _each(root, "GroupDetailList", _group, problems)
    roles = _each(root, "RoleDetailList", _role, problems)
    policies = {policy.arn: policy for policy in _each(root, "Policies", _policy, problems)}
    return AuthorizationDetails(
        users=tuple(users),
        groups=tuple(groups),
        roles=tuple(roles),
        policies=policies,
        problems=tuple(problems),
    )


def _each(root: JsonObject, key: str, read: Callable[[JsonObject, str], T], problems: list[str]) -> list[T]:
    result: list[T] = []
    try:
        entries = field_list(root, key, "the document")
    except ShapeError as error:
        problems.append(str(error))
        return result
    for position, entry in enumerate(entries):
        where = f"{key}[{position}]"
        try:
            result.append(read(as_object(entry, where), where))
        except ShapeError as error:
            problems.append(f"{error}; entry skipped")
    return result


def _inline(entries: list[JsonValue], where: str) -> tuple[InlinePolicy, ...]:
    result: list[InlinePolicy] = []
    for position, entry in enumerate(entries):
        item = as_object(entry, f"{where}[{position}]")
        result.append(
            InlinePolicy(
                name=field_text(item, "PolicyName", f"{where}[{position}]"),
                document=policy_document(item.get("PolicyDocument")),
            )
        )
    return tuple(result)


def _attached(entries: list[JsonValue], where: str) -> tuple[AttachedPolicy, ...]:
    result: list[AttachedPolicy] = []
    for position, entry in enumerate(entries):
        item = as_object(entry, f"{where}[{position}]")
        result.append(
            AttachedPolicy(
                arn=field_text(item, "PolicyArn", f"{where}[{position}]"),
                name=optional_text(item, "PolicyName") or "",
            )
        )
    return tuple(result)


def _boundary(item: JsonObject) -> str | None:
    boundary = item.get("PermissionsBoundary")
    if isinstance(boundary, dict):
        return optional_text(boundary, "PermissionsBoundaryArn")
    return None


def _user(item: JsonObject, where: str) -> User:
    return User(
        name=field_text(item, "UserName", where),
        arn=field_text(item, "Arn", where),
        user_id=optional_text(item, "UserId") or "",
        path=optional_text(item, "Path") or "/",
        created=parse_aws_time(item.get("CreateDate")),
        inline_policies=_inline(field_list(item, "UserPolicyList", where), f"{where}.UserPolicyList"),
        attached_policies=_attached(
            field_list(item, "AttachedManagedPolicies", where), f"{where}.AttachedManagedPolicies"
        ),
        groups=tuple(g for g in field_list(item, "GroupList", where) if isinstance(g, str)),
        permissions_boundary=_boundary(item),
        tags=string_map(item.get("Tags")),
    )


def _group(item: JsonObject, where: str) -> Group:
    return Group(
        name=field_text(item, "GroupName", where),
        arn=field_text(item, "Arn", where),
        group_id=optional_text(item, "GroupId") or "",
        path=optional_text(item, "Path") or "/",
        created=parse_aws_time(item.get("CreateDate")),
        inline_policies=_inline(field_list(item, "GroupPolicyList", where), f"{where}.GroupPolicyList"),
        attached_policies=_attached(
            field_list(item, "AttachedManagedPolicies", where), f"{where}.AttachedManagedPolicies"
        ),
    )


def _role(item: JsonObject, where: str) -> Role:
    last_used = item.get("RoleLastUsed")
    last_used_obj = last_used if isinstance(last_used, dict) else {}
    profiles = []
    for profile in field_list(item, "InstanceProfileList", where):
        if isinstance(profile, dict):
            arn = optional_text(profile, "Arn") or optional_text(profile, "InstanceProfileName")
            if arn:
                profiles.append(arn)
    return Role(
        name=field_text(item, "RoleName", where),
        arn=field_text(item, "Arn", where),
        role_id=optional_text(item, "RoleId") or "",
        path=optional_text(item, "Path") or "/",
        created=parse_aws_time(item.get("CreateDate")),
        trust_policy=policy_document(item.get("AssumeRolePolicyDocument")),
        inline_policies=_inline(field_list(item, "RolePolicyList", where), f"{where}.RolePolicyList"),
        attached_policies=_attached(
            field_list(item, "AttachedManagedPolicies", where), f"{where}.AttachedManagedPolicies"
        ),
        permissions_boundary=_boundary(item),
        tags=string_map(item.get("Tags")),
        description=optional_text(item, "Description") or "",
        max_session_duration=as_int(item.get("MaxSessionDuration")),
        last_used=parse_aws_time(last_used_obj.get("LastUsedDate")),
        last_used_region=optional_text(last_used_obj, "Region"),
        instance_profiles=tuple(profiles),
    )


def _policy(item: JsonObject, where: str) -> ManagedPolicy:
    arn = field_text(item, "Arn", where)
    versions: list[PolicyVersion] = []
    for position, entry in enumerate(field_list(item, "PolicyVersionList", where)):
        version = as_object(entry, f"{where}.PolicyVersionList[{position}]")
        versions.append(
            PolicyVersion(
                version_id=optional_text(version, "VersionId") or "",
                document=policy_document(version.get("Document")),
                is_default=as_bool(version.get("IsDefaultVersion")),
                created=parse_aws_time(version.get("CreateDate")),
            )
        )
    default_id = optional_text(item, "DefaultVersionId") or ""
    default = next((v for v in versions if v.is_default), None) or next(
        (v for v in versions if v.version_id == default_id), None
    )
    boundary_count = as_int(item.get("PermissionsBoundaryUsageCount"))
    return ManagedPolicy(
        arn=arn,
        # moto (and hand-trimmed exports) may omit the name: the ARN's last segment is the name.
        name=optional_text(item, "PolicyName") or arn.rsplit("/", 1)[-1],
        document=default.document if default is not None else None,
        policy_id=optional_text(item, "PolicyId") or "",
        path=optional_text(item, "Path") or "/",
        default_version_id=default_id or (default.version_id if default else ""),
        versions=tuple(versions),
        attachment_count=as_int(item.get("AttachmentCount")),
        boundary_usage_count=boundary_count,
        is_attachable=as_bool(item.get("IsAttachable"), default=True),
        created=parse_aws_time(item.get("CreateDate")),
        updated=parse_aws_time(item.get("UpdateDate")),
    )
