"""The per-call fault boundary: every kind of failure becomes one manifest record and the run goes on."""

from __future__ import annotations

import json
from pathlib import Path

from botocore.exceptions import ClientError, EndpointConnectionError
from botocore.parsers import ResponseParserError

from iamscope.collect.aws.calls import AccountCalls, CallLog
from iamscope.collect.aws.run import _guarded
from iamscope.collect.bundle import BundleWriter
from iamscope.model.snapshot import CallRecord


def _calls(tmp_path: Path) -> AccountCalls:
    return AccountCalls("111122223333", BundleWriter(tmp_path), CallLog())


def _raise(error: Exception) -> object:
    raise error


def test_each_failure_kind_is_recorded(tmp_path: Path) -> None:
    calls = _calls(tmp_path)
    denied = ClientError({"Error": {"Code": "AccessDenied", "Message": "nope"}}, "GetAccountSummary")
    html = ClientError({"Error": {"Code": "500", "Message": "<!doctype html><html>"}}, "ListAnalyzers")
    assert calls.call("iam:GetAccountSummary", "global", lambda: _raise(denied)) is None
    assert calls.call("access-analyzer:ListAnalyzers", "us-east-1", lambda: _raise(html)) is None
    offline = EndpointConnectionError(endpoint_url="https://iam.amazonaws.com")
    assert calls.call("iam:ListSAMLProviders", "global", lambda: _raise(offline)) is None
    garbled = ResponseParserError("Unable to parse response\nb'<html>'")
    assert calls.call("sns:ListTopics", "us-east-1", lambda: _raise(garbled)) is None
    empty: dict[str, list[str]] = {"OpenIDConnectProviderList": []}
    written = calls.call("iam:ListOpenIDConnectProviders", "global", lambda: empty, file="a/b.json")
    assert written == {"OpenIDConnectProviderList": []}
    records = calls.log.records()
    assert [(r.call, r.status) for r in records] == [
        ("iam:GetAccountSummary", "AccessDenied"),
        ("access-analyzer:ListAnalyzers", "500"),
        ("iam:ListSAMLProviders", "EndpointConnectionError"),
        ("sns:ListTopics", "ResponseParserError"),
        ("iam:ListOpenIDConnectProviders", "ok"),
    ]
    assert records[0].error == "nope"
    assert records[1].error is not None
    assert "HTML page" in records[1].error
    assert records[3].error == "Unable to parse response"
    assert records[4].file == "a/b.json"
    assert json.loads((tmp_path / "a/b.json").read_text()) == {"OpenIDConnectProviderList": []}


def test_unexpected_errors_stop_only_their_own_work(tmp_path: Path) -> None:
    calls = _calls(tmp_path)

    def broken() -> None:
        raise KeyError("Buckets")

    _guarded(calls, broken, "eu-west-1")
    _guarded(calls, lambda: calls.record("kms:ListKeys", "us-east-1", status="ok"), "us-east-1")
    assert calls.log.records() == (
        CallRecord("111122223333", "eu-west-1", "iamscope:Collect", "InternalError", "KeyError: 'Buckets'"),
        CallRecord("111122223333", "us-east-1", "kms:ListKeys", "ok"),
    )


def test_a_member_account_that_cannot_be_entered_is_recorded_and_loads_as_not_collected(
    tmp_path: Path,
) -> None:
    import boto3
    from botocore.stub import Stubber

    from iamscope.collect import load
    from iamscope.collect.aws.options import CollectOptions, NullProgress
    from iamscope.collect.aws.run import _collect_account, _Plan
    from iamscope.collect.aws.session import SessionFactory
    from iamscope.collect.bundle import Manifest

    options = CollectOptions(region="us-east-1", role_name="Audit", external_id="x-123", max_attempts=1)
    factory = SessionFactory(options, NullProgress())
    sts = boto3.Session(aws_access_key_id="stub", aws_secret_access_key="stub").client(
        "sts", region_name="us-east-1"
    )
    factory.caller.install("sts", "us-east-1", sts)
    member = "444455556666"
    with Stubber(sts) as stubber:
        stubber.add_client_error(
            "assume_role",
            "AccessDenied",
            "not authorized to perform: sts:AssumeRole",
            403,
            expected_params={
                "RoleArn": f"arn:aws:iam::{member}:role/Audit",
                "RoleSessionName": "iamscope-collect",
                "ExternalId": "x-123",
            },
        )
        calls = AccountCalls(member, BundleWriter(tmp_path), CallLog())
        _collect_account(calls, _Plan(factory, options, "111122223333", "aws", ("us-east-1",)))
        stubber.assert_no_pending_responses()
    assert [(r.call, r.status) for r in calls.log.records()] == [("sts:AssumeRole", "AccessDenied")]
    BundleWriter(tmp_path).write_manifest(
        Manifest(collected_at=None, accounts=(member,), calls=calls.log.records())
    )
    snapshot = load(tmp_path)
    assert snapshot.accounts[member].users is None
    assert any("sts:AssumeRole: AccessDenied" in p.message for p in snapshot.problems)
