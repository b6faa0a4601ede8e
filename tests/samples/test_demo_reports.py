"""The README's main command: the demo organisation assessed into every format."""

from __future__ import annotations

from pathlib import Path

from iamscope.samples.demo_org import DEVELOPER_ROLES, write_demo_bundle
from tests.report.every_format import assess_every_format


def test_demo_bundle_in_every_format(tmp_path: Path) -> None:
    bundle = write_demo_bundle(tmp_path / "demo")
    reports = assess_every_format(bundle, tmp_path / "reports")
    assert reports.document["accounts"] == ["111111111111", "222222222222", "333333333333"]
    admins = reports.flagged("admin-equivalent-principal")
    assert {f"arn:aws:iam::111111111111:role/{name}" for name in DEVELOPER_ROLES} <= admins
    # Production's SCP denies two actions; its administrators are still administrators, and the
    # finding names the SCP and what it denies.
    production = {"arn:aws:iam::222222222222:role/legacy-admin", "arn:aws:iam::222222222222:user/break-glass"}
    assert production <= admins
    for finding in reports.document["findings"]:
        if finding["check"] == "admin-equivalent-principal" and finding["resources"][0] in production:
            assert finding["evidence"]["denied"] == [
                {
                    "by": "Deny by scp level 0 deny-leaving-organization:Statement[0]",
                    "actions": ["cloudtrail:StopLogging", "organizations:LeaveOrganization"],
                }
            ]
            assert "deny-leaving-organization" in finding["message"]
    assert "arn:aws:iam::111111111111:root" in reports.flagged("root-access-key")
    # One of each kind of exposure, and the narrowed policies stay quiet.
    assert reports.flagged("resource-policy-public") == {"arn:aws:s3:::startup-public-assets"}
    assert reports.flagged("s3-bucket-acl-public") == {"arn:aws:s3:::startup-build-logs"}
    assert reports.flagged("resource-policy-cross-account") == {
        "arn:aws:sqs:eu-west-1:111111111111:vendor-events"
    }
    # The thumbnailer is a confused deputy (any account's bucket may trigger it), not public.
    assert reports.flagged("resource-policy-confused-deputy") == {
        "arn:aws:lambda:eu-west-1:222222222222:function:thumbnailer"
    }
    thumbnailer = next(f for f in reports.document["findings"] if f["resources"][0].endswith(":thumbnailer"))
    assert thumbnailer["severity"] == "high"
    assert any(c.endswith("--statement-id s3-invoke") for c in thumbnailer["remediation"]["commands"])
    assert any("--source-account 222222222222" in c for c in thumbnailer["remediation"]["commands"])
    # Production's Block Public Access neutralises its legacy bucket's public policy and ACL.
    blocked = next(f for f in reports.document["findings"] if f["check"] == "s3-public-access-blocked")
    assert blocked["resources"] == ["arn:aws:s3:::prod-legacy-exports"]
    assert blocked["severity"] == "low"
    assert "RestrictPublicBuckets (account)" in blocked["message"]
    assert "IgnorePublicAcls (account)" in blocked["message"]
    # Every S3 setting of the demo was collected: nothing is "not considered".
    assert not [f for f in reports.document["findings"] if "not considered" in f["message"]]
    # The security account passes every evaluated CIS control.
    security = {c["id"]: c["accounts"]["333333333333"] for c in reports.document["controls"]}
    assert "fail" not in security.values()
    assert reports.document["problems"] == []
