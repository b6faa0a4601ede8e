"""AWS CLI output shapes for generated sample data: GAAD entries, credential report rows, listings.

The demo organisation is written as the AWS CLI would print it, so the real bundle loader reads
it exactly as it reads a collected bundle.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from iamscope.collect.credential_report import COLUMNS
from iamscope.model.document import JsonObject, JsonValue

__all__ = [
    "CREDENTIAL_REPORT_COLUMNS",
    "CredentialRow",
    "Principal",
    "aws_time",
    "credential_report_csv",
    "gaad",
    "managed_policy",
]

CREDENTIAL_REPORT_COLUMNS = COLUMNS  # the reader's list: writer and reader cannot drift apart


def aws_time(moment: datetime | None) -> str:
    """ISO-8601 with a ``+00:00`` offset, as the AWS CLI prints times (``N/A`` for none)."""
    return "N/A" if moment is None else moment.isoformat()


@dataclass(frozen=True, slots=True)
class Principal:
    """A user or role to put in a GAAD file."""

    kind: str  # "user" or "role"
    name: str
    created: datetime
    managed: Sequence[str] = ()  # policy ARNs
    inline: Mapping[str, JsonValue] = field(default_factory=dict)
    groups: Sequence[str] = ()
    trust: JsonValue = None
    tags: Mapping[str, str] = field(default_factory=dict)
    path: str = "/"
    last_used: datetime | None = None
    boundary: str | None = None


@dataclass(frozen=True, slots=True)
class CredentialRow:
    """One credential report row; keys are (active, last_rotated, last_used) triples."""

    user: str
    arn: str
    created: datetime
    password: bool | None
    password_last_used: datetime | None = None
    mfa: bool = False
    keys: Sequence[tuple[bool, datetime | None, datetime | None]] = ()


def managed_policy(
    arn: str, name: str, document: JsonValue, created: datetime, attachments: int
) -> JsonObject:
    """One entry of the GAAD ``Policies`` list."""
    return {
        "PolicyName": name,
        "PolicyId": "ANPA" + name.upper().replace("-", "")[:16].ljust(16, "X"),
        "Arn": arn,
        "Path": "/",
        "DefaultVersionId": "v1",
        "AttachmentCount": attachments,
        "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True,
        "CreateDate": aws_time(created),
        "UpdateDate": aws_time(created),
        "PolicyVersionList": [
            {
                "Document": document,
                "VersionId": "v1",
                "IsDefaultVersion": True,
                "CreateDate": aws_time(created),
            }
        ],
    }


def _attached(arns: Sequence[str]) -> list[JsonValue]:
    return [{"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a} for a in arns]


def _inline(policies: Mapping[str, JsonValue]) -> list[JsonValue]:
    return [{"PolicyName": n, "PolicyDocument": d} for n, d in policies.items()]


def _tags(tags: Mapping[str, str]) -> list[JsonValue]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def _unique_id(prefix: str, account: str, name: str) -> str:
    return prefix + (account[-4:] + name.upper().replace("-", "").replace("_", ""))[:17].ljust(17, "0")


def gaad(
    account: str,
    principals: Sequence[Principal],
    groups: Mapping[str, Sequence[str]],
    policies: Sequence[JsonObject],
    created: datetime,
) -> JsonObject:
    """A get-account-authorization-details document."""
    users: list[JsonValue] = []
    roles: list[JsonValue] = []
    for p in principals:
        base: JsonObject = {
            "Path": p.path,
            "Arn": f"arn:aws:iam::{account}:{p.kind}{p.path}{p.name}",
            "CreateDate": aws_time(p.created),
            "AttachedManagedPolicies": _attached(p.managed),
            "Tags": _tags(p.tags),
        }
        if p.boundary:
            base["PermissionsBoundary"] = {
                "PermissionsBoundaryType": "Policy",
                "PermissionsBoundaryArn": p.boundary,
            }
        if p.kind == "user":
            base.update(
                UserName=p.name,
                UserId=_unique_id("AIDA", account, p.name),
                GroupList=list(p.groups),
                UserPolicyList=_inline(p.inline),
            )
            users.append(base)
        else:
            last: JsonObject = {}
            if p.last_used is not None:
                last = {"LastUsedDate": aws_time(p.last_used), "Region": "us-east-1"}
            base.update(
                RoleName=p.name,
                RoleId=_unique_id("AROA", account, p.name),
                AssumeRolePolicyDocument=p.trust,
                InstanceProfileList=[],
                RolePolicyList=_inline(p.inline),
                RoleLastUsed=last,
            )
            roles.append(base)
    group_list: list[JsonValue] = [
        {
            "Path": "/",
            "GroupName": name,
            "GroupId": _unique_id("AGPA", account, name),
            "Arn": f"arn:aws:iam::{account}:group/{name}",
            "CreateDate": aws_time(created),
            "GroupPolicyList": [],
            "AttachedManagedPolicies": _attached(arns),
        }
        for name, arns in groups.items()
    ]
    return {
        "UserDetailList": users,
        "GroupDetailList": group_list,
        "RoleDetailList": roles,
        "Policies": list(policies),
    }


def credential_report_csv(rows: Sequence[CredentialRow]) -> str:
    """The decoded credential report CSV with AWS's column names and 'N/A' conventions."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CREDENTIAL_REPORT_COLUMNS)
    for row in rows:
        password = "not_supported" if row.password is None else str(row.password).lower()
        cells = [
            row.user,
            row.arn,
            aws_time(row.created),
            password,
            aws_time(row.password_last_used) if row.password is not False else "N/A",
            "N/A" if row.password is None else aws_time(row.created) if row.password else "N/A",
            "N/A",
            str(row.mfa).lower(),
        ]
        for slot in range(2):
            if slot < len(row.keys):
                active, rotated, used = row.keys[slot]
                cells += [
                    str(active).lower(),
                    aws_time(rotated),
                    aws_time(used),
                    "us-east-1" if used else "N/A",
                    "iam" if used else "N/A",
                ]
            else:
                cells += ["false", "N/A", "N/A", "N/A", "N/A"]
        cells += ["false", "N/A", "false", "N/A"]
        writer.writerow(cells)
    return out.getvalue()
