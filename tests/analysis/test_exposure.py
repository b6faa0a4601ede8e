"""Public and cross-account access through resource policies: each exposed case has a near miss
that a narrowing condition, an explicit deny or an RCP closes, decided by the engine."""

from __future__ import annotations

from dataclasses import replace

from iamscope.analysis.assess import AssessConfig, assess
from iamscope.model.document import JsonValue
from iamscope.model.findings import Assessment
from iamscope.model.snapshot import OrgAccount, Organization, OrgPolicy, OrgUnit, ResourcePolicy
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
    assert _flagged(result, "resource-policy-public") == {"handler"}
    handler = next(f for f in result.findings if f.check == "resource-policy-public")
    assert handler.evidence["callers"] == {"any account through s3.amazonaws.com": ["lambda:InvokeFunction"]}
    assert _flagged(result, "resource-policy-cross-account") == {"partner-bus"}


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
