"""Optional Access Advisor data (service last accessed) per user, group and role.

GenerateServiceLastAccessedDetails is a read despite its verb: it starts a report job and changes
nothing in the account. It is one job per principal, which is why this is behind a flag.
"""

from __future__ import annotations

import time
from functools import partial
from typing import TYPE_CHECKING, Any

from iamscope.collect.aws.calls import AccountCalls
from iamscope.collect.bundle import GLOBAL_REGION, iam_file

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_iam.type_defs import GetAccountAuthorizationDetailsResponseTypeDef

__all__ = ["collect_access_advisor", "principals_of"]


def principals_of(gaad: GetAccountAuthorizationDetailsResponseTypeDef) -> tuple[str, ...]:
    """ARNs of the users, groups and roles of a GAAD response."""
    return (
        tuple(user["Arn"] for user in gaad.get("UserDetailList", []))
        + tuple(group["Arn"] for group in gaad.get("GroupDetailList", []))
        + tuple(role["Arn"] for role in gaad.get("RoleDetailList", []))
    )


def collect_access_advisor(
    calls: AccountCalls,
    iam: IAMClient,
    principals: tuple[str, ...],
    *,
    wait_seconds: float,
    poll_seconds: float,
) -> None:
    """Start a job per principal, poll them (bounded wait), write service-last-accessed.json."""
    jobs: dict[str, str] = {}
    for arn in principals:
        started = calls.call(
            "iam:GenerateServiceLastAccessedDetails",
            GLOBAL_REGION,
            partial(iam.generate_service_last_accessed_details, Arn=arn),
        )
        if started is not None:
            jobs[arn] = started["JobId"]
    results: list[dict[str, object]] = []
    deadline = time.monotonic() + wait_seconds
    pending = dict(jobs)
    while pending:
        for arn, job in list(pending.items()):
            details = calls.call(
                "iam:GetServiceLastAccessedDetails",
                GLOBAL_REGION,
                partial(_job_pages, iam, job),
            )
            if details is None:
                del pending[arn]
                continue
            status = details.get("JobStatus")
            if status == "COMPLETED":
                services = details.get("ServicesLastAccessed", [])
                results.append({"Arn": arn, "JobId": job, "ServicesLastAccessed": services})
                del pending[arn]
            elif status == "FAILED":
                error = details.get("Error", {})
                calls.record(
                    "iam:GetServiceLastAccessedDetails",
                    GLOBAL_REGION,
                    status="JobFailed",
                    error=f"{arn}: {error.get('Message', 'job failed')}",
                )
                del pending[arn]
        if pending and time.monotonic() >= deadline:
            for arn in pending:
                calls.record(
                    "iam:GetServiceLastAccessedDetails",
                    GLOBAL_REGION,
                    status="Timeout",
                    error=f"{arn}: job not finished within {wait_seconds:.0f} s",
                )
            break
        if pending:
            time.sleep(poll_seconds)
    calls.writer.write_json(iam_file(calls.account, "service-last-accessed.json"), {"Principals": results})


def _job_pages(iam: IAMClient, job: str) -> dict[str, Any]:
    """get-service-last-accessed-details with its Marker pages merged (boto3 has no paginator)."""
    merged: dict[str, Any] = {}
    marker: str | None = None
    while True:
        page = (
            iam.get_service_last_accessed_details(JobId=job, Marker=marker)
            if marker
            else iam.get_service_last_accessed_details(JobId=job)
        )
        services = merged.get("ServicesLastAccessed", [])
        merged.update(page)
        merged["ServicesLastAccessed"] = services + list(page.get("ServicesLastAccessed", []))
        if page.get("JobStatus") != "COMPLETED" or not page.get("IsTruncated"):
            merged.pop("Marker", None)
            merged.pop("IsTruncated", None)
            return merged
        marker = page.get("Marker")
