"""Event -> IAM action(s) and resources, including every kind of exception."""

from __future__ import annotations

import json
from functools import cache

import msgspec
import pytest

from iamscope.activity.mapping import EventMapper, load_event_action_table
from iamscope.activity.records import Record
from iamscope.engine.catalog import load_catalog
from iamscope.model.document import JsonObject
from tests.activity.builders import ACCOUNT, record


@cache
def _mapper() -> EventMapper:
    return EventMapper(load_catalog(), load_event_action_table())


def _map(raw: JsonObject) -> tuple[str, list[tuple[str, str, str | None]]]:
    rec = msgspec.json.decode(json.dumps(raw).encode(), type=Record)
    status, actions = _mapper().map(rec)
    return status, [(a.action, a.resource, a.passed_to) for a in actions]


def test_event_name_equal_to_action_with_resource_from_parameters() -> None:
    status, actions = _map(
        record("1", "dynamodb.amazonaws.com", "DescribeTable", request={"tableName": "orders"})
    )
    assert status == "mapped"
    assert actions == [("dynamodb:DescribeTable", f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/orders", None)]


def test_wildcard_only_action_gets_star() -> None:
    assert _map(record("1", "dynamodb.amazonaws.com", "ListTables"))[1] == [
        ("dynamodb:ListTables", "*", None)
    ]


def test_s3_names_that_differ_from_actions() -> None:
    assert _map(record("1", "s3.amazonaws.com", "ListBuckets"))[1] == [("s3:ListAllMyBuckets", "*", None)]
    _, actions = _map(
        record("1", "s3.amazonaws.com", "ListObjects", request={"bucketName": "b1", "prefix": "x/"})
    )
    assert actions == [("s3:ListBucket", "arn:aws:s3:::b1", None)]
    assert _map(record("1", "s3.amazonaws.com", "GetBucketEncryption", request={"bucketName": "b1"}))[1] == [
        ("s3:GetEncryptionConfiguration", "arn:aws:s3:::b1", None)
    ]


def test_s3_object_data_event_uses_the_resources_element() -> None:
    raw = record(
        "1",
        "s3.amazonaws.com",
        "GetObject",
        request={"bucketName": "b1", "key": "a/b.txt"},
        resources=[
            {"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::b1/a/b.txt"},
            {"type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::b1"},
        ],
        category="Data",
    )
    assert _map(raw)[1] == [("s3:GetObject", "arn:aws:s3:::b1/a/b.txt", None)]


def test_s3_object_key_from_parameters_when_resources_absent() -> None:
    raw = record("1", "s3.amazonaws.com", "PutObject", request={"bucketName": "b1", "key": "k"})
    assert _map(raw)[1] == [("s3:PutObject", "arn:aws:s3:::b1/k", None)]


def test_lambda_dated_names_and_invoke() -> None:
    arn = f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:api"
    assert _map(
        record("1", "lambda.amazonaws.com", "GetFunction20150331v2", request={"functionName": "api"})
    )[1] == [("lambda:GetFunction", arn, None)]
    assert _map(record("1", "lambda.amazonaws.com", "ListFunctions20150331"))[1] == [
        ("lambda:ListFunctions", "*", None)
    ]
    invoke = record(
        "1",
        "lambda.amazonaws.com",
        "Invoke",
        request={"functionName": arn},
        resources=[{"type": "AWS::Lambda::Function", "ARN": arn}],
        category="Data",
    )
    assert _map(invoke)[1] == [("lambda:InvokeFunction", arn, None)]


def test_pass_role_is_scoped_to_the_role_and_the_service() -> None:
    role = f"arn:aws:iam::{ACCOUNT}:role/api-exec"
    raw = record(
        "1",
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        request={"functionName": "api", "role": role},
    )
    actions = _map(raw)[1]
    assert ("iam:PassRole", role, "lambda.amazonaws.com") in actions
    assert actions[0][0] == "lambda:UpdateFunctionConfiguration"
    # Without a role parameter nothing is passed.
    raw = record(
        "2",
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        request={"functionName": "api"},
    )
    assert [a for a, _, _ in _map(raw)[1]] == ["lambda:UpdateFunctionConfiguration"]


def test_full_arn_parameter_is_used_as_is() -> None:
    role = f"arn:aws:iam::{ACCOUNT}:role/admin"
    raw = record("1", "sts.amazonaws.com", "AssumeRole", request={"roleArn": role, "roleSessionName": "x"})
    assert _map(raw)[1] == [("sts:AssumeRole", role, None)]


def test_unknown_parts_of_an_arn_become_wildcards() -> None:
    raw = record("1", "dynamodb.amazonaws.com", "DescribeTable", request={})
    assert _map(raw)[1] == [("dynamodb:DescribeTable", f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/*", None)]


def test_event_source_prefix_exceptions() -> None:
    raw = record("1", "monitoring.amazonaws.com", "DescribeAlarms")
    # The catalogue marks the alarm resource as required: no name given -> every alarm.
    assert _map(raw)[1] == [
        ("cloudwatch:DescribeAlarms", f"arn:aws:cloudwatch:eu-west-1:{ACCOUNT}:alarm:*", None)
    ]
    raw = record("2", "monitoring.amazonaws.com", "ListDashboards")
    assert _map(raw)[1] == [("cloudwatch:ListDashboards", "*", None)]


@pytest.mark.parametrize(
    ("source", "name", "event_type", "status"),
    [
        ("sts.amazonaws.com", "GetCallerIdentity", "AwsApiCall", "permissionless"),
        ("signin.amazonaws.com", "ConsoleLogin", "AwsConsoleSignIn", "permissionless"),
        ("kms.amazonaws.com", "RotateKey", "AwsServiceEvent", "service-event"),
        ("secretsmanager.amazonaws.com", "NoSuchThingEver", "AwsApiCall", "unmapped"),
        ("made-up.amazonaws.com", "DoIt", "AwsApiCall", "unmapped"),
    ],
)
def test_statuses(source: str, name: str, event_type: str, status: str) -> None:
    got, actions = _map(record("1", source, name, event_type=event_type))
    assert got == status
    assert actions == []


def test_every_action_in_the_shipped_table_is_in_the_catalogue() -> None:
    table = load_event_action_table()
    catalog = load_catalog()
    missing = [
        action
        for names in table.events.values()
        for actions in names.values()
        for action in actions
        if catalog.action(action) is None
    ]
    assert missing == []
    assert table.events["lambda.amazonaws.com"]["Invoke"] == ("lambda:InvokeFunction",)
    for prefix in table.sources.values():
        assert catalog.has_service(prefix), prefix
