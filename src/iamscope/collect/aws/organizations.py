"""The organization seen from its management account: tree, accounts, SCPs and RCPs and targets.

Calls grow with OUs and policies (one listing per parent, two reads per policy), not accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from iamscope.collect.aws.calls import AccountCalls
from iamscope.collect.bundle import GLOBAL_REGION, ORGANIZATION_DIR

if TYPE_CHECKING:
    from mypy_boto3_organizations import OrganizationsClient
    from mypy_boto3_organizations.literals import PolicyTypeType

__all__ = ["OrganizationListing", "collect_organization"]

_POLICY_TYPES: tuple[PolicyTypeType, ...] = ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY")


@dataclass(frozen=True, slots=True)
class OrganizationListing:
    """What the run needs to go on: the management account and the active member accounts."""

    management_account: str
    active_accounts: tuple[str, ...]


def collect_organization(calls: AccountCalls, client: OrganizationsClient) -> OrganizationListing | None:
    """Write organization/ files; None when the caller cannot describe an organization."""

    def out(name: str) -> str:
        return f"{ORGANIZATION_DIR}/{name}"

    described = calls.call(
        "organizations:DescribeOrganization",
        GLOBAL_REGION,
        client.describe_organization,
        file=out("describe-organization.json"),
    )
    if described is None:
        return None
    roots = calls.call(
        "organizations:ListRoots",
        GLOBAL_REGION,
        lambda: client.get_paginator("list_roots").paginate().build_full_result(),
        file=out("list-roots.json"),
    )
    parents = [root["Id"] for root in (roots or {}).get("Roots", [])]
    units: list[dict[str, object]] = []
    account_parents: list[dict[str, object]] = []
    while parents:
        parent = parents.pop(0)
        children = calls.call(
            "organizations:ListOrganizationalUnitsForParent",
            GLOBAL_REGION,
            partial(_units_of, client, parent),
        )
        for unit in (children or {}).get("OrganizationalUnits", []):
            units.append({"Id": unit["Id"], "Name": unit.get("Name", ""), "ParentId": parent})
            parents.append(unit["Id"])
        members = calls.call(
            "organizations:ListAccountsForParent",
            GLOBAL_REGION,
            partial(_accounts_of, client, parent),
        )
        for account in (members or {}).get("Accounts", []):
            account_parents.append({"AccountId": account["Id"], "ParentId": parent})
    calls.writer.write_json(out("ous.json"), {"OrganizationalUnits": units})
    calls.writer.write_json(out("account-parents.json"), {"AccountParents": account_parents})
    accounts = calls.call(
        "organizations:ListAccounts",
        GLOBAL_REGION,
        lambda: client.get_paginator("list_accounts").paginate().build_full_result(),
        file=out("list-accounts.json"),
    )
    for policy_type in _POLICY_TYPES:
        # RCPs answer PolicyTypeNotEnabledException where they are not enabled: recorded, not fatal.
        listed = calls.call(
            f"organizations:ListPolicies[{policy_type}]",
            GLOBAL_REGION,
            partial(_policies_of, client, policy_type),
        )
        for summary in (listed or {}).get("Policies", []):
            policy_id = summary["Id"]
            calls.call(
                "organizations:DescribePolicy",
                GLOBAL_REGION,
                partial(client.describe_policy, PolicyId=policy_id),
                file=out(f"policies/{policy_id}.json"),
            )
            calls.call(
                "organizations:ListTargetsForPolicy",
                GLOBAL_REGION,
                partial(_targets_of, client, policy_id),
                file=out(f"policy-targets/{policy_id}.json"),
            )
    management = described["Organization"].get("MasterAccountId", "")
    active = tuple(
        account["Id"]
        for account in (accounts or {}).get("Accounts", [])
        if account.get("Status", "ACTIVE") == "ACTIVE"
    )
    return OrganizationListing(management_account=management, active_accounts=active)


def _units_of(client: OrganizationsClient, parent: str) -> dict[str, Any]:
    pages = client.get_paginator("list_organizational_units_for_parent").paginate(ParentId=parent)
    return pages.build_full_result()


def _accounts_of(client: OrganizationsClient, parent: str) -> dict[str, Any]:
    pages = client.get_paginator("list_accounts_for_parent").paginate(ParentId=parent)
    return pages.build_full_result()


def _policies_of(client: OrganizationsClient, policy_type: PolicyTypeType) -> dict[str, Any]:
    pages = client.get_paginator("list_policies").paginate(Filter=policy_type)
    return pages.build_full_result()


def _targets_of(client: OrganizationsClient, policy_id: str) -> dict[str, Any]:
    pages = client.get_paginator("list_targets_for_policy").paginate(PolicyId=policy_id)
    return pages.build_full_result()
