"""Smaller per-account IAM files of a bundle (password policy, MFA, keys...) read into the model."""

from __future__ import annotations

from iamscope.collect.awstime import parse_aws_time
from iamscope.collect.shape import (
    ShapeError,
    as_bool,
    as_int,
    as_object,
    field_list,
    field_object,
    field_text,
    optional_text,
)
from iamscope.model.document import JsonValue
from iamscope.model.snapshot import (
    AccessKey,
    IdentityProvider,
    PasswordPolicy,
    ServerCertificate,
    ServiceLastAccessed,
    VirtualMfaDevice,
)

__all__ = [
    "parse_access_keys",
    "parse_account_summary",
    "parse_identity_providers",
    "parse_password_policy",
    "parse_server_certificates",
    "parse_service_last_accessed",
    "parse_virtual_mfa_devices",
]


def parse_password_policy(document: JsonValue) -> PasswordPolicy:
    """get-account-password-policy output."""
    policy = field_object(as_object(document, "the document"), "PasswordPolicy", "the document")
    return PasswordPolicy(
        minimum_length=as_int(policy.get("MinimumPasswordLength")),
        require_symbols=as_bool(policy.get("RequireSymbols")),
        require_numbers=as_bool(policy.get("RequireNumbers")),
        require_uppercase=as_bool(policy.get("RequireUppercaseCharacters")),
        require_lowercase=as_bool(policy.get("RequireLowercaseCharacters")),
        allow_users_to_change=as_bool(policy.get("AllowUsersToChangePassword")),
        expire_passwords=as_bool(policy.get("ExpirePasswords")),
        max_age_days=as_int(policy.get("MaxPasswordAge")),
        reuse_prevention=as_int(policy.get("PasswordReusePrevention")),
        hard_expiry=as_bool(policy.get("HardExpiry")),
    )


def parse_account_summary(document: JsonValue) -> dict[str, int]:
    """get-account-summary output: the SummaryMap of counters and quotas."""
    summary = field_object(as_object(document, "the document"), "SummaryMap", "the document")
    result: dict[str, int] = {}
    for key, value in summary.items():
        number = as_int(value)
        if number is not None:
            result[key] = number
    return result


def parse_virtual_mfa_devices(document: JsonValue) -> tuple[VirtualMfaDevice, ...]:
    """list-virtual-mfa-devices output."""
    root = as_object(document, "the document")
    result: list[VirtualMfaDevice] = []
    for position, entry in enumerate(field_list(root, "VirtualMFADevices", "the document", required=True)):
        where = f"VirtualMFADevices[{position}]"
        device = as_object(entry, where)
        user = device.get("User")
        result.append(
            VirtualMfaDevice(
                serial_number=field_text(device, "SerialNumber", where),
                user_arn=optional_text(user, "Arn") if isinstance(user, dict) else None,
                enabled=parse_aws_time(device.get("EnableDate")),
            )
        )
    return tuple(result)


def parse_server_certificates(document: JsonValue) -> tuple[ServerCertificate, ...]:
    """list-server-certificates output."""
    root = as_object(document, "the document")
    result: list[ServerCertificate] = []
    entries = field_list(root, "ServerCertificateMetadataList", "the document", required=True)
    for position, entry in enumerate(entries):
        where = f"ServerCertificateMetadataList[{position}]"
        item = as_object(entry, where)
        result.append(
            ServerCertificate(
                name=field_text(item, "ServerCertificateName", where),
                arn=field_text(item, "Arn", where),
                expiration=parse_aws_time(item.get("Expiration")),
                uploaded=parse_aws_time(item.get("UploadDate")),
            )
        )
    return tuple(result)


def parse_identity_providers(saml: JsonValue | None, oidc: JsonValue | None) -> tuple[IdentityProvider, ...]:
    """list-saml-providers and list-open-id-connect-providers outputs (either may be None)."""
    result: list[IdentityProvider] = []
    if saml is not None:
        root = as_object(saml, "the SAML document")
        for entry in field_list(root, "SAMLProviderList", "the SAML document", required=True):
            arn = optional_text(as_object(entry, "SAMLProviderList[]"), "Arn")
            if arn:
                result.append(IdentityProvider(arn=arn, kind="saml"))
    if oidc is not None:
        root = as_object(oidc, "the OIDC document")
        key = "OpenIDConnectProviderList"
        for entry in field_list(root, key, "the OIDC document", required=True):
            arn = optional_text(as_object(entry, f"{key}[]"), "Arn")
            if arn:
                result.append(IdentityProvider(arn=arn, kind="oidc"))
    return tuple(result)


def parse_access_keys(listing: JsonValue, last_used: JsonValue | None) -> tuple[AccessKey, ...]:
    """list-access-keys output (merged over users) joined with access-keys-last-used.json."""
    root = as_object(listing, "the document")
    usage: dict[str, dict[str, JsonValue]] = {}
    if last_used is not None:
        used_root = as_object(last_used, "the last-used document")
        for entry in field_list(used_root, "AccessKeyLastUsed", "the last-used document", required=True):
            item = as_object(entry, "AccessKeyLastUsed[]")
            key_id = optional_text(item, "AccessKeyId")
            detail = item.get("AccessKeyLastUsed")
            if key_id and isinstance(detail, dict):
                usage[key_id] = detail
    result: list[AccessKey] = []
    for position, entry in enumerate(field_list(root, "AccessKeyMetadata", "the document", required=True)):
        where = f"AccessKeyMetadata[{position}]"
        item = as_object(entry, where)
        key_id = field_text(item, "AccessKeyId", where)
        detail = usage.get(key_id, {})
        result.append(
            AccessKey(
                user_name=field_text(item, "UserName", where),
                access_key_id=key_id,
                status=optional_text(item, "Status") or "Active",
                created=parse_aws_time(item.get("CreateDate")),
                last_used=parse_aws_time(detail.get("LastUsedDate")),
                last_used_service=_known(optional_text(detail, "ServiceName")),
                last_used_region=_known(optional_text(detail, "Region")),
            )
        )
    return tuple(result)


def parse_service_last_accessed(document: JsonValue) -> tuple[ServiceLastAccessed, ...]:
    """service-last-accessed.json: get-service-last-accessed-details output per principal."""
    root = as_object(document, "the document")
    result: list[ServiceLastAccessed] = []
    for position, entry in enumerate(field_list(root, "Principals", "the document", required=True)):
        where = f"Principals[{position}]"
        item = as_object(entry, where)
        principal = field_text(item, "Arn", where)
        for service_entry in field_list(item, "ServicesLastAccessed", where):
            service = as_object(service_entry, f"{where}.ServicesLastAccessed[]")
            namespace = optional_text(service, "ServiceNamespace")
            if namespace is None:
                raise ShapeError(f"{where}.ServicesLastAccessed[] has no 'ServiceNamespace'")
            result.append(
                ServiceLastAccessed(
                    principal_arn=principal,
                    service_namespace=namespace,
                    last_authenticated=parse_aws_time(service.get("LastAuthenticated")),
                    last_authenticated_entity=optional_text(service, "LastAuthenticatedEntity"),
                    last_authenticated_region=optional_text(service, "LastAuthenticatedRegion"),
                )
            )
    return tuple(result)


def _known(text: str | None) -> str | None:
    # get-access-key-last-used says "N/A" for a key never used.
    return None if text in {None, "", "N/A"} else text
