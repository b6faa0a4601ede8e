"""The organization/ directory of a bundle read into the tree, accounts, SCPs and RCPs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from iamscope.collect.shape import (
    ShapeError,
    as_bool,
    as_object,
    field_list,
    field_object,
    field_text,
    optional_text,
    policy_document,
)
from iamscope.model.document import JsonValue
from iamscope.model.snapshot import OrgAccount, Organization, OrgPolicy, OrgUnit

__all__ = ["parse_org_policy", "parse_organization"]

OrgPolicyType = Literal["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"]


def parse_org_policy(policy: JsonValue, targets: JsonValue | None) -> OrgPolicy | None:
    """describe-policy output with its list-targets-for-policy output; None for other types."""
    described = field_object(as_object(policy, "the document"), "Policy", "the document")
    summary = field_object(described, "PolicySummary", "Policy")
    kind = field_text(summary, "Type", "Policy.PolicySummary")
    if kind == "SERVICE_CONTROL_POLICY":
        policy_type: OrgPolicyType = "SERVICE_CONTROL_POLICY"
    elif kind == "RESOURCE_CONTROL_POLICY":
        policy_type = "RESOURCE_CONTROL_POLICY"
    else:
        return None
    target_ids: list[str] = []
    if targets is not None:
        root = as_object(targets, "the targets document")
        for entry in field_list(root, "Targets", "the targets document", required=True):
            target = optional_text(as_object(entry, "Targets[]"), "TargetId")
            if target:
                target_ids.append(target)
    return OrgPolicy(
        id=field_text(summary, "Id", "Policy.PolicySummary"),
        name=optional_text(summary, "Name") or "",
        type=policy_type,
        document=policy_document(described.get("Content")),
        targets=tuple(target_ids),
        aws_managed=as_bool(summary.get("AwsManaged")),
    )


def parse_organization(
    description: JsonValue,
    *,
    roots: JsonValue | None,
    units: JsonValue | None,
    accounts: JsonValue | None,
    parents: JsonValue | None,
    policies: Sequence[OrgPolicy],
) -> Organization:
    """Assemble the organization from its files; only describe-organization is required."""
    organization = field_object(as_object(description, "the document"), "Organization", "the document")
    tree: list[OrgUnit] = []
    if roots is not None:
        for entry in field_list(as_object(roots, "list-roots"), "Roots", "list-roots", required=True):
            root = as_object(entry, "Roots[]")
            tree.append(
                OrgUnit(
                    id=field_text(root, "Id", "Roots[]"),
                    name=optional_text(root, "Name") or "Root",
                    parent_id=None,
                )
            )
    if units is not None:
        key = "OrganizationalUnits"
        for entry in field_list(as_object(units, "ous.json"), key, "ous.json", required=True):
            unit = as_object(entry, f"{key}[]")
            tree.append(
                OrgUnit(
                    id=field_text(unit, "Id", f"{key}[]"),
                    name=optional_text(unit, "Name") or "",
                    parent_id=optional_text(unit, "ParentId"),
                )
            )
    parent_of: dict[str, str] = {}
    if parents is not None:
        key = "AccountParents"
        for entry in field_list(
            as_object(parents, "account-parents.json"), key, "account-parents.json", required=True
        ):
            item = as_object(entry, f"{key}[]")
            parent_of[field_text(item, "AccountId", f"{key}[]")] = field_text(item, "ParentId", f"{key}[]")
    members: list[OrgAccount] = []
    if accounts is not None:
        for entry in field_list(
            as_object(accounts, "list-accounts"), "Accounts", "list-accounts", required=True
        ):
            account = as_object(entry, "Accounts[]")
            account_id = field_text(account, "Id", "Accounts[]")
            members.append(
                OrgAccount(
                    id=account_id,
                    name=optional_text(account, "Name") or "",
                    parent_id=parent_of.get(account_id),
                    email=optional_text(account, "Email") or "",
                    status=optional_text(account, "Status") or "ACTIVE",
                )
            )
    management = optional_text(organization, "MasterAccountId") or optional_text(
        organization, "ManagementAccountId"
    )
    if management is None:
        raise ShapeError("Organization has no 'MasterAccountId'")
    return Organization(
        id=field_text(organization, "Id", "Organization"),
        management_account_id=management,
        units=tuple(tree),
        accounts=tuple(members),
        policies=tuple(policies),
    )
