"""Account-wide IAM listings: authorization details (all pages), password policy, MFA..."""

from __future__ import annotations

from typing import TYPE_CHECKING

from iamscope.collect.aws.calls import AccountCalls
from iamscope.collect.bundle import GAAD_FILE, GLOBAL_REGION, iam_file

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_iam.type_defs import GetAccountAuthorizationDetailsResponseTypeDef

__all__ = ["collect_iam"]


def collect_iam(calls: AccountCalls, iam: IAMClient) -> GetAccountAuthorizationDetailsResponseTypeDef | None:
    """Write the global IAM files of one account; returns the merged GAAD (None when it failed).

    Every listing is paginated and merged the way the AWS CLI merges pages, so the number of calls
    grows with pages (GAAD returns up to 1,000 entities a page), never with users or roles.
    """
    account = calls.account
    gaad = calls.call(
        "iam:GetAccountAuthorizationDetails",
        GLOBAL_REGION,
        lambda: (
            iam.get_paginator("get_account_authorization_details")
            .paginate(PaginationConfig={"PageSize": 1000})
            .build_full_result()
        ),
        file=iam_file(account, GAAD_FILE),
    )
    # NoSuchEntity here means "no password policy": the manifest keeps that status, no file.
    calls.call(
        "iam:GetAccountPasswordPolicy",
        GLOBAL_REGION,
        iam.get_account_password_policy,
        file=iam_file(account, "get-account-password-policy.json"),
    )
    calls.call(
        "iam:GetAccountSummary",
        GLOBAL_REGION,
        iam.get_account_summary,
        file=iam_file(account, "get-account-summary.json"),
    )
    calls.call(
        "iam:ListVirtualMFADevices",
        GLOBAL_REGION,
        lambda: iam.get_paginator("list_virtual_mfa_devices").paginate().build_full_result(),
        file=iam_file(account, "list-virtual-mfa-devices.json"),
    )
    calls.call(
        "iam:ListServerCertificates",
        GLOBAL_REGION,
        lambda: iam.get_paginator("list_server_certificates").paginate().build_full_result(),
        file=iam_file(account, "list-server-certificates.json"),
    )
    calls.call(
        "iam:ListSAMLProviders",
        GLOBAL_REGION,
        iam.list_saml_providers,
        file=iam_file(account, "list-saml-providers.json"),
    )
    calls.call(
        "iam:ListOpenIDConnectProviders",
        GLOBAL_REGION,
        iam.list_open_id_connect_providers,
        file=iam_file(account, "list-open-id-connect-providers.json"),
    )
    return gaad  # type: ignore[return-value]  # build_full_result is the merged response
