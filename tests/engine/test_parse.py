"""The policy grammar: what parses, and errors that name the JSON path of the fault."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamscope.engine import PolicyError, compile_policy, parse_policy, parse_policy_text
from iamscope.engine.parse import read_policy
from iamscope.model.document import JsonValue
from iamscope.model.policies import Effect

SHARED = Path(__file__).resolve().parents[3] / "shared"
MANAGED = SHARED / "eval-data" / "aws-managed-policies" / "iam-dataset-managed-policies.json"


def test_statement_as_object_or_list() -> None:
    single = parse_policy(
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}
    )
    listed = parse_policy(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": ["s3:*"], "Resource": ["*"]}]}
    )
    assert single.statements[0].effect is Effect.ALLOW
    assert single.statements[0].path == "Statement"
    assert listed.statements[0].effect is Effect.DENY
    assert listed.statements[0].path == "Statement[0]"


def test_every_element_is_read() -> None:
    policy = parse_policy(
        {
            "Version": "2012-10-17",
            "Id": "doc",
            "Statement": [
                {
                    "Sid": "One",
                    "Effect": "Allow",
                    "NotAction": "iam:*",
                    "NotResource": "arn:aws:s3:::secret/*",
                    "NotPrincipal": {"AWS": ["111122223333", "arn:aws:iam::111122223333:user/a"]},
                    "Condition": {"Bool": {"aws:SecureTransport": True}, "NumericLessThan": {"k": 5}},
                },
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Principal": {
                        "Federated": "accounts.google.com",
                        "Service": ["lambda.amazonaws.com"],
                        "CanonicalUser": "79a59df9",
                    },
                },
            ],
        }
    )
    first, second = policy.statements
    assert policy.id == "doc"
    assert first.sid == "One"
    assert first.not_actions == ("iam:*",)
    assert first.not_resources == ("arn:aws:s3:::secret/*",)
    assert first.not_principal is not None
    assert first.not_principal.aws == ("111122223333", "arn:aws:iam::111122223333:user/a")
    assert [c.values for c in first.conditions] == [("true",), ("5",)]
    assert second.resources is None
    assert second.principal is not None
    assert second.principal.federated == ("accounts.google.com",)
    assert second.principal.canonical_user == ("79a59df9",)


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ([], ""),
        ({"Version": "2012-10-17"}, "Statement"),
        ({"Version": "2012-10-18", "Statement": []}, "Version"),
        ({"Statement": [], "Extra": 1}, "Extra"),
        ({"Statement": [{"Action": "s3:*", "Resource": "*"}]}, "Statement[0].Effect"),
        ({"Statement": [{"Effect": "allow", "Action": "s3:*", "Resource": "*"}]}, "Statement[0].Effect"),
        ({"Statement": [{"Effect": "Allow", "Resource": "*"}]}, "Statement[0].Action"),
        (
            {"Statement": [{"Effect": "Allow", "Action": "s3:*", "NotAction": "s3:Get*", "Resource": "*"}]},
            "Statement[0].NotAction",
        ),
        (
            {"Statement": [{"Effect": "Allow", "Action": ["s3:*", 3], "Resource": "*"}]},
            "Statement[0].Action[1]",
        ),
        (
            {"Statement": [{"Effect": "Allow", "Action": ["s3GetObject"], "Resource": "*"}]},
            "Statement[0].Action[0]",
        ),
        ({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": []}]}, "Statement[0].Resource"),
        (
            {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Principal": {"Aws": "*"}}]},
            "Statement[0].Principal.Aws",
        ),
        (
            {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Principal": "me"}]},
            "Statement[0].Principal",
        ),
        (
            {
                "Statement": [
                    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                    {
                        "Effect": "Allow",
                        "Action": "s3:*",
                        "Resource": "*",
                        "Condition": {"StringLikes": {"a": "b"}},
                    },
                ]
            },
            "Statement[1].Condition.StringLikes",
        ),
        (
            {
                "Statement": [
                    {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringLike": []}}
                ]
            },
            "Statement[0].Condition.StringLike",
        ),
        (
            {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "s3:*",
                        "Resource": "*",
                        "Condition": {"NullIfExists": {"a": "true"}},
                    }
                ]
            },
            "Statement[0].Condition.NullIfExists",
        ),
        (
            {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "s3:*",
                        "Resource": "*",
                        "Condition": {"StringEquals": {"k": {"x": 1}}},
                    }
                ]
            },
            "Statement[0].Condition.StringEquals.k",
        ),
    ],
)
def test_errors_name_the_json_path(document: JsonValue, path: str) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(document)
    assert caught.value.path == path


@pytest.mark.parametrize(
    ("condition", "path"),
    [
        ({"NumericLessThan": {"s3:max-keys": "ten"}}, "Statement[0].Condition.NumericLessThan.s3:max-keys"),
        (
            {"DateGreaterThan": {"aws:CurrentTime": "yesterday"}},
            "Statement[0].Condition.DateGreaterThan.aws:CurrentTime",
        ),
        ({"IpAddress": {"aws:SourceIp": "10.0.0.300/8"}}, "Statement[0].Condition.IpAddress.aws:SourceIp"),
        ({"Bool": {"aws:SecureTransport": "yes"}}, "Statement[0].Condition.Bool.aws:SecureTransport"),
        ({"BinaryEquals": {"k": "not base64!"}}, "Statement[0].Condition.BinaryEquals.k"),
    ],
)
def test_unreadable_condition_values_name_their_path(condition: dict[str, JsonValue], path: str) -> None:
    with pytest.raises(PolicyError) as caught:
        compile_policy(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition}],
            }
        )
    assert caught.value.path == path


def test_text_errors_are_policy_errors() -> None:
    with pytest.raises(PolicyError, match="not valid JSON"):
        parse_policy_text('{"Statement": [')
    with pytest.raises(PolicyError, match="UTF-8"):
        parse_policy_text(b"\xff\xfe{")


def test_a_json_string_holding_the_document_is_accepted() -> None:
    # get-account-authorization-details returns documents as JSON; some tools pass them as strings.
    text = json.dumps(
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}
    )
    assert parse_policy(text).statements[0].actions == ("*",)


def test_every_aws_managed_policy_parses() -> None:
    if not MANAGED.is_file():
        pytest.skip("optional corpus ../shared/eval-data/aws-managed-policies is absent")
    corpus = json.loads(MANAGED.read_text(encoding="utf-8"))
    failures = []
    for record in corpus["policies"]:
        try:
            compile_policy(record["document"], record["name"])
        except PolicyError as error:
            failures.append(f"{record['name']}: {error}")
    assert len(corpus["policies"]) > 1000
    assert failures == []


ALLOW_ALL: dict[str, JsonValue] = {"Effect": "Allow", "Action": "*", "Resource": "*"}


@pytest.mark.parametrize(
    ("odd", "path"),
    [
        ({"Effect": "allow", "Action": "s3:*", "Resource": "*"}, "Statement[1].Effect"),
        ({"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Conditions": {}}, "Statement[1].Conditions"),
        ({"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Principal": "*"}, "Statement[1].Principal"),
        ({"Effect": "Allow", "Action": "s3:*"}, "Statement[1].Resource"),
        (
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringEqualz": {"a": "b"}}},
            "Statement[1].Condition.StringEqualz",
        ),
        ("not a statement", "Statement[1]"),
    ],
)
def test_lenient_reading_drops_only_the_statement_it_cannot_understand(odd: JsonValue, path: str) -> None:
    document: JsonValue = {
        "Version": "2012-10-17",
        "Statement": [ALLOW_ALL, odd, {**ALLOW_ALL, "Effect": "Deny"}],
    }
    with pytest.raises(PolicyError) as caught:
        read_policy(document, "identity")
    assert caught.value.path == path
    policy, problems = read_policy(document, "identity", lenient=True)
    assert [s.index for s in policy.statements] == [0, 2]
    assert [s.effect for s in policy.statements] == [Effect.ALLOW, Effect.DENY]
    assert [p.path for p in problems] == [path]
    assert "matches nothing" in problems[0].message


def test_lenient_reading_keeps_the_readable_values_of_an_action_list() -> None:
    document: JsonValue = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": ["s3:PutObject", 3, "GetObject"], "Resource": "*"}],
    }
    policy, problems = read_policy(document, lenient=True)
    assert policy.statements[0].actions == ("s3:PutObject",)
    assert [p.path for p in problems] == ["Statement[0].Action[1]", "Statement[0].Action[2]"]


def test_lenient_reading_of_the_top_level() -> None:
    policy, problems = read_policy(
        {"Version": "2019-01-01", "Extra": 1, "Statement": [ALLOW_ALL]}, lenient=True
    )
    assert len(policy.statements) == 1
    assert policy.version is None
    assert {p.path for p in problems} == {"Version", "Extra"}
    empty, missing = read_policy({"Version": "2012-10-17"}, lenient=True)
    assert empty.statements == ()
    assert [p.path for p in missing] == ["Statement"]
    with pytest.raises(PolicyError):
        read_policy(["not", "an", "object"], lenient=True)


def test_an_empty_statement_list_is_a_policy_that_allows_nothing() -> None:
    # AWS stores it (an SCP emptied of statements); strict reading accepts it too.
    policy, problems = read_policy({"Version": "2012-10-17", "Statement": []}, "scp")
    assert policy.statements == ()
    assert problems == ()


@pytest.mark.parametrize(
    ("action", "why"),
    [
        ("s3:GetObject,PutObject", "a comma"),
        ("s3:Get*,Put*", "a comma"),
        ("s3:   GetBucket", "whitespace"),
        ("s3:GetBucket  ", "whitespace"),
        ("s3:", "nothing after the colon"),
    ],
)
def test_action_names_aws_stores_but_that_name_no_action_are_accepted_and_reported(
    action: str, why: str
) -> None:
    document: JsonValue = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}],
    }
    policy, problems = read_policy(document)
    assert policy.statements[0].actions == (action,)
    (problem,) = problems
    assert problem.path == "Statement[0].Action"
    assert why in problem.message
    compiled = compile_policy(document)
    assert compiled.problems == problems
    assert compiled.for_action("s3:getobject") == ()
    assert compiled.for_action("s3:getbucket") == ()


def test_lenient_compile_drops_a_statement_whose_condition_values_cannot_be_read() -> None:
    document: JsonValue = {
        "Version": "2012-10-17",
        "Statement": [
            {**ALLOW_ALL, "Condition": {"DateGreaterThan": {"aws:CurrentTime": "yesterday"}}},
            {"Effect": "Deny", "Action": "s3:*", "Resource": "*"},
        ],
    }
    with pytest.raises(PolicyError):
        compile_policy(document)
    compiled = compile_policy(document, "p", lenient=True)
    assert [s.deny for s in compiled.statements] == [True]
    assert compiled.for_action("s3:getobject")[0].deny
    assert compiled.for_action("ec2:runinstances") == ()
    (problem,) = compiled.problems
    assert problem.path == "Statement[0].Condition.DateGreaterThan.aws:CurrentTime"
