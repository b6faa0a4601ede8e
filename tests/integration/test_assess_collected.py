"""``iamscope assess`` on a bundle collected from the seeded moto organization, in every format."""

from __future__ import annotations

from pathlib import Path

from tests.integration.conftest import Collected
from tests.report.every_format import assess_every_format


def test_collected_bundle_in_every_format(collected: Collected, tmp_path: Path) -> None:
    reports = assess_every_format(collected.result.bundle, tmp_path / "reports")
    accounts = sorted(collected.seeded.accounts)
    assert reports.document["accounts"] == accounts
    # The weaknesses seeded in every account are found.
    for account in accounts:
        user = f"arn:aws:iam::{account}:user/"
        assert f"{user}bob" in reports.flagged("console-user-without-mfa")  # console, no MFA
        assert f"{user}alice" not in reports.flagged("console-user-without-mfa")  # has MFA
        assert f"{user}bob" in reports.flagged("user-direct-policies")  # inline + managed
        # Her group grants iam:*: she can write a policy on herself, so she is an administrator.
        assert f"{user}alice" in reports.flagged("admin-equivalent-principal")
        assert f"arn:aws:ecr:us-east-1:{account}:repository/images" in reports.flagged(
            "resource-policy-public"
        )
        assert f"arn:aws:sqs:us-east-1:{account}:jobs" in reports.flagged("resource-policy-cross-account")
        # Narrowed or internal policies stay quiet: the function's S3 trigger names its bucket,
        # the default key policy names the account itself.
        exposed = reports.flagged("resource-policy-public") | reports.flagged("resource-policy-cross-account")
        assert not [arn for arn in exposed if ":lambda:" in arn or ":kms:" in arn or ":sns:" in arn]
    # S3 Block Public Access as seeded: none in the management account, the dev account's own,
    # and the prod account's data bucket's (RestrictPublicBuckets on that bucket only).
    for account, seeded in collected.seeded.accounts.items():
        data, plain = f"arn:aws:s3:::data-{account}", f"arn:aws:s3:::nopolicy-{account}"
        public = data in reports.flagged("resource-policy-public")
        acl = plain in reports.flagged("s3-bucket-acl-public")
        blocked = {data, plain} & reports.flagged("s3-public-access-blocked")
        assert (seeded.block_level, public, acl, blocked) == {
            "none": ("none", True, True, set()),
            "account": ("account", False, False, {data, plain}),
            "bucket": ("bucket", False, True, {data}),
        }[seeded.block_level]
    # Every setting was collected (moto answers them all): nothing is left "not considered".
    assert not [f for f in reports.document["findings"] if "not considered" in f["message"]]
    # No password policy was seeded; Access Analyzer is not in moto: not collected, not failed.
    assert reports.control("1.8")["status"] == "fail"
    assert reports.control("1.10")["status"] == "fail"
    assert reports.control("1.15")["status"] == "fail"
    assert reports.control("1.1")["status"] == "manual"
    assert reports.control("1.20")["status"] == "not_collected"
    assert "Compliance Score" in reports.printed
