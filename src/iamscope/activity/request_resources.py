"""Which resources a request names: the catalogue's ARN formats filled from ``requestParameters``.

CloudTrail records what the caller sent, not which ARNs IAM authorised. For each resource type an
action takes, the placeholders of its ARN format (``instance/${InstanceId}``) are matched with the
request's parameter names at any depth (``instancesSet.items[].instanceId``, ``instanceIds[]``,
EC2's ``{"content": ...}`` wrappers) by their words: equal (``instanceIds`` -> ``InstanceId``),
one ending the other (``groupId`` -> ``SecurityGroupId``, ``dBSnapshotIdentifier`` ->
``SnapshotName``), a bare ``name``/``id`` for ``<type>Name``/``<type>Id``, and a generic
``${ResourceId}`` named after its type. EC2-style ids (``i-``, ``sg-``...) are checked against the
type they claim to be and found under any parameter name (``ssm:StartSession``'s ``target``). Every
type whose ARN is complete is returned, one ARN per value named: AWS authorises each (SendCommand
on the document and on every instance). Only what the rules cannot derive is a table below.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from iamscope.engine.catalog import ResourceTypeInfo

__all__ = ["STANDARD_PLACEHOLDERS", "arn_last_name", "fill_format", "named_resources", "placeholders_of"]

_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_EC2_ID = re.compile(r"([a-z]+)-[0-9A-Za-z]{8,17}")
# Placeholders every ARN format shares: the rest name the resource.
STANDARD_PLACEHOLDERS = frozenset({"Partition", "Region", "Account", "AccountId"})
# Keys whose value belongs to the enclosing parameter (EC2's query protocol: {"content", "tag"}).
_WRAPPERS = frozenset({"content", "items", "item", "member"})
_MAX_LEAVES = 400  # request parameters can be large (policy documents, user data): bounded work
_MAX_ARNS = 100

# --- The irregular rest, as small tables ---------------------------------------------------------
# CloudTrail parameter names that no word rule relates to the catalogue's placeholder.
PLACEHOLDER_PARAMETERS: Mapping[str, tuple[str, ...]] = {
    "ObjectName": ("key",),
    "BucketName": ("bucketName", "bucket"),
    "RoleNameWithPath": ("roleName",),
    "UserNameWithPath": ("userName",),
    "GroupNameWithPath": ("groupName",),
    "PolicyNameWithPath": ("policyName",),
    "InstanceProfileNameWithPath": ("instanceProfileName",),
    "SecretId": ("secretId", "name"),
    "ParameterNameWithoutLeadingSlash": ("name",),
    "KeyId": ("keyId",),
}
# Words that mean the same in parameter and placeholder names (RDS: dBInstanceIdentifier, DbInstanceName).
_SYNONYMS: Mapping[str, str] = {"identifier": "name"}
# The id prefix of EC2-style resource types: an id with another prefix names another kind.
_ID_PREFIXES: Mapping[tuple[str, str], str] = {
    ("ec2", "instance"): "i",
    ("ssm", "managed-instance"): "mi",
    ("ec2", "security-group"): "sg",
    ("ec2", "subnet"): "subnet",
    ("ec2", "vpc"): "vpc",
    ("ec2", "volume"): "vol",
    ("ec2", "snapshot"): "snap",
    ("ec2", "image"): "ami",
    ("ec2", "network-interface"): "eni",
    ("ec2", "vpc-flow-log"): "fl",
    ("ec2", "launch-template"): "lt",
    ("ec2", "internet-gateway"): "igw",
    ("ec2", "route-table"): "rtb",
    ("ec2", "network-acl"): "acl",
    ("ec2", "natgateway"): "nat",
    ("ec2", "transit-gateway"): "tgw",
    ("ec2", "elastic-ip"): "eipalloc",
    ("ec2", "vpc-endpoint"): "vpce",
}
# Resources AWS authorises that a request may leave out: action -> placeholder -> default value.
# - ssm:StartSession without documentName uses SSM-SessionManagerRunShell, which the policy must
#   allow (AWS Systems Manager User Guide, "Start a default shell session by specifying the default
#   session document in IAM policies").
DEFAULT_PARAMETERS: Mapping[str, Mapping[str, str]] = {
    "ssm:StartSession": {"DocumentName": "SSM-SessionManagerRunShell"},
}


def _words(name: str) -> tuple[str, ...]:
    """Lower-case words of a camel-case or dashed name, synonyms folded (``dBSnapshotIdentifier``)."""
    found = _WORD.findall(name[:1].upper() + name[1:])
    return tuple(_SYNONYMS.get(w.lower(), w.lower()) for w in found)


def placeholders_of(arn_format: str) -> tuple[str, ...]:
    """The placeholders of an ARN format, in order (``Partition``, ``Region``... included)."""
    return tuple(_PLACEHOLDER.findall(arn_format))


def arn_last_name(arn: str) -> str:
    """The last part of an ARN's resource (``role/path/name`` -> ``name``)."""
    return re.split(r"[:/]", arn.split(":", 5)[-1])[-1]


