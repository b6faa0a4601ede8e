"""Realistic CloudTrail records (management and data events), shared by the demo data and the benchmark.

Records carry every field AWS writes (TLS details, user agents, additional event data), so that
parsing cost measured on them is close to the cost on real trails.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from random import Random

from iamscope.model.document import JsonObject, JsonValue

__all__ = [
    "Caller",
    "TrailRecordFactory",
]


@dataclass(frozen=True, slots=True)
class Caller:
    """Who makes a call: an IAM user, or a session of a role (``session`` set)."""

    account: str
    name: str
    kind: str = "role"  # "role" | "user"
    session: str = ""
    mfa: bool = False
    source_ip: str = "203.0.113.10"
    user_agent: str = (
        "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.9"
    )
    principal_id: str = "AROAEXAMPLEEXAMPLE01"

    @property
    def arn(self) -> str:
        """The IAM ARN of the user or role (not the session)."""
        return f"arn:aws:iam::{self.account}:{self.kind}/{self.name}"

    def identity(self, when: str) -> JsonObject:
        """The ``userIdentity`` element CloudTrail writes for this caller."""
        if self.kind == "user":
            return {
                "type": "IAMUser",
                "principalId": self.principal_id,
                "arn": self.arn,
                "accountId": self.account,
                "accessKeyId": "AKIAEXAMPLEEXAMPLE01",
                "userName": self.name,
            }
        return {
            "type": "AssumedRole",
            "principalId": f"{self.principal_id}:{self.session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{self.name}/{self.session}",
            "accountId": self.account,
            "accessKeyId": "ASIAEXAMPLEEXAMPLE01",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": self.principal_id,
                    "arn": self.arn,
                    "accountId": self.account,
                    "userName": self.name,
                },
                "attributes": {
                    "creationDate": when,
                    "mfaAuthenticated": "true" if self.mfa else "false",
                },
            },
        }


class TrailRecordFactory:
    """Builds records; event ids come from the seeded generator, so output is deterministic."""

    def __init__(self, rng: Random) -> None:
        self._rng = rng

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def record(
        self,
        caller: Caller,
        when: datetime,
        region: str,
        source: str,
        name: str,
        *,
        request: JsonValue = None,
        response: JsonValue = None,
        resources: list[JsonValue] | None = None,
        read_only: bool = True,
        data_event: bool = False,
        error_code: str | None = None,
        extra: JsonObject | None = None,
    ) -> JsonObject:
        """One record with the fields AWS writes, in AWS's order."""
        stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        host = f"{source.split('.', maxsplit=1)[0]}.{region}.amazonaws.com"
        record: JsonObject = {
            "eventVersion": "1.10" if data_event else "1.09",
            "userIdentity": caller.identity(stamp),
            "eventTime": stamp,
            "eventSource": source,
            "eventName": name,
            "awsRegion": region,
            "sourceIPAddress": caller.source_ip,
            "userAgent": caller.user_agent,
        }
        if error_code is not None:
            record["errorCode"] = error_code
            record["errorMessage"] = (
                f"User: {caller.arn} is not authorized to perform this operation"
                if "Denied" in error_code or "Unauthorized" in error_code
                else "The request failed"
            )
        record["requestParameters"] = request
        record["responseElements"] = response
        if extra:
            record.update(extra)
        record["requestID"] = self._uuid().replace("-", "").upper()[:20]
        record["eventID"] = self._uuid()
        record["readOnly"] = read_only
        if resources is not None:
            record["resources"] = resources
        record["eventType"] = "AwsApiCall"
        record["managementEvent"] = not data_event
        record["recipientAccountId"] = caller.account
        record["eventCategory"] = "Data" if data_event else "Management"
        record["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": host,
        }
        return record

    def s3_object(
        self,
        caller: Caller,
        when: datetime,
        region: str,
        name: str,
        bucket: str,
        key: str,
        *,
        error_code: str | None = None,
    ) -> JsonObject:
        """An S3 object-level data event (GetObject, PutObject, DeleteObject, HeadObject)."""
        read_only = name in {"GetObject", "HeadObject", "GetObjectTagging", "GetObjectAcl"}
        return self.record(
            caller,
            when,
            region,
            "s3.amazonaws.com",
            name,
            request={
                "bucketName": bucket,
                "Host": f"{bucket}.s3.{region}.amazonaws.com",
                "key": key,
            },
            response=None if read_only else {"x-amz-server-side-encryption": "AES256"},
            resources=[
                {"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/{key}"},
                {
                    "accountId": caller.account,
                    "type": "AWS::S3::Bucket",
                    "ARN": f"arn:aws:s3:::{bucket}",
                },
            ],
            read_only=read_only,
            data_event=True,
            error_code=error_code,
            extra={
                "additionalEventData": {
                    "SignatureVersion": "SigV4",
                    "CipherSuite": "TLS_AES_128_GCM_SHA256",
                    "bytesTransferredIn": 0 if read_only else self._rng.randrange(100, 90000),
                    "AuthenticationMethod": "AuthHeader",
                    "x-amz-id-2": self._uuid().replace("-", "") + "EXAMPLE=",
                    "bytesTransferredOut": self._rng.randrange(100, 90000) if read_only else 0,
                }
            },
        )

    def lambda_invoke(self, caller: Caller, when: datetime, region: str, function: str) -> JsonObject:
        """A Lambda Invoke data event."""
        arn = f"arn:aws:lambda:{region}:{caller.account}:function:{function}"
        return self.record(
            caller,
            when,
            region,
            "lambda.amazonaws.com",
            "Invoke",
            request={"functionName": arn, "contentType": None, "logType": None},
            resources=[{"accountId": caller.account, "type": "AWS::Lambda::Function", "ARN": arn}],
            read_only=False,
            data_event=True,
            extra={"additionalEventData": {"functionVersion": f"{arn}:$LATEST"}},
        )

    def dynamodb_item(self, caller: Caller, when: datetime, region: str, name: str, table: str) -> JsonObject:
        """A DynamoDB item-level data event (GetItem, PutItem, Query, UpdateItem...)."""
        arn = f"arn:aws:dynamodb:{region}:{caller.account}:table/{table}"
        request: JsonObject = {"tableName": table}
        if name in {"GetItem", "PutItem", "UpdateItem", "DeleteItem"}:
            request["key"] = {"pk": "HIDDEN_DUE_TO_SECURITY_REASONS"}
        if name == "Query":
            request["keyConditionExpression"] = "pk = :pk"
        read_only = name in {"GetItem", "Query", "Scan", "BatchGetItem"}
        return self.record(
            caller,
            when,
            region,
            "dynamodb.amazonaws.com",
            name,
            request=request,
            resources=[{"accountId": caller.account, "type": "AWS::DynamoDB::Table", "ARN": arn}],
            read_only=read_only,
            data_event=True,
        )
