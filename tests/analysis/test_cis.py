"""CIS v3.0 section 1: a hand-built pass and fail case for every automated control."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from iamscope.analysis.assess import AssessConfig, assess
from iamscope.analysis.frameworks.loader import load_framework
from iamscope.model.findings import Assessment, ControlStatus
from iamscope.model.snapshot import AccountSnapshot, PasswordPolicy, ServerCertificate, VirtualMfaDevice
from tests.builders import (
    ACCOUNT,
    ADMIN_DOC,
    AS_OF,
    IAM_RULE,
    ROOT_RULE,
    attached,
    aws_policy,
    compliant_account,
    cred_row,
    customer_policy,
    days_ago,
    key,
    role,
    root_row,
    snapshot,
    user,
)

Mutator = Callable[[AccountSnapshot], AccountSnapshot]


def _run(account: AccountSnapshot) -> Assessment:
    return assess(snapshot(account), AssessConfig(as_of=AS_OF))


def _statuses(result: Assessment) -> dict[str, ControlStatus]:
    return {c.control_id: c.status for c in result.controls if c.framework == "cis-aws-3.0"}


def _users(account: AccountSnapshot, *rows: object) -> AccountSnapshot:
    report = (root_row(account.account_id), *rows)
    return replace(account, credential_report=report)  # type: ignore[arg-type]


def _with_admin(account: AccountSnapshot) -> AccountSnapshot:
    admin = customer_policy("everything", ADMIN_DOC)
    policies = dict(account.policies or {})
    policies[admin.arn] = admin
    roles = (*(account.roles or ()), role("ops", policies=(admin,)))
    return replace(account, policies=policies, roles=roles)


def _with_cloudshell(account: AccountSnapshot) -> AccountSnapshot:
    shell = aws_policy("AWSCloudShellFullAccess")
    group = account.groups[0] if account.groups else None
    assert group is not None
    changed = replace(group, attached_policies=(*group.attached_policies, attached(shell)))
    return replace(account, groups=(changed,))


FAILS: dict[str, Mutator] = {
    "1.4": lambda a: replace(a, credential_report=(root_row(mfa=True, keys=(key(1),)), cred_row("alice"))),
    "1.5": lambda a: replace(
        a,
        credential_report=(root_row(mfa=False), cred_row("alice")),
        virtual_mfa_devices=(),
    ),
    "1.6": lambda a: replace(
        a,
        virtual_mfa_devices=(
            VirtualMfaDevice(
                serial_number=f"arn:aws:iam::{ACCOUNT}:mfa/root-account-mfa-device",
                user_arn=f"arn:aws:iam::{ACCOUNT}:root",
            ),
        ),
    ),
    "1.7": lambda a: replace(a, credential_report=(root_row(password_used=3), cred_row("alice"))),
    "1.8": lambda a: replace(a, password_policy=PasswordPolicy(minimum_length=8, reuse_prevention=24)),
    "1.9": lambda a: replace(a, password_policy=PasswordPolicy(minimum_length=14)),
    "1.10": lambda a: _users(a, cred_row("alice", mfa=False)),
    "1.11": lambda a: _users(a, cred_row("alice", keys=(key(1, rotated=10, used=None),))),
    "1.12": lambda a: _users(a, cred_row("alice", password_used=60)),
    "1.13": lambda a: _users(a, cred_row("alice", password=False, keys=(key(1), key(2)))),
    "1.14": lambda a: _users(a, cred_row("alice", password=False, keys=(key(1, rotated=120),))),
    "1.15": lambda a: replace(a, users=(user("alice", policies=(aws_policy("ReadOnlyAccess"),)),)),
    "1.16": _with_admin,
    "1.17": lambda a: replace(a, roles=(role("support"),)),
    "1.19": lambda a: replace(
        a,
        server_certificates=(
            ServerCertificate(
                name="old-site",
                arn=f"arn:aws:iam::{ACCOUNT}:server-certificate/old-site",
                expiration=days_ago(1),
            ),
        ),
    ),
    "1.20": lambda a: replace(a, analyzers=tuple(x for x in a.analyzers or () if x.region != "eu-west-1")),
    "1.22": _with_cloudshell,
}

# Cases that must still pass: the edge just inside each threshold, and the compliant variants.
PASSES: dict[str, Mutator] = {
    "1.4": lambda a: replace(
        a, credential_report=(root_row(keys=(key(1, active=False),)), cred_row("alice"))
    ),
    "1.5": lambda a: a,
    "1.6": lambda a: replace(a, virtual_mfa_devices=()),
    "1.7": lambda a: replace(a, credential_report=(root_row(password_used=120), cred_row("alice"))),
    "1.8": lambda a: replace(a, password_policy=PasswordPolicy(minimum_length=16, reuse_prevention=24)),
    "1.9": lambda a: replace(a, password_policy=PasswordPolicy(minimum_length=14, reuse_prevention=24)),
    "1.10": lambda a: _users(a, cred_row("alice", mfa=True), cred_row("bot", password=False, mfa=False)),
    "1.11": lambda a: _users(a, cred_row("alice", keys=(key(1, rotated=10, used=2),))),
    "1.12": lambda a: _users(a, cred_row("alice", password_used=44)),
    "1.13": lambda a: _users(a, cred_row("alice", password=False, keys=(key(1), key(2, active=False)))),
    "1.14": lambda a: _users(a, cred_row("alice", password=False, keys=(key(1, rotated=89),))),
    "1.15": lambda a: replace(a, users=(user("alice"),)),
    "1.16": lambda a: a,
    "1.17": lambda a: a,
    "1.19": lambda a: replace(
        a,
        server_certificates=(
            ServerCertificate(
                name="site",
                arn=f"arn:aws:iam::{ACCOUNT}:server-certificate/site",
                expiration=days_ago(-30),
            ),
        ),
    ),
    "1.20": lambda a: a,
    "1.22": lambda a: a,
}


def test_every_evaluated_control_has_a_pass_and_a_fail_case() -> None:
    framework = load_framework("cis-aws-3.0")
    evaluated = {c.id for c in framework.controls if c.checks}
    assert set(FAILS) == evaluated
    assert set(PASSES) == evaluated
    assert len(framework.controls) == 22


def test_compliant_account_passes_every_evaluated_control() -> None:
    statuses = _statuses(_run(compliant_account()))
    framework = load_framework("cis-aws-3.0")
    for control in framework.controls:
        expected = "pass" if control.checks else "manual"
        assert statuses[control.id] == expected, control.id


@pytest.mark.parametrize("control_id", sorted(FAILS))
def test_control_fails_alone(control_id: str) -> None:
    result = _run(FAILS[control_id](compliant_account()))
    statuses = _statuses(result)
    assert statuses[control_id] == "fail"
    others = {k: v for k, v in statuses.items() if k != control_id and v == "fail"}
    # Breaking one control may legitimately break a neighbour (e.g. root keys make root "used").
    allowed = {"1.4": {"1.7"}, "1.5": {"1.6"}, "1.11": {"1.12"}}.get(control_id, set())
    assert set(others) <= allowed
    control = next(c for c in result.controls if c.control_id == control_id)
    assert control.finding_ids
    for finding in result.findings:
        if finding.id in control.finding_ids:
            assert control_id in finding.compliance["cis-aws-3.0"]


@pytest.mark.parametrize("control_id", sorted(PASSES))
def test_control_passes(control_id: str) -> None:
    statuses = _statuses(_run(PASSES[control_id](compliant_account())))
    assert statuses[control_id] == "pass"


def test_missing_inputs_are_not_collected() -> None:
    bare = AccountSnapshot(account_id=ACCOUNT)
    statuses = _statuses(_run(bare))
    evaluated = [c for c in load_framework("cis-aws-3.0").controls if c.checks]
    assert {statuses[c.id] for c in evaluated} == {"not_collected"}
    result = _run(bare)
    assert result.findings == ()
    assert result.scores[0].overall.score is None


def test_centrally_managed_root_is_not_a_failure() -> None:
    account = replace(
        compliant_account(),
        credential_report=(root_row(mfa=False, password=False), cred_row("alice")),
        account_summary={
            "AccountMFAEnabled": 0,
            "AccountAccessKeysPresent": 0,
            "AccountPasswordPresent": 0,
            "AccountSigningCertificatesPresent": 0,
        },
    )
    statuses = _statuses(_run(account))
    assert statuses["1.5"] == "not_applicable"
    assert statuses["1.6"] == "not_applicable"


def test_absent_password_policy_fails_both_password_controls() -> None:
    account = replace(compliant_account(), password_policy=None, password_policy_status="absent")
    statuses = _statuses(_run(account))
    assert statuses["1.8"] == statuses["1.9"] == "fail"


def test_alerting_through_metric_filters_counts() -> None:
    from iamscope.analysis.checks.monitoring import IAM_POLICY_EVENTS
    from iamscope.model.snapshot import MetricFilter

    pattern = "{ " + " || ".join(f"($.eventName={e})" for e in IAM_POLICY_EVENTS) + " }"
    filters = (
        MetricFilter("root", "us-east-1", "trail", '{ $.userIdentity.type = "Root" }'),
        MetricFilter("iam", "us-east-1", "trail", pattern),
    )
    ok = replace(compliant_account(), event_rules=(), metric_filters=filters)
    checks = {f.check for f in _run(ok).findings}
    assert "root-use-alerting-missing" not in checks
    assert "iam-policy-change-alerting-missing" not in checks
    bad = replace(compliant_account(), event_rules=(ROOT_RULE,), metric_filters=())
    checks = {f.check for f in _run(bad).findings}
    assert "iam-policy-change-alerting-missing" in checks
    assert "root-use-alerting-missing" not in checks
    disabled = replace(IAM_RULE, state="DISABLED")
    checks = {f.check for f in _run(replace(bad, event_rules=(ROOT_RULE, disabled))).findings}
    assert "iam-policy-change-alerting-missing" in checks