@dataclass(frozen=True, slots=True)
class _Leaf:
    """One string value of the request and the words of the parameter that holds it."""

    words: tuple[str, ...]
    key: str
    value: str


def _leaves(params: Mapping[str, object]) -> list[_Leaf]:
    out: list[_Leaf] = []

    def walk(value: object, key: str, listed: bool, depth: int) -> None:
        if len(out) >= _MAX_LEAVES or depth > 8:
            return
        if isinstance(value, str):
            if value:
                out.append(_Leaf(_key_words(key, listed), key, value))
        elif isinstance(value, dict):
            for child_key, child in value.items():
                inherit = child_key in _WRAPPERS and key
                walk(child, key if inherit else str(child_key), listed and bool(inherit), depth + 1)
        elif isinstance(value, list):
            for child in value:
                walk(child, key, True, depth + 1)

    for key, value in params.items():
        walk(value, key, False, 0)
    return out


@lru_cache(maxsize=4096)
def _key_words(key: str, listed: bool) -> tuple[str, ...]:
    words = _words(key)
    if listed and words and len(words[-1]) > 2 and words[-1].endswith("s"):
        words = (*words[:-1], words[-1][:-1])  # instanceIds[] -> instanceId
    return words


@lru_cache(maxsize=16384)
def _names(placeholder: str, type_name: str, key: str, words: tuple[str, ...]) -> bool:
    """Whether a parameter (``key`` with ``words``) names this placeholder of this resource type."""
    if key in PLACEHOLDER_PARAMETERS.get(placeholder, ()):
        return True
    wanted = _words(placeholder)
    if wanted and wanted[:-1] in ((), ("resource",)):
        wanted = (*_words(type_name.replace("-", " ").title()), wanted[-1])  # ${ResourceId}
    if words == wanted:
        return True
    if len(words) == 1 and words[0] in ("name", "id") and wanted[-1:] == words:
        # a bare "name" or "id": the type's own name or id (trail/${TrailName})
        return wanted[:-1] == _words(type_name.replace("-", " ").title())
    shorter, longer = sorted((words, wanted), key=len)
    return len(shorter) >= 2 and longer[-len(shorter) :] == shorter


def _id_prefix(resource_type: ResourceTypeInfo) -> str | None:
    """The id prefix of an EC2-style type, by the ARN's own service (SSM lists EC2 instances)."""
    parts = resource_type.arn_format.split(":")
    service = parts[2] if len(parts) > 2 else resource_type.service
    return _ID_PREFIXES.get((service, resource_type.name.lower()))


def _fits_kind(resource_type: ResourceTypeInfo, value: str) -> bool:
    """False when ``value`` is an EC2-style id of another kind than this type's."""
    match = _EC2_ID.fullmatch(value)
    if match is None:
        return True
    prefix = _id_prefix(resource_type)
    return prefix is None or match.group(1) == prefix


