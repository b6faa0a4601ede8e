"""The evaluation procedure through the library API, with the explanation it gives.

Rules: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

from __future__ import annotations

import pytest

import iamscope
from iamscope.engine import PolicySet, Request, RequestError, compile_policy, evaluate, resource_owner
from iamscope.engine.cases import case_resource_account, run_case
from iamscope.engine.principal import Grant, PrincipalKind, parse_principal
from iamscope.model.document import JsonValue

A = "111122223333"
B = "444455556666"
USER = f"arn:aws:iam::{A}:user/alice"
SESSION = f"arn:aws:sts::{A}:assumed-role/app/s1"


def doc(*statements: dict[str, JsonValue]) -> JsonValue:
    return {"Version": "2012-10-17", "Statement": list(statements)}


ALLOW_ALL = compile_policy(doc({"Effect": "Allow", "Action": "*", "Resource": "*"}), "allow-all")


def test_the_library_entry_points_are_on_the_package() -> None:
    request = iamscope.Request(USER, "s3:GetObject", "arn:aws:s3:::b/k", resource_account=A)
    decision = iamscope.evaluate(
        request,
        iamscope.PolicySet(
            identity=[iamscope.compile_policy(doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))]
        ),
    )
    assert decision.allowed


def test_default_is_implicit_deny() -> None:
    decision = evaluate(Request(USER, "s3:GetObject", "arn:aws:s3:::b/k", resource_account=A), PolicySet())
    assert decision.decision == "implicitDeny"
    assert decision.explanation.layer == "identity"


def test_explicit_deny_names_every_matching_statement() -> None:
    deny = compile_policy(doc({"Sid": "NoS3", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}), "guard")
    scp_deny = compile_policy(doc({"Sid": "Region", "Effect": "Deny", "Action": "*", "Resource": "*"}), "scp")
    decision = evaluate(
        Request(USER, "s3:GetObject", "arn:aws:s3:::b/k", resource_account=A),
        PolicySet(identity=[ALLOW_ALL, deny], scps=[[ALLOW_ALL, scp_deny]]),
    )
    assert decision.decision == "explicitDeny"
    matched = {(m.layer, m.policy, m.statement) for m in decision.explanation.matched}
    assert matched == {("identity", "guard", "NoS3"), ("scp", "scp", "Region")}
    assert decision.explanation.remedy


def test_scps_need_an_allow_at_every_level() -> None:
    only_ec2 = compile_policy(doc({"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}), "ou-ec2")
    decision = evaluate(
        Request(USER, "s3:GetObject", "arn:aws:s3:::b/k", resource_account=A),
        PolicySet(identity=[ALLOW_ALL], scps=[[ALLOW_ALL], [only_ec2]]),
    )
    assert decision.decision == "implicitDeny"
    assert decision.explanation.layer == "scp"
    assert "level 1" in decision.explanation.reason


def test_scps_do_not_apply_to_the_management_account_or_service_linked_roles() -> None:
    deny_all = compile_policy(doc({"Effect": "Deny", "Action": "*", "Resource": "*"}))
    request = Request(USER, "s3:GetObject", "arn:aws:s3:::b/k", resource_account=A)
    assert evaluate(request, PolicySet(identity=[ALLOW_ALL], scps=[[deny_all]], management_account=A)).allowed
    slr = Request(
        f"arn:aws:iam::{A}:role/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk",
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        A,
    )
    assert evaluate(slr, PolicySet(identity=[ALLOW_ALL], scps=[[deny_all]])).allowed
    assert not evaluate(request, PolicySet(identity=[ALLOW_ALL], scps=[[deny_all]])).allowed


def test_rcps_only_deny_and_only_for_supported_services() -> None:
    deny_s3 = compile_policy(doc({"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}))
    s3 = Request(USER, "s3:GetObject", "arn:aws:s3:::b/k", resource_account=A)
    ec2 = Request(USER, "ec2:DescribeInstances", "*")
    assert evaluate(s3, PolicySet(identity=[ALLOW_ALL], rcps=[[deny_s3]])).decision == "explicitDeny"
    assert evaluate(ec2, PolicySet(identity=[ALLOW_ALL], rcps=[[deny_s3]])).allowed
    assert evaluate(s3, PolicySet(identity=[ALLOW_ALL], rcps=[[]])).allowed  # RCPFullAWSAccess implied


@pytest.mark.parametrize(
    ("named", "expected"),
    [
        (USER, "allowed"),  # a user ARN is not limited by a boundary's implicit deny
        (f"arn:aws:iam::{A}:root", "implicitDeny"),  # the account delegates to identity policies
    ],
)
def test_same_account_resource_policy_with_a_boundary(named: str, expected: str) -> None:
    boundary = compile_policy(doc({"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}))
    bucket = compile_policy(
        doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": named},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::b/*",
            }
        )
    )
    decision = evaluate(
        Request(USER, "s3:GetObject", "arn:aws:s3:::b/k", resource_account=A),
        PolicySet(permissions_boundary=[boundary], resource=bucket),
    )
    assert decision.decision == expected


def test_role_arn_grant_is_limited_by_session_policy_but_session_arn_grant_is_not() -> None:
    session_policy = compile_policy(doc({"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}))

    def bucket(principal: str) -> PolicySet:
        return PolicySet(
            session=session_policy,
            resource=compile_policy(
                doc({"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "s3:*", "Resource": "*"})
            ),
        )

    request = Request(SESSION, "s3:GetObject", "arn:aws:s3:::b/k", resource_account=A)
    assert evaluate(request, bucket(f"arn:aws:iam::{A}:role/app")).decision == "implicitDeny"
    assert evaluate(request, bucket(SESSION)).allowed


def test_federated_user_without_session_policy_has_no_permissions() -> None:
    request = Request(
        f"arn:aws:sts::{A}:federated-user/bob", "s3:GetObject", "arn:aws:s3:::b/k", resource_account=A
    )
    decision = evaluate(request, PolicySet(identity=[ALLOW_ALL]))
    assert decision.decision == "implicitDeny"
    assert decision.explanation.layer == "session-policy"
    assert evaluate(request, PolicySet(identity=[ALLOW_ALL], session=ALLOW_ALL)).allowed


def test_cross_account_needs_both_sides() -> None:
    request = Request(f"arn:aws:iam::{B}:user/eve", "s3:GetObject", "arn:aws:s3:::b/k", resource_account=A)
    bucket = compile_policy(
        doc({"Effect": "Allow", "Principal": {"AWS": B}, "Action": "s3:GetObject", "Resource": "*"})
    )
    assert evaluate(request, PolicySet(identity=[ALLOW_ALL])).decision == "implicitDeny"
    assert evaluate(request, PolicySet(resource=bucket)).decision == "implicitDeny"
    assert evaluate(request, PolicySet(identity=[ALLOW_ALL], resource=bucket)).allowed


def test_trust_and_key_policies_must_allow_on_their_own() -> None:
    assume = Request(USER, "sts:AssumeRole", f"arn:aws:iam::{A}:role/deploy")
    assert evaluate(assume, PolicySet(identity=[ALLOW_ALL])).decision == "implicitDeny"
    trust_account = compile_policy(
        doc({"Effect": "Allow", "Principal": {"AWS": A}, "Action": "sts:AssumeRole"})
    )
    assert evaluate(assume, PolicySet(resource=trust_account)).decision == "implicitDeny"
    assert evaluate(assume, PolicySet(identity=[ALLOW_ALL], resource=trust_account)).allowed
    key = Request(USER, "kms:Decrypt", f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab")
    assert evaluate(key, PolicySet(identity=[ALLOW_ALL])).decision == "implicitDeny"


def test_anonymous_and_service_principals_need_the_resource_policy() -> None:
    public = compile_policy(
        doc({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"})
    )
    to_lambda = compile_policy(
        doc(
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": "*",
            }
        )
    )
    anonymous = Request("anonymous", "s3:GetObject", "arn:aws:s3:::b/k", resource_account=A)
    assert evaluate(anonymous, PolicySet(resource=public)).allowed
    assert evaluate(anonymous, PolicySet(identity=[ALLOW_ALL])).decision == "implicitDeny"
    service = Request("lambda.amazonaws.com", "sqs:SendMessage", f"arn:aws:sqs:us-east-1:{A}:q")
    assert evaluate(service, PolicySet(resource=to_lambda)).allowed
    assert evaluate(service, PolicySet(resource=public)).decision == "implicitDeny"


def test_derived_context_keys_feed_conditions() -> None:
    policy = compile_policy(
        doc(
            {
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalAccount": A, "aws:username": "alice"}},
            }
        )
    )
    assert evaluate(Request(USER, "s3:GetObject", "*"), PolicySet(identity=[policy])).allowed
    assert not evaluate(Request(SESSION, "s3:GetObject", "*"), PolicySet(identity=[policy])).allowed


def test_unreadable_requests_raise_request_error() -> None:
    with pytest.raises(RequestError):
        evaluate(Request("not a principal", "s3:GetObject", "*"), PolicySet())
    with pytest.raises(RequestError):
        evaluate(Request(USER, "GetObject", "*"), PolicySet())


def test_principals_parse_into_their_identities() -> None:
    session = parse_principal(SESSION, f"arn:aws:iam::{A}:role/team/app")
    assert session is not None
    assert session.kind == PrincipalKind.ROLE_SESSION
    assert session.role_arn == f"arn:aws:iam::{A}:role/team/app"
    assert session.identities() == (f"account:{A}", f"role:{A}:app", f"session:{A}:app/s1")
    assert parse_principal("123456789012") is not None
    assert parse_principal("arn:aws:s3:::bucket") is None


def test_principal_grants_rank_account_role_direct() -> None:
    from iamscope.engine.principal import CompiledPrincipal
    from iamscope.model.policies import PrincipalSpec

    session = parse_principal(SESSION)
    assert session is not None
    assert CompiledPrincipal.build(PrincipalSpec(aws=(A,))).grant(session) == Grant.ACCOUNT
    assert (
        CompiledPrincipal.build(PrincipalSpec(aws=(f"arn:aws:iam::{A}:role/app",))).grant(session)
        == Grant.ROLE
    )
    assert CompiledPrincipal.build(PrincipalSpec(aws=(SESSION,))).grant(session) == Grant.DIRECT
    assert CompiledPrincipal.build(PrincipalSpec(wildcard=True)).grant(session) == Grant.DIRECT
    assert (
        CompiledPrincipal.build(PrincipalSpec(aws=(f"arn:aws:iam::{B}:root",))).grant(session) == Grant.NONE
    )


def test_allowed_explanation_lists_every_layer_that_allowed() -> None:
    identity_a = compile_policy(
        doc({"Sid": "A", "Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}), "id-a"
    )
    identity_b = compile_policy(
        doc({"Sid": "B", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}), "id-b"
    )
    boundary = compile_policy(
        doc({"Sid": "Cap", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}), "cap"
    )
    session = compile_policy(doc({"Sid": "Sess", "Effect": "Allow", "Action": "*", "Resource": "*"}), "sess")
    decision = evaluate(
        Request(SESSION, "s3:GetObject", "arn:aws:s3:::b/k", resource_account=A),
        PolicySet(
            identity=[identity_a, identity_b],
            permissions_boundary=[boundary],
            session=session,
            scps=[[ALLOW_ALL]],
        ),
    )
    assert decision.allowed
    matched = [(m.layer, m.policy, m.statement) for m in decision.explanation.matched]
    # evaluation stopped at the first identity Allow; the explanation still names both
    assert matched == [
        ("scp", "allow-all", "Statement[0]"),
        ("identity", "id-a", "A"),
        ("identity", "id-b", "B"),
        ("permissions-boundary", "cap", "Cap"),
        ("session-policy", "sess", "Sess"),
    ]


def test_an_s3_arn_without_its_owner_is_refused_for_an_iam_principal_not_guessed() -> None:
    # The bucket policy grants only account B; whether alice's identity policy is enough depends on
    # whose bucket it is, which an S3 ARN does not say.
    bucket = compile_policy(
        doc({"Effect": "Allow", "Principal": {"AWS": B}, "Action": "s3:GetObject", "Resource": "*"}),
        "bucket",
        "resource",
    )
    policies = PolicySet(identity=[ALLOW_ALL], resource=bucket)
    with pytest.raises(RequestError, match="resource_account"):
        evaluate(Request(USER, "s3:GetObject", "arn:aws:s3:::foreign/k"), policies)
    assert evaluate(Request(USER, "s3:GetObject", "arn:aws:s3:::foreign/k", A), policies).allowed
    assert (
        evaluate(Request(USER, "s3:GetObject", "arn:aws:s3:::foreign/k", B), policies).decision
        == "implicitDeny"
    )
    # Callers without an account (anonymous, services) and ARNs every account has its own of are fine.
    assert (
        evaluate(Request("anonymous", "s3:GetObject", "arn:aws:s3:::foreign/k"), policies).decision
        == "implicitDeny"
    )
    assert evaluate(Request(USER, "s3:ListAllMyBuckets", "*"), policies).allowed
    assert evaluate(
        Request(USER, "iam:GetPolicy", "arn:aws:iam::aws:policy/ReadOnlyAccess"), policies
    ).allowed
    assert evaluate(
        Request(USER, "route53:GetHostedZone", "arn:aws:route53:::hostedzone/Z1"), policies
    ).allowed


def test_the_cases_format_states_its_default_owner_explicitly() -> None:
    assert case_resource_account(USER, "arn:aws:s3:::b/k", None) == A
    assert case_resource_account(USER, "arn:aws:s3:::b/k", B) == B
    assert case_resource_account(USER, f"arn:aws:sqs:eu-west-1:{B}:q", None) == B
    assert case_resource_account("anonymous", "arn:aws:s3:::b/k", None) is None
    result = run_case(
        {
            "id": "s3-no-owner",
            "request": {"principal": USER, "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"},
            "policies": {"identity": [doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})]},
        }
    )
    assert result.error is None
    assert result.decision is not None
    assert result.decision.allowed


def test_resource_owner() -> None:
    assert resource_owner(f"arn:aws:sqs:eu-west-1:{B}:q") == B
    assert resource_owner("arn:aws:s3:::b/k") is None
    assert resource_owner("arn:aws:s3:::b/k", A) == A
    assert resource_owner("arn:aws:iam::aws:policy/ReadOnlyAccess", A) == A
    assert resource_owner("*", A) == A


def test_get_caller_identity_needs_no_permission_and_no_deny_stops_it() -> None:
    deny_all = compile_policy(doc({"Effect": "Deny", "Action": "*", "Resource": "*"}), "deny-all")
    decision = evaluate(
        Request(SESSION, "sts:GetCallerIdentity", "*"),
        PolicySet(identity=[deny_all], permissions_boundary=[deny_all], session=deny_all, scps=[[deny_all]]),
    )
    assert decision.allowed
    assert decision.explanation.layer == "no-permission-needed"
    assert (
        evaluate(Request("anonymous", "sts:GetCallerIdentity", "*"), PolicySet()).decision == "implicitDeny"
    )
