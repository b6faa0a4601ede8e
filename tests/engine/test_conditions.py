"""Condition operators, one family at a time, and the generic rules around them.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
and .../reference_policies_condition-single-vs-multi-valued-context-keys.html
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from iamscope.engine import compile_policy
from iamscope.engine.conditions import OPERATORS, parse_operator, read_date
from iamscope.engine.context import normalise_context
from iamscope.model.document import JsonValue


def holds(
    condition: dict[str, JsonValue],
    context: Mapping[str, str | Sequence[str]],
    version: str = "2012-10-17",
) -> bool:
    policy = compile_policy(
        {
            "Version": version,
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition}],
        }
    )
    return policy.statements[0].check("*", normalise_context(context))  # Resource "*": conditions decide


def test_operator_table_has_every_documented_operator() -> None:
    documented = {
        "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
        "StringLike", "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan",
        "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals",
        "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan",
        "DateGreaterThanEquals", "Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals",
        "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
    }  # fmt: skip
    assert {spec.name for spec in OPERATORS.values()} == documented


def test_operator_names_parse_with_qualifiers_and_ifexists() -> None:
    parsed = parse_operator("ForAnyValue:StringLikeIfExists")
    assert parsed is not None
    assert (parsed.qualifier, parsed.spec.name, parsed.if_exists) == ("ForAnyValue", "StringLike", True)
    assert parse_operator("ForSomeValues:StringLike") is None
    assert parse_operator("NullIfExists") is None


@pytest.mark.parametrize(
    ("operator", "value", "request_value", "expected"),
    [
        ("StringEquals", "Alice", "Alice", True),
        ("StringEquals", "Alice", "alice", False),
        ("StringNotEquals", "Alice", "Bob", True),
        ("StringEqualsIgnoreCase", "Alice", "aLiCe", True),
        ("StringNotEqualsIgnoreCase", "Alice", "ALICE", False),
        ("StringLike", "home/*/docs?", "home/a/b/docs1", True),
        ("StringLike", "home/*", "Home/x", False),
        ("StringEquals", "home/*", "home/x", False),
        ("StringNotLike", "tmp-*", "prod-1", True),
        ("NumericEquals", "10", "10.0", True),
        ("NumericLessThan", "10", "9.5", True),
        ("NumericLessThanEquals", "10", "10", True),
        ("NumericGreaterThan", "10", "10", False),
        ("NumericGreaterThanEquals", "-1", "0", True),
        ("NumericNotEquals", "3", "4", True),
        ("NumericEquals", "10", "ten", False),
        ("DateLessThan", "2020-01-01T00:00:00Z", "2019-12-31T23:59:59Z", True),
        ("DateGreaterThan", "2020-01-01T00:00:00Z", "1577836801", True),
        ("DateEquals", "2020-01-01T01:00:00+01:00", "2020-01-01T00:00:00Z", True),
        ("DateLessThanEquals", "1577836800", "2020-01-01T00:00:00Z", True),
        ("DateNotEquals", "2020-01-01", "2020-01-02", True),
        ("DateGreaterThanEquals", "2020-01-01T00:00:00Z", "not a date", False),
        ("Bool", "true", "TRUE", True),
        ("Bool", "false", "true", False),
        ("BinaryEquals", "QmluYXJ5VmFsdWU=", "QmluYXJ5VmFsdWU=", True),
        ("BinaryEquals", "QmluYXJ5VmFsdWU=", "T3RoZXI=", False),
        ("IpAddress", "203.0.113.0/24", "203.0.113.7", True),
        ("IpAddress", "203.0.113.0/24", "198.51.100.1", False),
        ("IpAddress", "2001:DB8:1234:5678::/64", "2001:db8:1234:5678::99", True),
        ("IpAddress", "203.0.113.0/24", "2001:db8::1", False),
        ("IpAddress", "203.0.113.7", "203.0.113.7", True),
        ("NotIpAddress", "203.0.113.0/24", "198.51.100.1", True),
        ("ArnLike", "arn:aws:iam::*:role/app-*", "arn:aws:iam::123456789012:role/app-web", True),
        ("ArnEquals", "arn:aws:sns:*:123456789012:topic", "arn:aws:sns:us-east-1:123456789012:topic", True),
        ("ArnLike", "arn:aws:sns:*:123456789012:topic", "arn:aws:sns:us-east-1:123456789012:Topic", False),
        ("ArnLike", "arn:aws:iam::*", "arn:aws:iam::123456789012:role/x", True),
        ("ArnNotLike", "arn:aws:iam::*:role/app-*", "arn:aws:iam::1:user/app-x", True),
        ("ArnNotEquals", "arn:aws:s3:::b", "arn:aws:s3:::b", False),
    ],
)
def test_operator_compares_one_value(operator: str, value: str, request_value: str, expected: bool) -> None:
    assert holds({operator: {"k": value}}, {"k": request_value}) is expected


def test_several_values_of_one_key_are_ored() -> None:
    assert holds({"StringEquals": {"k": ["a", "b"]}}, {"k": "b"})
    assert not holds({"StringEquals": {"k": ["a", "b"]}}, {"k": "c"})


def test_negated_operators_nor_their_values() -> None:
    # StringNotEquals with several values: true only when the request matches none of them.
    assert holds({"StringNotEquals": {"k": ["a", "b"]}}, {"k": "c"})
    assert not holds({"StringNotEquals": {"k": ["a", "b"]}}, {"k": "b"})


def test_keys_and_operators_are_anded() -> None:
    condition: dict[str, JsonValue] = {"StringEquals": {"a": "1", "b": "2"}, "Bool": {"c": "true"}}
    assert holds(condition, {"a": "1", "b": "2", "c": "true"})
    assert not holds(condition, {"a": "1", "b": "2", "c": "false"})
    assert not holds(condition, {"a": "1", "c": "true"})


def test_key_names_are_case_insensitive_values_are_not() -> None:
    assert holds({"StringEquals": {"AWS:PrincipalTag/Team": "Blue"}}, {"aws:principaltag/team": "Blue"})
    assert not holds({"StringEquals": {"aws:PrincipalTag/Team": "Blue"}}, {"aws:PrincipalTag/Team": "blue"})


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("StringEquals", False),
        ("StringNotEquals", True),  # a negated operator on a missing key is true
        ("StringLike", False),
        ("StringNotLike", True),
        ("NumericNotEquals", True),
        ("DateNotEquals", True),
        ("NotIpAddress", True),
        ("ArnNotLike", True),
        ("StringEqualsIfExists", True),
        ("StringNotEqualsIfExists", True),
        ("ForAllValues:StringEquals", True),
        ("ForAnyValue:StringEquals", False),
        ("ForAnyValue:StringNotEquals", False),
        ("ForAllValues:StringNotLike", True),
    ],
)
def test_missing_key_rules(operator: str, expected: bool) -> None:
    value = (
        "1"
        if "Numeric" in operator
        else "2020-01-01"
        if "Date" in operator
        else "10.0.0.0/8"
        if "Ip" in operator
        else "arn:aws:s3:::x"
        if "Arn" in operator
        else "x"
    )
    assert holds({operator: {"absent": value}}, {}) is expected


def test_empty_multivalued_key_counts_as_missing_for_set_operators() -> None:
    assert holds({"ForAllValues:StringEquals": {"aws:TagKeys": "a"}}, {"aws:TagKeys": []})
    assert not holds({"ForAnyValue:StringEquals": {"aws:TagKeys": "a"}}, {"aws:TagKeys": []})


def test_for_all_values_needs_every_request_value_to_match() -> None:
    condition: dict[str, JsonValue] = {
        "ForAllValues:StringLike": {"dynamodb:requestedAttributes": ["PostDateTime", "Message", "Tags"]}
    }
    assert holds(condition, {"dynamodb:requestedAttributes": ["PostDateTime", "Message"]})
    assert not holds(condition, {"dynamodb:requestedAttributes": ["PostDateTime", "UserName"]})


def test_for_any_value_needs_one_match() -> None:
    condition: dict[str, JsonValue] = {
        "ForAnyValue:StringLike": {"dynamodb:requestedAttributes": ["ID", "PostDateTime"]}
    }
    assert holds(condition, {"dynamodb:requestedAttributes": ["UserName", "Message", "PostDateTime"]})
    assert not holds(condition, {"dynamodb:requestedAttributes": ["UserName"]})


def test_negated_set_operators_apply_negation_per_request_value() -> None:
    assert holds({"ForAllValues:StringNotEquals": {"k": ["a", "b"]}}, {"k": ["c", "d"]})
    assert not holds({"ForAllValues:StringNotEquals": {"k": ["a", "b"]}}, {"k": ["c", "a"]})
    assert holds({"ForAnyValue:StringNotEquals": {"k": ["a", "b"]}}, {"k": ["a", "c"]})
    assert not holds({"ForAnyValue:StringNotEquals": {"k": ["a", "b"]}}, {"k": ["a", "b"]})


def test_null_checks_presence() -> None:
    assert holds({"Null": {"aws:TokenIssueTime": "true"}}, {})
    assert not holds({"Null": {"aws:TokenIssueTime": "true"}}, {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"})
    assert holds({"Null": {"aws:TokenIssueTime": "false"}}, {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"})
    assert holds({"Null": {"aws:TagKeys": "true"}}, {"aws:TagKeys": []})


def test_json_booleans_and_numbers_are_policy_values() -> None:
    assert holds({"Bool": {"aws:SecureTransport": True}}, {"aws:SecureTransport": "true"})
    assert holds({"NumericLessThanEquals": {"s3:max-keys": 10}}, {"s3:max-keys": "10"})


def test_policy_variables_in_string_conditions() -> None:
    condition: dict[str, JsonValue] = {"StringLike": {"s3:prefix": ["${aws:username}/*"]}}
    assert holds(condition, {"s3:prefix": "david/reports", "aws:username": "david"})
    assert not holds(condition, {"s3:prefix": "eve/reports", "aws:username": "david"})


def test_policy_variables_are_literal_before_2012_10_17() -> None:
    condition: dict[str, JsonValue] = {"StringEquals": {"k": "${aws:username}"}}
    assert holds(condition, {"k": "${aws:username}", "aws:username": "x"}, version="2008-10-17")
    assert not holds(condition, {"k": "x", "aws:username": "x"}, version="2008-10-17")


def test_a_variable_without_a_value_is_null() -> None:
    # reference_policies_variables.html, "Policy variables with no value": positive operators do
    # not match a null value; inverted operators (StringNotEquals, StringNotLike) do.
    assert not holds({"StringEquals": {"k": "${aws:username}"}}, {"k": "x"})
    assert not holds({"StringLike": {"k": "${aws:username}*"}}, {"k": "x"})
    assert holds({"StringNotEquals": {"k": "${aws:username}"}}, {"k": "x"})
    assert holds({"StringNotLike": {"k": "${aws:username}"}}, {"k": "x"})


def test_variable_defaults_and_special_characters() -> None:
    condition: dict[str, JsonValue] = {"StringEquals": {"k": "${aws:PrincipalTag/team, 'company-wide'}"}}
    assert holds(condition, {"k": "company-wide"})
    assert holds(condition, {"k": "blue", "aws:PrincipalTag/team": "blue"})
    assert holds({"StringLike": {"k": "a${*}b"}}, {"k": "a*b"})
    assert not holds({"StringLike": {"k": "a${*}b"}}, {"k": "axb"})
    assert holds({"StringEquals": {"k": "${$}{x}${?}"}}, {"k": "${x}?"})


def test_substituted_values_are_literal_not_wildcards() -> None:
    condition: dict[str, JsonValue] = {"StringLike": {"k": "home/${aws:username}"}}
    assert not holds(condition, {"k": "home/anything", "aws:username": "*"})
    assert holds(condition, {"k": "home/*", "aws:username": "*"})


def test_dates_read_iso8601_and_epoch() -> None:
    assert read_date("2020-01-01T00:00:00Z") == read_date("1577836800")
    assert read_date("2020-01-01") == read_date("1577836800")
    assert read_date("1577836800000") == read_date("1577836800")
    assert read_date("soon") is None