def _values(
    action: str, resource_type: ResourceTypeInfo, placeholder: str, leaves: list[_Leaf]
) -> tuple[list[str], tuple[str, ...]]:
    """Values the request gives a placeholder, and the parameters they came from."""
    values: list[str] = []
    keys: list[str] = []
    for leaf in leaves:
        if _names(placeholder, resource_type.name, leaf.key, leaf.words) and _fits_kind(
            resource_type, leaf.value
        ):
            value = arn_last_name(leaf.value) if leaf.value.startswith("arn:") else leaf.value
            if value not in values:
                values.append(value)
                keys.append(leaf.key)
    if not values:
        prefix = _id_prefix(resource_type)
        if prefix is not None and placeholders_of(resource_type.arn_format)[-1] == placeholder:
            for leaf in leaves:
                match = _EC2_ID.fullmatch(leaf.value)
                if match is not None and match.group(1) == prefix and leaf.value not in values:
                    values.append(leaf.value)
                    keys.append(leaf.key)
    if not values:
        default = DEFAULT_PARAMETERS.get(action, {}).get(placeholder)
        if default is not None:
            values.append(default)
    return values, tuple(keys)


def fill_format(arn_format: str, values: Mapping[str, str]) -> str:
    """``arn_format`` with each placeholder replaced by its value (``*`` when it has none)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1)) or "*", arn_format)


def _substitute(arn_format: str, values: Mapping[str, str], partition: str, region: str, account: str) -> str:
    standard = {"Partition": partition, "Region": region, "Account": account, "AccountId": account}
    return fill_format(arn_format, {**standard, **values})


def named_resources(
    action: str,
    types: tuple[ResourceTypeInfo, ...],
    required: frozenset[str],
    params: Mapping[str, object],
    partition: str,
    region: str,
    account: str,
) -> list[str]:
    """The ARNs a request names for ``action`` (``types`` most likely first).

    A required type (``required``: lower-case type names) the request does not name becomes its ARN
    with ``*`` for the unnamed parts (RunInstances: the new ``instance/*``), unless another type
    named the same placeholders (an alternative: ``managed-instance`` for ``instance``). Nothing
    named at all: ``*`` when no type is required, else the likeliest type with wildcards.
    """
    leaves = _leaves(params)
    found: list[str] = []
    used_keys: set[str] = set()
    named: set[str] = set()  # placeholders of the types found
    for leaf in leaves:
        if leaf.value.startswith("arn:") and leaf.value not in found:
            for resource_type in types:
                if resource_type.arn_regex.fullmatch(leaf.value):
                    found.append(leaf.value)
                    used_keys.add(leaf.key)
                    named.update(placeholders_of(resource_type.arn_format))
                    break
    leaves = [leaf for leaf in leaves if leaf.key not in used_keys]
    guesses: list[tuple[ResourceTypeInfo, str, frozenset[str]]] = []
    signatures: set[tuple[tuple[str, ...], ...]] = set()
    for resource_type in types:
        filled: dict[str, list[str]] = {}
        signature: list[tuple[str, ...]] = []
        for name in placeholders_of(resource_type.arn_format):
            if name not in STANDARD_PLACEHOLDERS and name not in filled:
                filled[name], keys = _values(action, resource_type, name, leaves)
                signature.append(keys)
        if not all(filled.values()):
            guess = {n: v[0] if len(v) == 1 else "*" for n, v in filled.items()}
            arn = _substitute(resource_type.arn_format, guess, partition, region, account)
            guesses.append((resource_type, arn, frozenset(filled)))
            continue
        if any(signature) and tuple(signature) in signatures:
            continue  # the same parameters already named an alternative type (function / web-function)
        signatures.add(tuple(signature))
        named.update(filled)
        names = list(filled)
        for combination in itertools.product(*(filled[n] for n in names)):
            values = dict(zip(names, combination, strict=True))
            arn = _substitute(resource_type.arn_format, values, partition, region, account)
            if arn not in found and len(found) < _MAX_ARNS:
                found.append(arn)
    if not found:
        if not required:
            return ["*"]
        return [guesses[0][1]] if guesses else ["*"]
    for resource_type, arn, placeholders in guesses:
        if resource_type.name.lower() in required and not placeholders <= named and arn not in found:
            found.append(arn)
    return found
