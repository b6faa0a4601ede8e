"""Public and cross-account access through resource policies: each exposed case has a near miss
that a narrowing condition, an explicit deny or an RCP closes, decided by the engine."""

from __future__ import annotations

from dataclasses import replace

from iamscope.analysis.assess import AssessConfig, assess
from iamscope.model.document import JsonValue
from iamscope.model.findings import Assessment, Finding, Severity
from iamscope.model.snapshot import (
    AclGrant,
    Bucket,
    OrgAccount,
    Organization,
    OrgPolicy,
    OrgUnit,
    PublicAccessBlock,
    ResourcePolicy,
)
from tests.builders import ACCOUNT, AS_OF, compliant_account, snapshot

REGION = "us-east-1"
MEMBER = "222222222222"
PARTNER = "444455556666"
ORG = "o-abc123defg"


def _doc(*statements: JsonValue) -> JsonValue:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(principal: JsonValue, action: JsonValue, resource: str, condition: JsonValue = None) -> JsonValue:
    statement: dict[str, JsonValue] = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": action,
        "Resource": resource,
    }
    if condition is not None:
        statement["Condition"] = condition
    return statement


def _bucket(name: str, *statements: JsonValue) -> ResourcePolicy:
    arn = f"arn:aws:s3:::{name}"
    return ResourcePolicy(arn, "s3", REGION, _doc(*statements), name)


def _regional(service: str, arn: str, *statements: JsonValue) -> ResourcePolicy:
    return ResourcePolicy(arn, service, REGION, _doc(*statements), arn.rsplit(":", 1)[-1].rsplit("/", 1)[-1])


def _queue(name: str, *statements: JsonValue) -> ResourcePolicy:
    return _regional("sqs", f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}", *statements)


def _organization(*rcps: JsonValue) -> Organization:
    full = _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
    policies = [OrgPolicy("p-full", "FullAWSAccess", "SERVICE_CONTROL_POLICY", full, ("r-root",), True)]
    policies += [
        OrgPolicy(f"p-rcp{i}", f"rcp{i}", "RESOURCE_CONTROL_POLICY", doc, ("r-root",))
        for i, doc in enumerate(rcps)
    ]
    return Organization(
        id=ORG,
        management_account_id="999999999999",
        units=(OrgUnit("r-root", "Root", None),),
        accounts=(
            OrgAccount(ACCOUNT, "workload", "r-root"),
            OrgAccount(MEMBER, "member", "r-root"),
            OrgAccount("999999999999", "mgmt", "r-root"),
        ),
        policies=tuple(policies),
    )


def _assess(*resources: ResourcePolicy, organization: Organization | None = None) -> Assessment:
    account = replace(compliant_account(), resource_policies=resources)
    return assess(snapshot(account, organization=organization or _organization()), AssessConfig(as_of=AS_OF))


def _flagged(result: Assessment, check: str) -> set[str]:
    return {f.resource.rsplit(":", 1)[-1].rsplit("/", 1)[-1] for f in result.findings if f.check == check}


