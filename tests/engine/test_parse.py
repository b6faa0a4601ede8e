"""The policy grammar: what parses, and errors that name the JSON path of the fault."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamscope.engine import PolicyError, compile_policy, parse_policy, parse_policy_text
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
