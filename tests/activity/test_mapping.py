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


# --- Resources named by request parameters, found from the catalogue's ARN formats --------------


def test_ssm_start_session_names_the_instance_and_the_default_session_document() -> None:
    # Stratus ssm-start-session: the request names the instance as "target". Without a document
    # name Session Manager uses SSM-SessionManagerRunShell, and the caller needs permission on it
    # (AWS Systems Manager User Guide, "Start a default shell session by specifying the default
    # session document in IAM policies").
    raw = record("1", "ssm.amazonaws.com", "StartSession", request={"target": "i-0abc1234def567890"})
    assert _map(raw)[1] == [
        ("ssm:StartSession", f"arn:aws:ssm:eu-west-1:{ACCOUNT}:document/SSM-SessionManagerRunShell", None),
        ("ssm:StartSession", f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/i-0abc1234def567890", None),
    ]
    raw = record(
        "2",
        "ssm.amazonaws.com",
        "StartSession",
        request={"target": "mi-0123456789abcdef0", "documentName": "AWS-StartPortForwardingSession"},
    )
    assert _map(raw)[1] == [
        (
            "ssm:StartSession",
            f"arn:aws:ssm:eu-west-1:{ACCOUNT}:document/AWS-StartPortForwardingSession",
            None,
        ),
        ("ssm:StartSession", f"arn:aws:ssm:eu-west-1:{ACCOUNT}:managed-instance/mi-0123456789abcdef0", None),
    ]


def test_nested_ec2_item_lists_name_every_instance() -> None:
    raw = record(
        "1",
        "ec2.amazonaws.com",
        "StopInstances",
        request={
            "force": True,
            "instancesSet": {
                "items": [{"instanceId": "i-0aaa1111bbbb2222c"}, {"instanceId": "i-0ddd3333eeee4444f"}]
            },
        },
    )
    assert _map(raw)[1] == [
        ("ec2:StopInstances", f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/i-0aaa1111bbbb2222c", None),
        ("ec2:StopInstances", f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/i-0ddd3333eeee4444f", None),
    ]


def test_send_command_is_authorised_on_the_document_and_each_instance() -> None:
    raw = record(
        "1",
        "ssm.amazonaws.com",
        "SendCommand",
        request={"documentName": "AWS-RunShellScript", "instanceIds": ["i-0aaa1111bbbb2222c"]},
    )
    assert _map(raw)[1] == [
        ("ssm:SendCommand", f"arn:aws:ssm:eu-west-1:{ACCOUNT}:document/AWS-RunShellScript", None),
        ("ssm:SendCommand", f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/i-0aaa1111bbbb2222c", None),
    ]


@pytest.mark.parametrize(
    ("source", "name", "request_parameters", "resource"),
    [
        # a parameter named by the end of the placeholder (groupId -> SecurityGroupId)
        (
            "ec2.amazonaws.com",
            "AuthorizeSecurityGroupIngress",
            {"groupId": "sg-003dc7f1f1c686164", "ipProtocol": "tcp", "fromPort": 22, "toPort": 22},
            f"arn:aws:ec2:eu-west-1:{ACCOUNT}:security-group/sg-003dc7f1f1c686164",
        ),
        # EC2's query-protocol wrapper {"content": ..., "tag": ...}
        (
            "ec2.amazonaws.com",
            "DeleteFlowLogs",
            {"DeleteFlowLogsRequest": {"FlowLogId": {"content": "fl-0e17aa62a21d4bbfe", "tag": 1}}},
            f"arn:aws:ec2:eu-west-1:{ACCOUNT}:vpc-flow-log/fl-0e17aa62a21d4bbfe",
        ),
        # a bare "name" fills <resource type>Name
        (
            "cloudtrail.amazonaws.com",
            "DeleteTrail",
            {"name": "org-trail"},
            f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/org-trail",
        ),
        (
            "sts.amazonaws.com",
            "GetFederationToken",
            {"name": "stratus_red_team", "policy": "{}"},
            f"arn:aws:sts::{ACCOUNT}:federated-user/stratus_red_team",
        ),
        # RDS names its identifiers "...Identifier", the catalogue "...Name"
        (
            "rds.amazonaws.com",
            "ModifyDBSnapshotAttribute",
            {"attributeName": "restore", "dBSnapshotIdentifier": "exfiltration", "valuesToAdd": ["1"]},
            f"arn:aws:rds:eu-west-1:{ACCOUNT}:snapshot:exfiltration",
        ),
        # a generic ${ResourceId} is named after its resource type
        (
            "route53resolver.amazonaws.com",
            "DeleteResolverQueryLogConfig",
            {"resolverQueryLogConfigId": "rqlc-4473f20ca554c07"},
            f"arn:aws:route53resolver:eu-west-1:{ACCOUNT}:resolver-query-log-config/rqlc-4473f20ca554c07",
        ),
    ],
)
def test_resource_found_from_the_arn_format_and_request_parameters(
    source: str, name: str, request_parameters: JsonObject, resource: str
) -> None:
    status, actions = _map(record("1", source, name, request=request_parameters))
    assert status == "mapped"
    assert [r for _, r, _ in actions] == [resource]


def test_an_id_of_another_kind_does_not_fill_a_placeholder() -> None:
    # sg- is a security group id: it names no instance even under a parameter called instanceId.
    raw = record(
        "1",
        "ec2.amazonaws.com",
        "ModifyInstanceAttribute",
        request={
            "instanceId": "i-0aaa1111bbbb2222c",
            "groupSet": {"items": [{"groupId": "sg-0123456789abcdef0"}]},
        },
    )
    assert _map(raw)[1] == [
        (
            "ec2:ModifyInstanceAttribute",
            f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/i-0aaa1111bbbb2222c",
            None,
        ),
        (
            "ec2:ModifyInstanceAttribute",
            f"arn:aws:ec2:eu-west-1:{ACCOUNT}:security-group/sg-0123456789abcdef0",
            None,
        ),
    ]


def test_a_required_type_the_request_cannot_name_is_covered_by_a_wildcard() -> None:
    # RunInstances is authorised on the new instance and network interface too (catalogue:
    # required resource types); the request cannot name them, so their ARN ends in "*".
    raw = record(
        "1",
        "ec2.amazonaws.com",
        "RunInstances",
        request={
            "instancesSet": {"items": [{"imageId": "ami-0123456789abcdef0"}]},
            "subnetId": "subnet-0e540f0c7ffb48ae9",
        },
    )
    resources = [r for _, r, _ in _map(raw)[1]]
    assert "arn:aws:ec2:eu-west-1::image/ami-0123456789abcdef0" in resources
    assert f"arn:aws:ec2:eu-west-1:{ACCOUNT}:subnet/subnet-0e540f0c7ffb48ae9" in resources
    assert f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/*" in resources
    assert f"arn:aws:ec2:eu-west-1:{ACCOUNT}:network-interface/*" in resources


def test_an_alternative_type_is_not_added() -> None:
    # instance and managed-instance are alternatives (both ${InstanceId}): a managed instance id
    # names the managed-instance only.
    raw = record(
        "1", "ssm.amazonaws.com", "DescribeInstancePatches", request={"instanceId": "mi-0123456789abcdef0"}
    )
    assert _map(raw)[1] == [
        (
            "ssm:DescribeInstancePatches",
            f"arn:aws:ssm:eu-west-1:{ACCOUNT}:managed-instance/mi-0123456789abcdef0",
            None,
        )
    ]