def test_public_buckets_and_the_conditions_that_close_them() -> None:
    anyone: JsonValue = {"AWS": "*"}
    result = _assess(
        _bucket("open", _allow("*", "s3:GetObject", "arn:aws:s3:::open/*")),
        _bucket(
            "any-ip",
            _allow(
                anyone, "s3:GetObject", "arn:aws:s3:::any-ip/*", {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}
            ),
        ),
        _bucket(
            "office-ip",
            _allow(
                "*", "s3:GetObject", "arn:aws:s3:::office-ip/*", {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
            ),
        ),
        _bucket(
            "vpce",
            _allow("*", "s3:*", "arn:aws:s3:::vpce/*", {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}),
        ),
        _bucket(
            "org-only",
            _allow(
                "*", "s3:GetObject", "arn:aws:s3:::org-only/*", {"StringEquals": {"aws:PrincipalOrgID": ORG}}
            ),
        ),
        _bucket(
            "denied",
            _allow("*", "s3:GetObject", "arn:aws:s3:::denied/*"),
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": ["arn:aws:s3:::denied", "arn:aws:s3:::denied/*"],
                "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ORG}},
            },
        ),
        _bucket("wrong-object", _allow("*", "s3:GetObject", "arn:aws:s3:::other-bucket/*")),
    )
    assert _flagged(result, "resource-policy-public") == {"open", "any-ip"}
    assert _flagged(result, "resource-policy-cross-account") == set()
    finding = next(
        f for f in result.findings if f.check == "resource-policy-public" and f.resource.endswith(":open")
    )
    callers = finding.evidence["callers"]
    assert isinstance(callers, dict)
    assert callers["anyone (anonymous)"] == ["s3:GetObject"]
    assert finding.evidence["decided_by"]
    assert "aws s3api get-bucket-policy --bucket open" in finding.remediation.commands


def test_cross_account_outside_the_organization() -> None:
    send = "sqs:SendMessage"
    queue = "*"
    result = _assess(
        _queue("partner", _allow({"AWS": f"arn:aws:iam::{PARTNER}:root"}, send, queue)),
        _queue(
            "partner-role",
            _allow({"AWS": f"arn:aws:iam::{PARTNER}:role/reader"}, "sqs:ReceiveMessage", queue),
        ),
        _queue("member", _allow({"AWS": f"arn:aws:iam::{MEMBER}:root"}, send, queue)),
        _queue("own", _allow({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "sqs:*", queue)),
        _queue(
            "other-org", _allow("*", send, queue, {"StringEquals": {"aws:PrincipalOrgID": "o-partner00001"}})
        ),
        _queue(
            "partner-account-key",
            _allow("*", send, queue, {"StringEquals": {"aws:PrincipalAccount": PARTNER}}),
        ),
    )
    assert _flagged(result, "resource-policy-cross-account") == {
        "partner",
        "partner-role",
        "other-org",
        "partner-account-key",
    }
    assert _flagged(result, "resource-policy-public") == set()
    other = next(f for f in result.findings if f.resource.endswith(":other-org"))
    assert other.evidence["callers"] == {"organization o-partner00001": [send]}
    assert other.evidence["organization_known"] is True
    # Without the organization, a member account is outside too (only the account itself is in).
    unknown = assess(
        snapshot(
            replace(
                compliant_account(),
                resource_policies=(_queue("member", _allow({"AWS": MEMBER}, send, queue)),),
            )
        ),
        AssessConfig(as_of=AS_OF),
    )
    assert _flagged(unknown, "resource-policy-cross-account") == {"member"}


def test_service_principals_need_a_source_condition() -> None:
    function = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:handler"
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts"
    result = _assess(
        _regional(
            "lambda", function, _allow({"Service": "s3.amazonaws.com"}, "lambda:InvokeFunction", function)
        ),
        _regional(
            "lambda",
            function.replace("handler", "scoped"),
            _allow(
                {"Service": "s3.amazonaws.com"},
                "lambda:InvokeFunction",
                function.replace("handler", "scoped"),
                {
                    "StringEquals": {"aws:SourceAccount": ACCOUNT},
                    "ArnLike": {"aws:SourceArn": "arn:aws:s3:::uploads"},
                },
            ),
        ),
        _queue(
            "from-topic",
            _allow(
                "*",
                "sqs:SendMessage",
                f"arn:aws:sqs:{REGION}:{ACCOUNT}:from-topic",
                {"ArnEquals": {"aws:SourceArn": topic}},
            ),
        ),
        _queue(
            "partner-bus",
            _allow(
                {"Service": "events.amazonaws.com"},
                "sqs:SendMessage",
                f"arn:aws:sqs:{REGION}:{ACCOUNT}:partner-bus",
                {"StringEquals": {"aws:SourceAccount": PARTNER}},
            ),
        ),
    )
    # A service acting for any account is a confused deputy, not "open to anyone".
    assert _flagged(result, "resource-policy-public") == set()
    assert _flagged(result, "resource-policy-confused-deputy") == {"handler"}
    handler = next(f for f in result.findings if f.check == "resource-policy-confused-deputy")
    assert handler.evidence["callers"] == {"any account through s3.amazonaws.com": ["lambda:InvokeFunction"]}
    assert handler.severity == Severity.HIGH
    assert handler.title == "AWS service may act on the resource for any account (confused deputy)"
    assert "lets s3.amazonaws.com act on it for any AWS account" in handler.message
    assert "open to anyone" not in handler.title
    assert any(c.startswith("aws lambda remove-permission") for c in handler.remediation.commands)
    assert _flagged(result, "resource-policy-cross-account") == {"partner-bus"}


def test_a_real_public_grant_stays_critical_beside_a_deputy_grant() -> None:
    function = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:both"
    result = _assess(
        _regional(
            "lambda",
            function,
            _allow({"Service": "s3.amazonaws.com"}, "lambda:InvokeFunction", function),
            _allow("*", "lambda:GetFunction", function),
        )
    )
    public = next(f for f in result.findings if f.check == "resource-policy-public")
    assert public.severity == Severity.CRITICAL
    assert public.evidence["callers"] == {
        "anyone (anonymous)": ["lambda:GetFunction"],
        "any AWS account": ["lambda:GetFunction"],
    }
    assert _flagged(result, "resource-policy-confused-deputy") == {"both"}


def test_key_policies_and_rcps() -> None:
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    secret = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:db-AbCdEf"
    repository = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/images"
    keys = (
        _regional("kms", key, _allow({"AWS": "*"}, ["kms:Decrypt", "kms:DescribeKey"], "*")),
        _regional(
            "kms",
            key.replace("1234abcd", "5678abcd"),
            _allow({"AWS": "*"}, "kms:Decrypt", "*", {"StringEquals": {"kms:CallerAccount": ACCOUNT}}),
        ),
        _regional("secretsmanager", secret, _allow("*", "secretsmanager:GetSecretValue", "*")),
        _regional("ecr", repository, _allow("*", "ecr:BatchGetImage", repository)),
    )
    result = _assess(*keys)
    assert _flagged(result, "resource-policy-public") == {
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        "db-AbCdEf",
        "images",
    }
    # An RCP keeping identities outside the organization away closes all three (KMS, Secrets
    # Manager and ECR are services RCPs govern).
    perimeter = _doc(
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": ["kms:*", "secretsmanager:*", "ecr:*"],
            "Resource": "*",
            "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG}},
        }
    )
    closed = _assess(*keys, organization=_organization(perimeter))
    assert _flagged(closed, "resource-policy-public") == set()
    assert _flagged(closed, "resource-policy-cross-account") == set()


def test_not_collected_without_resource_policies() -> None:
    result = assess(snapshot(replace(compliant_account(), resource_policies=None)), AssessConfig(as_of=AS_OF))
    runs = {(r.check, r.status) for r in result.check_runs}
    assert ("resource-policy-public", "not_collected") in runs
    assert ("resource-policy-cross-account", "not_collected") in runs


def test_a_malformed_resource_policy_is_reported_and_the_others_still_checked() -> None:
    broken = ResourcePolicy(
        "arn:aws:s3:::broken",
        "s3",
        REGION,
        {"Version": "2012-10-17", "Statement": [{"Effect": "Perhaps", "Principal": "*", "Action": "s3:*"}]},
        "broken",
    )
    group = _bucket("group", _allow({"AWS": f"arn:aws:iam::{PARTNER}:group/readers"}, "s3:*", "*"))
    result = _assess(broken, group, _bucket("open", _allow("*", "s3:GetObject", "arn:aws:s3:::open/*")))
    assert _flagged(result, "resource-policy-public") == {"open"}
    assert {r.check: r.status for r in result.check_runs}["resource-policy-public"] == "evaluated"
    assert [p for p in result.problems if "broken" in p and "Effect" in p]


# S3 Block Public Access, Object Ownership and bucket ACLs. Source for every rule below: Amazon S3
# User Guide, "Blocking public access to your Amazon S3 storage"
# (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html):
# account and bucket settings combine, the most restrictive wins; RestrictPublicBuckets limits a
# bucket with a public policy to AWS service principals and authorized users of the owner's
# account, and blocks cross-account access in that policy too; IgnorePublicAcls ignores public
# ACLs; BlockPublicPolicy and BlockPublicAcls only reject new public policies or ACLs ("doesn't
# affect existing policies or ACLs"); "The meaning of public": ACL grants to AllUsers or
# AuthenticatedUsers are public. Amazon S3 User Guide, "Access control list (ACL) overview"
# (https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html): what each permission
# allows on a bucket; with Object Ownership BucketOwnerEnforced, ACLs are disabled.

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"
NONE_SET = PublicAccessBlock(configured=False)
RESTRICT = PublicAccessBlock(restrict_public_buckets=True)


def _settings(
    name: str,
    block: PublicAccessBlock | None = NONE_SET,
    *grants: tuple[str, str],
    ownership: str | None = "",
    public: bool | None = None,
) -> Bucket:
    acl = tuple(
        AclGrant("Group" if uri.startswith("http") else "CanonicalUser", uri, permission)
        for uri, permission in grants
    )
    return Bucket(name, f"arn:aws:s3:::{name}", REGION, block, acl, "owner-id", ownership, public)


def _assess_s3(
    policies: tuple[ResourcePolicy, ...],
    buckets: tuple[Bucket, ...] | None,
    account_block: PublicAccessBlock | None = NONE_SET,
) -> Assessment:
    account = replace(
        compliant_account(), resource_policies=policies, buckets=buckets, s3_public_access_block=account_block
    )
    return assess(snapshot(account, organization=_organization()), AssessConfig(as_of=AS_OF))


def _public_read(name: str) -> ResourcePolicy:
    return _bucket(name, _allow("*", "s3:GetObject", f"arn:aws:s3:::{name}/*"))


def _finding(result: Assessment, check: str, name: str) -> Finding:
    return next(f for f in result.findings if f.check == check and f.resource == f"arn:aws:s3:::{name}")


def test_restrict_public_buckets_neutralises_a_public_policy_at_either_level() -> None:
    names = ("open", "account-level", "bucket-level")
    policies = tuple(_public_read(n) for n in names)
    result = _assess_s3(
        policies, (_settings("open"), _settings("account-level"), _settings("bucket-level", RESTRICT))
    )
    assert _flagged(result, "resource-policy-public") == {"open", "account-level"}
    assert _flagged(result, "s3-public-access-blocked") == {"bucket-level"}
    blocked = _finding(result, "s3-public-access-blocked", "bucket-level")
    assert blocked.severity == Severity.LOW
    assert "RestrictPublicBuckets (bucket) limits it to AWS services" in blocked.message
    assert "anyone (anonymous)" in blocked.message
    # Turned on for the whole account, it neutralises every bucket's public policy.
    account_wide = _assess_s3(policies, (_settings("open"), _settings("account-level")), RESTRICT)
    assert _flagged(account_wide, "resource-policy-public") == set()
    # (bucket-level has no settings collected here: the account's setting alone decides.)
    assert _flagged(account_wide, "s3-public-access-blocked") == set(names)
    assert (
        "RestrictPublicBuckets (account)"
        in _finding(account_wide, "s3-public-access-blocked", "open").message
    )
    open_finding = _finding(result, "resource-policy-public", "open")
    assert open_finding.severity == Severity.CRITICAL
    block = open_finding.evidence["block_public_access"]
    assert isinstance(block, dict)
    assert block["RestrictPublicBuckets"] == "RestrictPublicBuckets off"
    assert block["considered"] is True
    assert "not collected" not in open_finding.message
    assert open_finding.message.endswith(
        "Block Public Access does not stop it (RestrictPublicBuckets is off for the account and the bucket)."
    )


def test_restrict_public_buckets_blocks_cross_account_grants_only_in_a_public_policy() -> None:
    partner: JsonValue = {"AWS": f"arn:aws:iam::{PARTNER}:root"}
    mixed = _bucket(
        "mixed",
        _allow("*", "s3:GetObject", "arn:aws:s3:::mixed/*"),
        _allow(partner, "s3:PutObject", "arn:aws:s3:::mixed/*"),
    )
    shared = _bucket("shared", _allow(partner, "s3:GetObject", "arn:aws:s3:::shared/*"))
    result = _assess_s3((mixed, shared), (_settings("mixed"), _settings("shared")), RESTRICT)
    # The public policy's partner grant is blocked with the rest; a non-public policy is untouched.
    assert _flagged(result, "resource-policy-cross-account") == {"shared"}
    blocked = _finding(result, "s3-public-access-blocked", "mixed")
    assert blocked.evidence["policy_callers"] == {
        "anyone (anonymous)": ["s3:GetObject"],
        "any AWS account": ["s3:GetObject"],
        f"account {PARTNER}": ["s3:GetObject", "s3:PutObject"],
    }


def test_restrict_public_buckets_lets_aws_service_principals_in() -> None:
    bucket = _bucket(
        "logs",
        _allow("*", "s3:GetObject", "arn:aws:s3:::logs/*"),
        _allow({"Service": "cloudtrail.amazonaws.com"}, "s3:PutObject", "arn:aws:s3:::logs/*"),
    )
    result = _assess_s3((bucket,), (_settings("logs"),), RESTRICT)
    assert _flagged(result, "s3-public-access-blocked") == {"logs"}
    assert _flagged(result, "resource-policy-confused-deputy") == {"logs"}


def test_block_public_policy_does_not_affect_a_policy_already_in_place() -> None:
    block = PublicAccessBlock(block_public_policy=True, block_public_acls=True)
    result = _assess_s3((_public_read("old"),), (_settings("old"),), block)
    finding = _finding(result, "resource-policy-public", "old")
    assert finding.severity == Severity.CRITICAL
    assert "BlockPublicPolicy (account) is on but only rejects new public policies" in finding.message


def test_aws_policy_status_decides_whether_restrict_public_buckets_applies() -> None:
    # AWS says the policy is not public (its own reading of "public"): RestrictPublicBuckets does
    # not apply, so what the engine finds stands; AWS says public: it applies.
    not_public = _assess_s3((_public_read("b"),), (_settings("b", public=False),), RESTRICT)
    assert _flagged(not_public, "resource-policy-public") == {"b"}
    assert (
        "policy status says the policy is not public"
        in _finding(not_public, "resource-policy-public", "b").message
    )
    public = _assess_s3((_public_read("b"),), (_settings("b", public=True),), RESTRICT)
    assert _flagged(public, "resource-policy-public") == set()


def test_block_public_access_not_collected_is_said_not_considered() -> None:
    nothing = _assess_s3((_public_read("b"),), None, None)
    finding = _finding(nothing, "resource-policy-public", "b")
    assert (
        "S3 Block Public Access was not collected (account, bucket), so it was not considered."
        in finding.message
    )
    block = finding.evidence["block_public_access"]
    assert isinstance(block, dict)
    assert block["considered"] is False
    # The account's setting alone decides when it is on, whatever the bucket's is.
    account_on = _assess_s3((_public_read("b"),), None, RESTRICT)
    assert _flagged(account_on, "resource-policy-public") == set()
    assert _flagged(account_on, "s3-public-access-blocked") == {"b"}
    # Off for the account, bucket unknown: not considered (the bucket might restrict it).
    bucket_unknown = _assess_s3((_public_read("b"),), (_settings("b", None),))
    assert "not collected (bucket)" in _finding(bucket_unknown, "resource-policy-public", "b").message


def test_public_acl_grants_are_findings_of_their_own() -> None:
    buckets = (
        _settings("read", NONE_SET, (ALL_USERS, "READ")),
        _settings("write", NONE_SET, (AUTHENTICATED, "WRITE"), (ALL_USERS, "READ_ACP")),
        _settings("takeover", NONE_SET, (AUTHENTICATED, "WRITE_ACP")),
        _settings("logging", NONE_SET, (LOG_DELIVERY, "WRITE"), ("a1b2c3", "FULL_CONTROL")),
        _settings("ignored", PublicAccessBlock(ignore_public_acls=True), (ALL_USERS, "FULL_CONTROL")),
        _settings("acls-off", NONE_SET, (ALL_USERS, "READ"), ownership="BucketOwnerEnforced"),
        _settings("new-only", PublicAccessBlock(block_public_acls=True), (ALL_USERS, "READ")),
    )
    result = _assess_s3((), buckets)
    assert _flagged(result, "s3-bucket-acl-public") == {"read", "write", "takeover", "new-only"}
    assert _flagged(result, "s3-public-access-blocked") == {"ignored", "acls-off"}
    read = _finding(result, "s3-bucket-acl-public", "read")
    assert read.severity == Severity.CRITICAL
    assert (
        read.message
        == "The ACL of S3 bucket read grants anyone (AllUsers) READ (list the objects in the bucket)."
    )
    write = _finding(result, "s3-bucket-acl-public", "write")
    grants = write.evidence["grants"]
    assert isinstance(grants, list)
    assert grants[0] == {
        "grantee": "any AWS account (AuthenticatedUsers)",
        "permission": "WRITE",
        "allows": ["s3:PutObject", "s3:DeleteObject"],
        "meaning": "create objects in the bucket, and overwrite or delete them",
    }
    assert "rewrite the bucket ACL" in _finding(result, "s3-bucket-acl-public", "takeover").message
    assert (
        "IgnorePublicAcls (bucket) makes S3 ignore that"
        in _finding(result, "s3-public-access-blocked", "ignored").message
    )
    assert (
        "BucketOwnerEnforced (ACLs disabled)"
        in _finding(result, "s3-public-access-blocked", "acls-off").message
    )
    account_wide = _assess_s3((), buckets, PublicAccessBlock(ignore_public_acls=True))
    assert _flagged(account_wide, "s3-bucket-acl-public") == set()


def test_acl_check_without_acls_is_not_collected_and_unknown_settings_are_named() -> None:
    runs = {r.check: r.status for r in _assess_s3((), None).check_runs}
    assert runs["s3-bucket-acl-public"] == "not_collected"
    unknown = _assess_s3((), (_settings("b", None, (ALL_USERS, "READ"), ownership=None),), None)
    message = _finding(unknown, "s3-bucket-acl-public", "b").message
    assert message.endswith(
        "S3 Block Public Access was not collected (account, bucket) and Object Ownership was not "
        "collected, so it was not considered."
    )
