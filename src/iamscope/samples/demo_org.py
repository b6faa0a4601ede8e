"""The demo organisation: three accounts written as a bundle, generated (never committed) on demand.

- 111111111111 ``startup``: the organisation's management account (the company began here and
  created the organisation from it, so SCPs do not reach it). Fifteen developer roles
  ``developer-01`` .. ``developer-15`` with AdministratorAccess, old and duplicate access keys,
  console users without MFA, a root user with keys and no MFA, a public and a vendor trust, a
  public bucket (no Block Public Access), a bucket whose ACL any AWS account may list, and a queue
  a vendor may write to.
- 222222222222 ``production``: better kept, with a legacy inline admin, a CI deploy role trusted
  from the startup account, a service trust without a source condition, a function any
  account's S3 bucket can invoke (a confused deputy; resource policies: see ``demo_resources``)
  and a bucket with a public policy and ACL that the account's Block Public Access neutralises
  (S3 settings: see ``demo_buckets``).
- 333333333333 ``security``: the audit account, compliant with CIS section 1.

Everything is a pure function of ``collected_at``: the same call writes the same bytes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast
from urllib.parse import quote

from iamscope.analysis.checks.monitoring import IAM_CONFIG_RULES
from iamscope.model.document import JsonObject, JsonValue
from iamscope.samples.aws_shapes import (
    CredentialRow,
    Principal,
    aws_time,
    credential_report_csv,
    gaad,
    managed_policy,
)
from iamscope.samples.demo_buckets import demo_bucket_calls
from iamscope.samples.demo_resources import demo_resources

__all__ = ["ACCOUNTS", "DEMO_COLLECTED_AT", "DEVELOPER_ROLES", "write_demo_bundle"]

DEMO_COLLECTED_AT = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
STARTUP, PRODUCTION, SECURITY = "111111111111", "222222222222", "333333333333"
ACCOUNTS = {STARTUP: "startup", PRODUCTION: "production", SECURITY: "security"}
DEVELOPER_ROLES = tuple(f"developer-{n:02d}" for n in range(1, 16))
REGIONS = ("eu-west-1", "us-east-1")
VENDOR = "444455556666"
ORG_ID = "o-demo1234567"
ROOT_ID = "r-demo"
OU_WORKLOADS, OU_SECURITY = "ou-demo-workloads", "ou-demo-security"


def _doc(*statements: JsonValue) -> JsonValue:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _trust(principal: JsonValue, condition: JsonValue = None) -> JsonValue:
    statement: JsonObject = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition is not None:
        statement["Condition"] = condition
    return _doc(statement)


AWS_POLICIES: dict[str, JsonValue] = {
    "AdministratorAccess": _doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    "PowerUserAccess": _doc(
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["iam:CreateServiceLinkedRole", "iam:ListRoles"], "Resource": "*"},
    ),
    "ReadOnlyAccess": _doc(
        {
            "Effect": "Allow",
            "Action": [
                "s3:Get*",
                "s3:List*",
                "ec2:Describe*",
                "iam:Get*",
                "iam:List*",
                "dynamodb:GetItem",
                "dynamodb:Scan",
                "logs:Get*",
            ],
            "Resource": "*",
        }
    ),
    "SecurityAudit": _doc(
        {
            "Effect": "Allow",
            "Action": [
                "iam:Get*",
                "iam:List*",
                "config:Describe*",
                "cloudtrail:Describe*",
                "access-analyzer:List*",
            ],
            "Resource": "*",
        }
    ),
    "AWSSupportAccess": _doc({"Effect": "Allow", "Action": ["support:*"], "Resource": "*"}),
    "AWSCloudShellFullAccess": _doc({"Effect": "Allow", "Action": ["cloudshell:*"], "Resource": "*"}),
}


def _aws(name: str) -> str:
    return f"arn:aws:iam::aws:policy/{name}"


def _ago(days: float) -> datetime:
    return DEMO_COLLECTED_AT - timedelta(days=days)


class _Writer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.calls: list[JsonObject] = []

    def json(
        self,
        account: str,
        region: str,
        call: str,
        relative: str,
        document: JsonValue,
        resource: str | None = None,
    ) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        self.record(account, region, call, "ok", relative, resource)

    def record(
        self, account: str, region: str, call: str, status: str, relative: str | None, resource: str | None
    ) -> None:
        entry: JsonObject = {
            "account": account,
            "region": region,
            "call": call,
            "status": status,
            "error": None,
            "file": relative,
        }
        if resource is not None:
            entry["resource"] = resource
        self.calls.append(entry)

    def text(self, account: str, call: str, relative: str, text: str) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.calls.append(
            {
                "account": account,
                "region": "global",
                "call": call,
                "status": "ok",
                "error": None,
                "file": relative,
            }
        )


def _write_account(
    w: _Writer,
    account: str,
    principals: list[Principal],
    groups: dict[str, list[str]],
    customer: dict[str, JsonValue],
    credentials: list[CredentialRow],
    extras: JsonObject,
) -> None:
    used: dict[str, int] = {}
    for p in principals:
        for arn in p.managed:
            used[arn] = used.get(arn, 0) + 1
    for arns in groups.values():
        for arn in arns:
            used[arn] = used.get(arn, 0) + 1
    policies = [
        managed_policy(_aws(n), n, d, _ago(2000), used.get(_aws(n), 0))
        for n, d in AWS_POLICIES.items()
        if _aws(n) in used
    ]
    policies += [
        managed_policy(
            f"arn:aws:iam::{account}:policy/{n}",
            n,
            d,
            _ago(500),
            used.get(f"arn:aws:iam::{account}:policy/{n}", 0),
        )
        for n, d in customer.items()
    ]
    iam = f"{account}/iam"
    w.json(
        account,
        "global",
        "iam:GetAccountAuthorizationDetails",
        f"{iam}/get-account-authorization-details.json",
        gaad(account, principals, groups, policies, _ago(900)),
    )
    w.text(
        account, "iam:GetCredentialReport", f"{iam}/credential-report.csv", credential_report_csv(credentials)
    )
    for call, name, document in (
        ("iam:GetAccountPasswordPolicy", "get-account-password-policy", extras["password_policy"]),
        ("iam:GetAccountSummary", "get-account-summary", extras["summary"]),
        ("iam:ListVirtualMFADevices", "list-virtual-mfa-devices", extras["mfa"]),
        ("iam:ListServerCertificates", "list-server-certificates", extras["certificates"]),
    ):
        w.json(account, "global", call, f"{iam}/{name}.json", document)
    regional = extras["regional"]
    assert isinstance(regional, dict)
    for region in REGIONS:
        for service, call, key in (
            ("accessanalyzer", "list-analyzers", "analyzers"),
            ("config", "describe-config-rules", "ConfigRules"),
            ("events", "list-rules", "Rules"),
        ):
            items = regional.get(f"{service}:{region}", [])
            w.json(
                account,
                region,
                f"{service}:{call}",
                f"{account}/{service}/{region}/{call}.json",
                {key: items},
            )


def _map(items: dict[str, list[JsonValue]]) -> JsonObject:
    return cast(JsonObject, items)


def _analyzer(account: str, region: str, kind: str = "ACCOUNT") -> JsonValue:
    return {
        "arn": f"arn:aws:access-analyzer:{region}:{account}:analyzer/{kind.lower()}",
        "name": kind.lower(),
        "type": kind,
        "status": "ACTIVE",
        "createdAt": aws_time(_ago(300)),
    }


def _config_rules(names: list[str]) -> list[JsonValue]:
    return [
        {
            "ConfigRuleName": n.lower().replace("_", "-"),
            "ConfigRuleState": "ACTIVE",
            "Source": {"Owner": "AWS", "SourceIdentifier": n},
        }
        for n in names
    ]


ALL_CONFIG = list(IAM_CONFIG_RULES)  # every rule the monitoring check looks for
ALERT_RULES: list[JsonValue] = [
    {
        "Name": "root-activity",
        "Arn": "arn:aws:events:us-east-1:0:rule/root-activity",
        "State": "ENABLED",
        "EventPattern": json.dumps({"detail": {"userIdentity": {"type": ["Root"]}}}),
    },
    {
        "Name": "iam-changes",
        "Arn": "arn:aws:events:us-east-1:0:rule/iam-changes",
        "State": "ENABLED",
        "EventPattern": json.dumps({"source": ["aws.iam"]}),
    },
]


def _root_row(
    account: str,
    *,
    mfa: bool,
    keys: list[tuple[bool, datetime | None, datetime | None]] | None = None,
    used: datetime | None = None,
) -> CredentialRow:
    return CredentialRow(
        "<root_account>", f"arn:aws:iam::{account}:root", _ago(1500), None, used, mfa, keys or []
    )


def _user_row(account: str, name: str, **kw: object) -> CredentialRow:
    return CredentialRow(user=name, arn=f"arn:aws:iam::{account}:user/{name}", **kw)  # type: ignore[arg-type]


def _startup(w: _Writer) -> None:
    a = STARTUP
    everyone = _trust({"AWS": f"arn:aws:iam::{a}:root"})
    principals = [
        Principal(
            "role",
            name,
            _ago(300),
            managed=[_aws("AdministratorAccess")],
            trust=everyone,
            tags={"team": "engineering"},
            last_used=None if n > 11 else _ago(n),
        )
        for n, name in enumerate(DEVELOPER_ROLES, start=1)
    ]
    principals += [
        Principal("user", "alice", _ago(700), groups=["developers"]),
        Principal("user", "bob", _ago(650), managed=[_aws("AdministratorAccess")]),
        Principal("user", "carol", _ago(20), groups=["developers"]),
        Principal(
            "user",
            "ci-deploy",
            _ago(800),
            inline={
                "deploy": _doc(
                    {"Effect": "Allow", "Action": ["iam:PassRole", "lambda:*", "s3:*"], "Resource": "*"}
                )
            },
        ),
        Principal("user", "old-contractor", _ago(600), groups=["developers"]),
        Principal(
            "role",
            "lambda-deployer",
            _ago(400),
            managed=[f"arn:aws:iam::{a}:policy/deploy-anything"],
            trust=_trust({"Service": "lambda.amazonaws.com"}),
            last_used=_ago(2),
        ),
        Principal(
            "role",
            "vendor-monitoring",
            _ago(350),
            managed=[_aws("ReadOnlyAccess")],
            trust=_trust({"AWS": f"arn:aws:iam::{VENDOR}:root"}),
            last_used=_ago(1),
        ),
        Principal(
            "role",
            "vendor-billing",
            _ago(350),
            managed=[_aws("ReadOnlyAccess")],
            trust=_trust(
                {"AWS": "arn:aws:iam::777788889999:root"},
                {"StringEquals": {"sts:ExternalId": "billing-7f3a"}},
            ),
            last_used=_ago(3),
        ),
        Principal(
            "role",
            "debug-anyone",
            _ago(90),
            managed=[_aws("ReadOnlyAccess")],
            trust=_trust({"AWS": "*"}),
            last_used=_ago(30),
        ),
        Principal(
            "role",
            "config-recorder",
            _ago(500),
            trust=_trust({"Service": "config.amazonaws.com"}),
            inline={"record": _doc({"Effect": "Allow", "Action": ["config:Put*"], "Resource": "*"})},
            last_used=_ago(1),
        ),
        Principal(
            "role",
            "AWSServiceRoleForSupport",
            _ago(900),
            path="/aws-service-role/support.amazonaws.com/",
            managed=[],
            trust=_trust({"Service": "support.amazonaws.com"}),
            last_used=_ago(4),
        ),
    ]
    groups = {"developers": [_aws("PowerUserAccess"), _aws("AWSCloudShellFullAccess")]}
    customer = {
        "deploy-anything": _doc({"Effect": "Allow", "Action": ["iam:PassRole", "lambda:*"], "Resource": "*"})
    }
    credentials = [
        _root_row(a, mfa=False, keys=[(True, _ago(900), _ago(5))], used=_ago(5)),
        _user_row(
            a,
            "alice",
            created=_ago(700),
            password=True,
            password_last_used=_ago(1),
            mfa=False,
            keys=[(True, _ago(400), _ago(2))],
        ),
        _user_row(a, "bob", created=_ago(650), password=True, password_last_used=_ago(3), mfa=True),
        _user_row(
            a,
            "carol",
            created=_ago(20),
            password=True,
            password_last_used=_ago(2),
            mfa=False,
            keys=[(True, _ago(20), None)],
        ),
        _user_row(
            a,
            "ci-deploy",
            created=_ago(800),
            password=False,
            keys=[(True, _ago(200), _ago(1)), (True, _ago(60), None)],
        ),
        _user_row(
            a,
            "old-contractor",
            created=_ago(600),
            password=True,
            password_last_used=_ago(200),
            mfa=False,
            keys=[(True, _ago(590), _ago(190))],
        ),
    ]
    _write_account(
        w,
        a,
        principals,
        groups,
        customer,
        credentials,
        {
            "password_policy": {
                "PasswordPolicy": {"MinimumPasswordLength": 8, "AllowUsersToChangePassword": True}
            },
            "summary": {"SummaryMap": {"AccountMFAEnabled": 0, "AccountAccessKeysPresent": 1, "Users": 5}},
            "mfa": {"VirtualMFADevices": []},
            "certificates": {
                "ServerCertificateMetadataList": [
                    {
                        "Path": "/",
                        "ServerCertificateName": "www-2023",
                        "ServerCertificateId": "ASCADEMO0000000000001",
                        "Arn": f"arn:aws:iam::{a}:server-certificate/www-2023",
                        "UploadDate": aws_time(_ago(1000)),
                        "Expiration": aws_time(_ago(300)),
                    }
                ]
            },
            "regional": _map({"accessanalyzer:us-east-1": [_analyzer(a, "us-east-1")]}),
        },
    )


def _production(w: _Writer) -> None:
    a = PRODUCTION
    ci = _trust({"AWS": f"arn:aws:iam::{STARTUP}:user/ci-deploy"})
    principals = [
        Principal(
            "role",
            "app-orders",
            _ago(400),
            inline={
                "data": _doc(
                    {
                        "Effect": "Allow",
                        "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
                        "Resource": f"arn:aws:dynamodb:eu-west-1:{a}:table/orders",
                    },
                    {
                        "Effect": "Allow",
                        "Action": ["s3:GetObject", "s3:PutObject"],
                        "Resource": "arn:aws:s3:::orders-archive/*",
                    },
                )
            },
            trust=_trust({"Service": "ecs-tasks.amazonaws.com"}),
            last_used=_ago(0.5),
        ),
        Principal(
            "role",
            "deploy",
            _ago(400),
            managed=[f"arn:aws:iam::{a}:policy/deploy-app"],
            trust=ci,
            last_used=_ago(1),
        ),
        Principal(
            "role",
            "legacy-admin",
            _ago(1200),
            inline={"everything": _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})},
            trust=_trust({"AWS": f"arn:aws:iam::{a}:root"}),
            last_used=_ago(400),
        ),
        Principal(
            "role",
            "sns-delivery-logs",
            _ago(300),
            trust=_trust({"Service": "sns.amazonaws.com"}),
            inline={
                "logs": _doc(
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": "*",
                    }
                )
            },
            last_used=_ago(1),
        ),
        Principal(
            "role",
            "support",
            _ago(500),
            managed=[_aws("AWSSupportAccess")],
            trust=_trust({"AWS": f"arn:aws:iam::{SECURITY}:root"}),
            last_used=_ago(40),
        ),
        Principal("user", "break-glass", _ago(1000), groups=["admins"]),
    ]
    customer = {
        "deploy-app": _doc(
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": f"arn:aws:iam::{a}:role/app-*",
                "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
            },
            {
                "Effect": "Allow",
                "Action": ["ecs:UpdateService", "ecs:RegisterTaskDefinition"],
                "Resource": "*",
            },
        )
    }
    credentials = [
        _root_row(a, mfa=True),
        _user_row(a, "break-glass", created=_ago(1000), password=True, password_last_used=_ago(30), mfa=True),
    ]
    _write_account(
        w,
        a,
        principals,
        {"admins": [_aws("AdministratorAccess")]},
        customer,
        credentials,
        {
            "password_policy": {
                "PasswordPolicy": {"MinimumPasswordLength": 14, "PasswordReusePrevention": 24}
            },
            "summary": {"SummaryMap": {"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0}},
            "mfa": {
                "VirtualMFADevices": [
                    {
                        "SerialNumber": f"arn:aws:iam::{a}:mfa/root-account-mfa-device",
                        "User": {"Arn": f"arn:aws:iam::{a}:root"},
                        "EnableDate": aws_time(_ago(700)),
                    }
                ]
            },
            "certificates": {"ServerCertificateMetadataList": []},
            "regional": _map(
                {f"accessanalyzer:{r}": [_analyzer(a, r)] for r in REGIONS}
                | {"events:us-east-1": ALERT_RULES, "config:eu-west-1": _config_rules(ALL_CONFIG[:4])}
            ),
        },
    )


def _security(w: _Writer) -> None:
    a = SECURITY
    principals = [
        Principal(
            "role",
            "security-audit",
            _ago(600),
            managed=[_aws("SecurityAudit")],
            trust=_trust({"AWS": f"arn:aws:iam::{a}:root"}),
            last_used=_ago(1),
        ),
        Principal(
            "role",
            "incident-support",
            _ago(600),
            managed=[_aws("AWSSupportAccess")],
            trust=_trust({"AWS": f"arn:aws:iam::{a}:root"}),
            last_used=_ago(10),
        ),
    ]
    _write_account(
        w,
        a,
        principals,
        {},
        {},
        [_root_row(a, mfa=True)],
        {
            "password_policy": {
                "PasswordPolicy": {"MinimumPasswordLength": 16, "PasswordReusePrevention": 24}
            },
            "summary": {"SummaryMap": {"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0}},
            "mfa": {"VirtualMFADevices": []},
            "certificates": {"ServerCertificateMetadataList": []},
            "regional": _map(
                {f"accessanalyzer:{r}": [_analyzer(a, r, "ORGANIZATION")] for r in REGIONS}
                | {"events:us-east-1": ALERT_RULES}
                | {f"config:{r}": _config_rules(ALL_CONFIG) for r in REGIONS}
            ),
        },
    )


def _organization(w: _Writer) -> None:
    base = "organization"
    w.json(
        STARTUP,
        "global",
        "organizations:DescribeOrganization",
        f"{base}/describe-organization.json",
        {
            "Organization": {
                "Id": ORG_ID,
                "Arn": f"arn:aws:organizations::{STARTUP}:organization/{ORG_ID}",
                "FeatureSet": "ALL",
                "MasterAccountId": STARTUP,
                "MasterAccountArn": f"arn:aws:organizations::{STARTUP}:account/{ORG_ID}/{STARTUP}",
            }
        },
    )
    w.json(
        STARTUP,
        "global",
        "organizations:ListRoots",
        f"{base}/list-roots.json",
        {
            "Roots": [
                {
                    "Id": ROOT_ID,
                    "Name": "Root",
                    "Arn": f"arn:aws:organizations::{STARTUP}:root/{ORG_ID}/{ROOT_ID}",
                    "PolicyTypes": [
                        {"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"},
                        {"Type": "RESOURCE_CONTROL_POLICY", "Status": "ENABLED"},
                    ],
                }
            ]
        },
    )
    w.json(
        STARTUP,
        "global",
        "organizations:ListOrganizationalUnitsForParent",
        f"{base}/ous.json",
        {
            "OrganizationalUnits": [
                {"Id": OU_WORKLOADS, "Name": "Workloads", "ParentId": ROOT_ID},
                {"Id": OU_SECURITY, "Name": "Security", "ParentId": ROOT_ID},
            ]
        },
    )
    w.json(
        STARTUP,
        "global",
        "organizations:ListAccounts",
        f"{base}/list-accounts.json",
        {
            "Accounts": [
                {
                    "Id": i,
                    "Name": n,
                    "Email": f"aws+{n}@example.com",
                    "Status": "ACTIVE",
                    "Arn": f"arn:aws:organizations::{STARTUP}:account/{ORG_ID}/{i}",
                }
                for i, n in ACCOUNTS.items()
            ]
        },
    )
    w.json(
        STARTUP,
        "global",
        "organizations:ListParents",
        f"{base}/account-parents.json",
        {
            "AccountParents": [
                {"AccountId": STARTUP, "ParentId": ROOT_ID},
                {"AccountId": PRODUCTION, "ParentId": OU_WORKLOADS},
                {"AccountId": SECURITY, "ParentId": OU_SECURITY},
            ]
        },
    )
    everywhere = [ROOT_ID, OU_WORKLOADS, OU_SECURITY, *ACCOUNTS]
    policies = [
        (
            "p-FullAWSAccess",
            "FullAWSAccess",
            "SERVICE_CONTROL_POLICY",
            True,
            _doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
            everywhere,
        ),
        (
            "p-denyleave01",
            "deny-leaving-organization",
            "SERVICE_CONTROL_POLICY",
            False,
            _doc(
                {
                    "Effect": "Deny",
                    "Action": ["organizations:LeaveOrganization", "cloudtrail:StopLogging"],
                    "Resource": "*",
                }
            ),
            [ROOT_ID],
        ),
        (
            "p-RCPFullAWSAccess",
            "RCPFullAWSAccess",
            "RESOURCE_CONTROL_POLICY",
            True,
            _doc({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}),
            everywhere,
        ),
        (
            "p-rcptls0001",
            "enforce-tls",
            "RESOURCE_CONTROL_POLICY",
            False,
            _doc(
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": ["s3:*", "sqs:*", "kms:*"],
                    "Resource": "*",
                    "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}},
                }
            ),
            [OU_WORKLOADS],
        ),
    ]
    for pid, name, kind, managed, document, targets in policies:
        w.json(
            STARTUP,
            "global",
            "organizations:DescribePolicy",
            f"{base}/policies/{pid}.json",
            {
                "Policy": {
                    "PolicySummary": {
                        "Id": pid,
                        "Name": name,
                        "Type": kind,
                        "AwsManaged": managed,
                        "Arn": f"arn:aws:organizations::{STARTUP}:policy/{ORG_ID}/{pid}",
                    },
                    "Content": json.dumps(document),
                }
            },
        )
        w.json(
            STARTUP,
            "global",
            "organizations:ListTargetsForPolicy",
            f"{base}/policy-targets/{pid}.json",
            {
                "Targets": [
                    {"TargetId": t, "Name": t, "Type": "ACCOUNT" if t.isdigit() else "ORGANIZATIONAL_UNIT"}
                    for t in targets
                ]
            },
        )


def write_demo_bundle(dest: Path) -> Path:
    """Write the demo organisation as a bundle into ``dest`` (created; must be empty or absent)."""
    dest.mkdir(parents=True, exist_ok=True)
    if any(dest.iterdir()):
        raise FileExistsError(f"{dest}: not empty; the demo bundle is written into a fresh directory")
    writer = _Writer(dest)
    _startup(writer)
    _production(writer)
    _security(writer)
    for item in demo_resources(STARTUP, PRODUCTION, SECURITY, ORG_ID):
        folder = f"{item.account}/resource-policies/{item.service}/{item.region}"
        relative = f"{folder}/{quote(item.name, safe='')}.json"
        document = {"Arn": item.arn, "Name": item.name, "Policy": item.policy}
        resource = item.arn if item.service == "s3" else None
        writer.json(item.account, item.region, item.call, relative, document, resource)
    for call in demo_bucket_calls(STARTUP, PRODUCTION, SECURITY):
        if call.relative is None:
            writer.record(call.account, call.region, call.call, call.status, None, call.resource)
        else:
            writer.json(call.account, call.region, call.call, call.relative, call.document, call.resource)
    _organization(writer)
    manifest = {
        "format": "iamscope-bundle/1",
        "collected_at": aws_time(DEMO_COLLECTED_AT),
        "partition": "aws",
        "accounts": list(ACCOUNTS),
        "organization": True,
        "regions": list(REGIONS),
        "tool": "iamscope demo generator",
        "calls": writer.calls,
    }
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return dest


def main(argv: list[str] | None = None) -> int:
    """``python -m iamscope.samples.demo_org DEST``: write the demo bundle (used by scripts/demo)."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m iamscope.samples.demo_org DEST", file=sys.stderr)
        return 2
    try:
        path = write_demo_bundle(Path(args[0]))
    except (FileExistsError, OSError) as error:
        print(f"demo: {error}", file=sys.stderr)
        return 2
    print(f"demo: wrote the sample organisation bundle to {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
