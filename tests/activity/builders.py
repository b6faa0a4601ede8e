"""Hand-written CloudTrail records for reader and mapping edge cases."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from iamscope.model.document import JsonObject, JsonValue

ACCOUNT = "123456789012"


def role_identity(role: str = "app", session: str = "s1", *, mfa: bool = False) -> JsonObject:
    return {
        "type": "AssumedRole",
        "principalId": f"AROAEXAMPLE:{session}",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}",
        "accountId": ACCOUNT,
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "arn": f"arn:aws:iam::{ACCOUNT}:role/teams/{role}",
                "accountId": ACCOUNT,
                "userName": role,
            },
            "attributes": {"mfaAuthenticated": "true" if mfa else "false"},
        },
    }


def user_identity(name: str = "alice") -> JsonObject:
    return {
        "type": "IAMUser",
        "principalId": "AIDAEXAMPLE",
        "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
        "accountId": ACCOUNT,
        "userName": name,
    }


def record(
    event_id: str,
    source: str,
    name: str,
    *,
    identity: JsonValue = None,
    request: JsonValue = None,
    resources: JsonValue = None,
    error: str | None = None,
    time: str = "2026-03-01T10:00:00Z",
    region: str = "eu-west-1",
    category: str = "Management",
    event_type: str = "AwsApiCall",
    source_ip: str = "203.0.113.5",
) -> JsonObject:
    out: JsonObject = {
        "eventVersion": "1.09",
        "userIdentity": identity if identity is not None else role_identity(),
        "eventTime": time,
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": source_ip,
        "userAgent": "test",
        "requestParameters": request,
        "responseElements": None,
        "eventID": event_id,
        "eventType": event_type,
        "recipientAccountId": ACCOUNT,
        "eventCategory": category,
    }
    if resources is not None:
        out["resources"] = resources
    if error is not None:
        out["errorCode"] = error
        out["errorMessage"] = "no"
    return out


def write_delivery(path: Path, records: list[JsonObject], *, compress: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps({"Records": records}).encode()
    path.write_bytes(gzip.compress(data) if compress else data)
    return path
