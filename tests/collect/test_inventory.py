"""The inventory library: rows from a snapshot, ages against ``as_of``, and the everyday filters."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from iamscope.collect import load
from iamscope.inventory import InventoryFilter, apply_filter, build_inventory
from iamscope.inventory.output import inventory_csv, inventory_json
from iamscope.model.snapshot import (
    AccessKey,
    AccountSnapshot,
    CredentialKey,
    CredentialReportRow,
    Role,
    Snapshot,
    User,
)
from tests.collect.samples import ACCOUNT, write_bundle

AS_OF = datetime(2024, 6, 1, tzinfo=UTC)


def _day(month: int, day: int, year: int = 2024) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


def _report(
    user: str, *, console: bool, mfa: bool, last_login: datetime | None = None
) -> CredentialReportRow:
    return CredentialReportRow(
        user=user,
        arn=f"arn:aws:iam::{ACCOUNT}:user/{user}",
        user_creation_time=_day(1, 1, 2023),
        password_enabled=console,
        password_last_used=last_login,
        password_last_changed=None,
        password_next_rotation=None,
        mfa_active=mfa,
    )


def _snapshot() -> Snapshot:
    users = tuple(
        User(name=name, arn=f"arn:aws:iam::{ACCOUNT}:user/{name}", created=_day(1, 1, 2023))
        for name in ("old-key", "fresh", "console-no-mfa", "idle")
    )
    keys = (
        AccessKey("old-key", "AKIAOLD", "Active", created=_day(1, 1, 2024), last_used=_day(5, 30)),
        AccessKey("fresh", "AKIAFRESH", "Active", created=_day(5, 1), last_used=_day(5, 31)),
        AccessKey("idle", "AKIAIDLE", "Inactive", created=_day(2, 1), last_used=None),
    )
    report = (
        _report("old-key", console=False, mfa=False),
        _report("fresh", console=True, mfa=True, last_login=_day(5, 31)),
        _report("console-no-mfa", console=True, mfa=False, last_login=_day(5, 20)),
        _report("idle", console=False, mfa=False),
    )
    roles = (
        Role(
            "busy",
            f"arn:aws:iam::{ACCOUNT}:role/busy",
            created=_day(1, 1, 2023),
            last_used=_day(5, 30),
        ),
        Role(
            "stale",
            f"arn:aws:iam::{ACCOUNT}:role/stale",
            created=_day(1, 1, 2023),
            last_used=_day(1, 1),
        ),
        Role("new", f"arn:aws:iam::{ACCOUNT}:role/new", created=_day(5, 25)),
        Role(
            "AWSServiceRoleForSupport",
            f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport",
            path="/aws-service-role/support.amazonaws.com/",
            created=_day(1, 1, 2020),
        ),
    )
    account = AccountSnapshot(
        ACCOUNT,
        users=users,
        groups=(),
        roles=roles,
        policies={},
        credential_report=report,
        access_keys=keys,
    )
    return Snapshot(collected_at=AS_OF, accounts={ACCOUNT: account})


def test_key_ages_and_last_use() -> None:
    inventory = build_inventory(_snapshot(), AS_OF)
    ages = {key.access_key_id: key.age_days for key in inventory.keys}
    assert ages == {"AKIAOLD": 152, "AKIAFRESH": 31, "AKIAIDLE": 121}
    later = build_inventory(_snapshot(), datetime(2024, 7, 1, tzinfo=UTC))
    assert {k.access_key_id: k.age_days for k in later.keys}["AKIAFRESH"] == 61


def test_keys_older_than() -> None:
    result = apply_filter(build_inventory(_snapshot(), AS_OF), InventoryFilter(keys_older_than=90))
    assert [u.name for u in result.users] == ["old-key", "idle"]
    assert [k.access_key_id for k in result.keys] == ["AKIAOLD", "AKIAIDLE"]
    assert result.roles == ()
    assert result.groups == ()


def test_console_without_mfa() -> None:
    result = apply_filter(build_inventory(_snapshot(), AS_OF), InventoryFilter(console_without_mfa=True))
    assert [u.name for u in result.users] == ["console-no-mfa"]


def test_unused_for() -> None:
    result = apply_filter(build_inventory(_snapshot(), AS_OF), InventoryFilter(unused_for=45))
    assert [u.name for u in result.users] == ["idle"]  # never used and older than 45 days
    assert [k.access_key_id for k in result.keys] == ["AKIAIDLE"]
    # 'new' is never used but younger than 45 days; service-linked roles are AWS's, not yours.
    assert [r.name for r in result.roles] == ["stale"]


def test_filters_combine() -> None:
    both = InventoryFilter(keys_older_than=90, unused_for=45)
    result = apply_filter(build_inventory(_snapshot(), AS_OF), both)
    assert [u.name for u in result.users] == ["idle"]


def test_credential_report_only_gives_keys_by_slot(tmp_path: Path) -> None:
    report = CredentialReportRow(
        user="solo",
        arn=f"arn:aws:iam::{ACCOUNT}:user/solo",
        user_creation_time=_day(1, 1),
        password_enabled=False,
        password_last_used=None,
        password_last_changed=None,
        password_next_rotation=None,
        mfa_active=False,
        access_keys=(CredentialKey(1, True, last_rotated=_day(1, 2)), CredentialKey(2, False)),
    )
    snapshot = Snapshot(None, {ACCOUNT: AccountSnapshot(ACCOUNT, credential_report=(report,))})
    inventory = build_inventory(snapshot, AS_OF)
    assert [(k.access_key_id, k.slot, k.age_days) for k in inventory.keys] == [(None, 1, 151)]
    assert any("key ids unknown" in note for note in inventory.notes)


def test_outputs_from_a_loaded_bundle(tmp_path: Path) -> None:
    inventory = build_inventory(load(write_bundle(tmp_path / "bundle")), AS_OF)
    document = json.loads(inventory_json(inventory))
    assert {u["name"] for u in document["users"]} == {"dana", "eve"}
    dana = next(u for u in document["users"] if u["name"] == "dana")
    assert dana["console_access"] is True
    assert dana["mfa"] is False
    assert dana["permissions_boundary"] == f"arn:aws:iam::{ACCOUNT}:policy/boundary"
    rows = list(csv.DictReader(io.StringIO(inventory_csv(inventory, "attachments"))))
    assert {(r["principal"], r["kind"]) for r in rows} >= {
        ("dana", "inline"),
        ("dana", "boundary"),
        ("ops", "managed"),
    }
    policies = list(csv.DictReader(io.StringIO(inventory_csv(inventory, "policies"))))
    boundary = next(p for p in policies if p["name"] == "boundary")
    assert boundary["boundary_of"] == f"arn:aws:iam::{ACCOUNT}:user/dana"
    assert boundary["versions"] == "2"
    assert boundary["default_version"] == "v2"


def _with_root_key(rotated: datetime, last_used: datetime | None = None) -> Snapshot:
    snapshot = _snapshot()
    account = snapshot.accounts[ACCOUNT]
    root = CredentialReportRow(
        user="<root_account>",
        arn=f"arn:aws:iam::{ACCOUNT}:root",
        user_creation_time=_day(1, 1, 2020),
        password_enabled=None,
        password_last_used=None,
        password_last_changed=None,
        password_next_rotation=None,
        mfa_active=False,
        access_keys=(
            CredentialKey(1, True, last_rotated=rotated, last_used=last_used),
            CredentialKey(2, False),
        ),
    )
    report = (*(account.credential_report or ()), root)
    return Snapshot(AS_OF, {ACCOUNT: replace(account, credential_report=report)})


def test_root_keys_from_the_report_are_listed_next_to_listed_keys() -> None:
    keys = build_inventory(_with_root_key(_day(1, 1, 2022)), AS_OF).keys
    assert [(k.user, k.access_key_id, k.slot) for k in keys if k.user == "<root_account>"] == [
        ("<root_account>", None, 1)
    ]
    assert len(keys) == 4


def test_keys_older_than_keeps_the_root_key() -> None:
    # The root user is no IAM user (no row in users), but its key is the one that matters most.
    inventory = build_inventory(_with_root_key(_day(1, 1, 2022)), AS_OF)
    result = apply_filter(inventory, InventoryFilter(keys_older_than=90))
    assert [(k.user, k.access_key_id) for k in result.keys] == [
        ("old-key", "AKIAOLD"),
        ("idle", "AKIAIDLE"),
        ("<root_account>", None),
    ]
    assert [u.name for u in result.users] == ["old-key", "idle"]
    # A young root key is filtered out like any other.
    young = apply_filter(
        build_inventory(_with_root_key(_day(5, 1)), AS_OF), InventoryFilter(keys_older_than=90)
    )
    assert all(k.user != "<root_account>" for k in young.keys)


def test_unused_for_keeps_an_idle_root_key_and_console_filter_does_not_invent_one() -> None:
    inventory = build_inventory(_with_root_key(_day(1, 1, 2022), last_used=_day(1, 1, 2023)), AS_OF)
    idle = apply_filter(inventory, InventoryFilter(unused_for=45))
    assert ("<root_account>", None) in [(k.user, k.access_key_id) for k in idle.keys]
    console = apply_filter(inventory, InventoryFilter(console_without_mfa=True))
    assert all(k.user != "<root_account>" for k in console.keys)
