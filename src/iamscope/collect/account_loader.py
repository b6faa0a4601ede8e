"""One account directory of a bundle read into an AccountSnapshot, keeping what is readable."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Literal, TypeVar
from urllib.parse import unquote

from iamscope.collect.account_files import (
    parse_access_keys,
    parse_account_summary,
    parse_identity_providers,
    parse_password_policy,
    parse_server_certificates,
    parse_service_last_accessed,
    parse_virtual_mfa_devices,
)
from iamscope.collect.bucket_files import load_account_public_access_block, load_buckets
from iamscope.collect.bundle import CREDENTIAL_REPORT_FILE, GAAD_FILE, iam_file
from iamscope.collect.credential_report import parse_credential_report
from iamscope.collect.files import FileReader
from iamscope.collect.gaad import parse_gaad
from iamscope.collect.regional_files import (
    parse_analyzers,
    parse_config_rules,
    parse_event_rules,
    parse_metric_filters,
    parse_resource_policy,
    parse_trails,
)
from iamscope.collect.resource_kinds import RESOURCE_LISTINGS
from iamscope.model.document import JsonValue
from iamscope.model.snapshot import (
    AccountSnapshot,
    CallRecord,
    CredentialReportRow,
    ResourcePolicy,
    Trail,
)

__all__ = ["REGIONAL_FILES", "load_account"]

T = TypeVar("T")

# (service directory, call file stem) of every regional listing the loader understands.
REGIONAL_FILES: tuple[tuple[str, str], ...] = (
    ("accessanalyzer", "list-analyzers"),
    ("config", "describe-config-rules"),
    ("events", "list-rules"),
    ("cloudtrail", "describe-trails"),
    ("logs", "describe-metric-filters"),
)


def load_account(
    reader: FileReader, account: str, calls: Sequence[CallRecord], partition: str = "aws"
) -> AccountSnapshot:
    """Everything readable about ``account``; absent files stay None and core ones are reported."""
    own_calls = [call for call in calls if call.account == account]
    gaad = reader.parse(iam_file(account, GAAD_FILE), parse_gaad)
    if gaad is not None:
        for message in gaad.problems:
            reader.problem(iam_file(account, GAAD_FILE), message)
    elif not reader.exists(iam_file(account, GAAD_FILE)):
        reader.problem(
            iam_file(account, GAAD_FILE),
            "not in the bundle: users, groups, roles and policies were not collected"
            + _why(own_calls, "iam:GetAccountAuthorizationDetails"),
        )
    report = _credential_report(reader, account, own_calls)
    password_policy = reader.parse(
        iam_file(account, "get-account-password-policy.json"), parse_password_policy
    )
    status: Literal["present", "absent", "not_collected"] = "not_collected"
    if password_policy is not None:
        status = "present"
    elif any(
        call.call == "iam:GetAccountPasswordPolicy" and call.status == "NoSuchEntity" for call in own_calls
    ):
        status = "absent"
    saml = reader.json(iam_file(account, "list-saml-providers.json"))
    oidc = reader.json(iam_file(account, "list-open-id-connect-providers.json"))
    providers = None
    if saml is not None or oidc is not None:
        providers = reader.guard(
            iam_file(account, "list-saml-providers.json"),
            lambda: parse_identity_providers(saml, oidc),
        )
    keys = None
    listing = reader.json(iam_file(account, "list-access-keys.json"))
    if listing is not None:
        last_used = reader.json(iam_file(account, "access-keys-last-used.json"))
        keys = reader.guard(
            iam_file(account, "list-access-keys.json"),
            lambda: parse_access_keys(listing, last_used),
        )
    regions: set[str] = set()
    analyzers, analyzer_regions = _regional(
        reader,
        account,
        service="accessanalyzer",
        call="list-analyzers",
        read=parse_analyzers,
        regions=regions,
    )
    config_rules, _ = _regional(
        reader,
        account,
        service="config",
        call="describe-config-rules",
        read=parse_config_rules,
        regions=regions,
    )
    event_rules, _ = _regional(
        reader,
        account,
        service="events",
        call="list-rules",
        read=parse_event_rules,
        regions=regions,
    )
    trails, _ = _regional(
        reader,
        account,
        service="cloudtrail",
        call="describe-trails",
        read=parse_trails,
        regions=regions,
    )
    metric_filters, _ = _regional(
        reader,
        account,
        service="logs",
        call="describe-metric-filters",
        read=parse_metric_filters,
        regions=regions,
    )
    return AccountSnapshot(
        account_id=account,
        users=gaad.users if gaad else None,
        groups=gaad.groups if gaad else None,
        roles=gaad.roles if gaad else None,
        policies=gaad.policies if gaad else None,
        credential_report=report,
        password_policy=password_policy,
        password_policy_status=status,
        account_summary=reader.parse(iam_file(account, "get-account-summary.json"), parse_account_summary),
        virtual_mfa_devices=reader.parse(
            iam_file(account, "list-virtual-mfa-devices.json"), parse_virtual_mfa_devices
        ),
        server_certificates=reader.parse(
            iam_file(account, "list-server-certificates.json"), parse_server_certificates
        ),
        identity_providers=providers,
        access_keys=keys,
        analyzers=analyzers,
        analyzer_regions=analyzer_regions,
        config_rules=config_rules,
        event_rules=event_rules,
        metric_filters=metric_filters,
        trails=_dedupe_trails(trails),
        resource_policies=_resource_policies(reader, account, regions, own_calls),
        s3_public_access_block=load_account_public_access_block(reader, account, own_calls),
        buckets=load_buckets(reader, account, own_calls, partition, regions),
        service_last_accessed=reader.parse(
            iam_file(account, "service-last-accessed.json"), parse_service_last_accessed
        ),
        regions=tuple(sorted(regions - {"global"})),
    )


def _why(calls: Sequence[CallRecord], name: str) -> str:
    failed = [call for call in calls if call.call == name and call.status != "ok"]
    if not failed:
        return ""
    call = failed[-1]
    return f" ({call.status}: {call.error})" if call.error else f" ({call.status})"


def _credential_report(
    reader: FileReader, account: str, calls: Sequence[CallRecord]
) -> tuple[CredentialReportRow, ...] | None:
    relative = iam_file(account, CREDENTIAL_REPORT_FILE)
    text = reader.text(relative)
    if text is None:
        if not reader.exists(relative):
            reader.problem(
                relative,
                "not in the bundle: console access, MFA and key ages are unknown"
                + _why(calls, "iam:GetCredentialReport"),
            )
        return None
    return reader.guard(relative, lambda: parse_credential_report(text))


def _regional(
    reader: FileReader,
    account: str,
    *,
    service: str,
    call: str,
    read: Callable[[JsonValue, str], tuple[T, ...]],
    regions: set[str],
) -> tuple[tuple[T, ...] | None, tuple[str, ...] | None]:
    base = reader.root / account / service
    if not base.is_dir():
        return None, None
    found: list[T] = []
    good_regions: list[str] = []
    for region_dir in sorted(p for p in base.iterdir() if p.is_dir()):
        relative = f"{account}/{service}/{region_dir.name}/{call}.json"
        region = region_dir.name
        items = reader.parse(relative, partial(_with_region, read, region))
        if items is not None:
            found.extend(items)
            good_regions.append(region)
            regions.add(region)
    if not good_regions:
        return None, None
    return tuple(found), tuple(good_regions)


def _dedupe_trails(trails: tuple[Trail, ...] | None) -> tuple[Trail, ...] | None:
    # describe-trails lists a multi-region trail in every region; keep the home-region copy.
    if trails is None:
        return None
    chosen: dict[str, Trail] = {}
    for trail in trails:
        key = trail.arn or f"{trail.region}/{trail.name}"
        current = chosen.get(key)
        if current is None or trail.region == trail.home_region:
            chosen[key] = trail
    return tuple(chosen.values())


def _resource_policies(
    reader: FileReader, account: str, regions: set[str], calls: Sequence[CallRecord]
) -> tuple[ResourcePolicy, ...] | None:
    base: Path = reader.root / account / "resource-policies"
    if not base.is_dir():
        # A listing that succeeded means the account was looked at and has no resource policies.
        listed = any(call.call in RESOURCE_LISTINGS and call.status == "ok" for call in calls)
        return () if listed else None
    result: list[ResourcePolicy] = []
    for service_dir in sorted(p for p in base.iterdir() if p.is_dir()):
        for region_dir in sorted(p for p in service_dir.iterdir() if p.is_dir()):
            regions.add(region_dir.name)
            for file in sorted(region_dir.glob("*.json")):
                relative = str(file.relative_to(reader.root))
                policy = reader.parse(relative, partial(_policy_in, service_dir.name, region_dir.name))
                if policy is not None:
                    if not policy.name:
                        policy = ResourcePolicy(
                            policy.arn,
                            policy.service,
                            policy.region,
                            policy.document,
                            unquote(file.stem),
                        )
                    result.append(policy)
    return tuple(result)


def _with_region(
    read: Callable[[JsonValue, str], tuple[T, ...]], region: str, document: JsonValue
) -> tuple[T, ...]:
    return read(document, region)


def _policy_in(service: str, region: str, document: JsonValue) -> ResourcePolicy:
    return parse_resource_policy(document, service, region)
