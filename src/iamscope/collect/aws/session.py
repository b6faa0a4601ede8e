"""boto3 sessions for a run: the caller's, and one per member account via sts:AssumeRole."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Literal, overload

import boto3
from botocore.config import Config

from iamscope.collect.aws.options import CollectOptions, Progress
from iamscope.collect.aws.retries import bound_server_errors

if TYPE_CHECKING:
    from mypy_boto3_accessanalyzer import AccessAnalyzerClient
    from mypy_boto3_cloudtrail import CloudTrailClient
    from mypy_boto3_config import ConfigServiceClient
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_ecr import ECRClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_kms import KMSClient
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_logs import CloudWatchLogsClient
    from mypy_boto3_organizations import OrganizationsClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sts import STSClient

__all__ = ["AccountSession", "SessionFactory"]

SESSION_NAME = "iamscope-collect"


class AccountSession:
    """Clients for one account, made on demand under a lock (boto3 sessions are not thread-safe).

    With a run's ``options``, each client retries a server error (HTTP 5xx that is not
    throttling) only ``options.server_error_attempts`` times in all (``collect.aws.retries``).
    """

    def __init__(
        self,
        session: boto3.Session,
        config: Config,
        home_region: str,
        options: CollectOptions | None = None,
    ) -> None:
        self._session = session
        self._config = config
        self._options = options
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str], object] = {}
        self.home_region = home_region

    def install(self, service: str, region: str, client: object) -> None:
        """Use ``client`` for ``service`` in ``region`` (a seam for tests: a botocore Stubber)."""
        with self._lock:
            self._clients[(service, region)] = client

    @overload
    def client(self, service: Literal["iam"], region: str | None = None) -> IAMClient: ...
    @overload
    def client(self, service: Literal["sts"], region: str | None = None) -> STSClient: ...
    @overload
    def client(self, service: Literal["organizations"], region: str | None = None) -> OrganizationsClient: ...
    @overload
    def client(
        self, service: Literal["accessanalyzer"], region: str | None = None
    ) -> AccessAnalyzerClient: ...
    @overload
    def client(self, service: Literal["config"], region: str | None = None) -> ConfigServiceClient: ...
    @overload
    def client(self, service: Literal["events"], region: str | None = None) -> EventBridgeClient: ...
    @overload
    def client(self, service: Literal["cloudtrail"], region: str | None = None) -> CloudTrailClient: ...
    @overload
    def client(self, service: Literal["logs"], region: str | None = None) -> CloudWatchLogsClient: ...
    @overload
    def client(self, service: Literal["s3"], region: str | None = None) -> S3Client: ...
    @overload
    def client(self, service: Literal["kms"], region: str | None = None) -> KMSClient: ...
    @overload
    def client(self, service: Literal["sqs"], region: str | None = None) -> SQSClient: ...
    @overload
    def client(self, service: Literal["sns"], region: str | None = None) -> SNSClient: ...
    @overload
    def client(self, service: Literal["lambda"], region: str | None = None) -> LambdaClient: ...
    @overload
    def client(
        self, service: Literal["secretsmanager"], region: str | None = None
    ) -> SecretsManagerClient: ...
    @overload
    def client(self, service: Literal["ecr"], region: str | None = None) -> ECRClient: ...
    @overload
    def client(self, service: Literal["ec2"], region: str | None = None) -> EC2Client: ...
    @overload  # table-driven callers (resource_kinds) name the service at run time
    def client(self, service: str, region: str | None = None) -> Any: ...
    def client(self, service: str, region: str | None = None) -> Any:
        """A cached client for ``service`` in ``region`` (the home region by default)."""
        where = region or self.home_region
        with self._lock:
            key = (service, where)
            if key not in self._clients:
                client = self._session.client(
                    service,  # type: ignore[call-overload]
                    region_name=where,
                    config=self._config,
                )
                if self._options is not None:
                    bound_server_errors(
                        client, self._options.max_attempts, self._options.server_error_attempts
                    )
                self._clients[key] = client
            return self._clients[key]


class SessionFactory:
    """Makes the caller's and assumed-role sessions, each with the run's retry config and hooks."""

    def __init__(self, options: CollectOptions, progress: Progress) -> None:
        self._options = options
        self._progress = progress
        # total_max_attempts counts the first attempt, so --max-attempts N means N attempts.
        self.config = Config(
            retries={"mode": "adaptive", "total_max_attempts": options.max_attempts},
            user_agent_extra="iamscope-collect",
        )
        base = boto3.Session(profile_name=options.profile, region_name=options.region)
        self.home_region = base.region_name or "us-east-1"
        self._hook(base)
        self.caller = self._account(base)

    def assume(self, role_arn: str) -> AccountSession:
        """A session in another account via sts:AssumeRole; the credentials never leave memory."""
        request: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": SESSION_NAME}
        if self._options.external_id:
            request["ExternalId"] = self._options.external_id
        credentials = self.caller.client("sts").assume_role(**request)["Credentials"]
        session = boto3.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=self.home_region,
        )
        self._hook(session)
        return self._account(session)

    def _account(self, session: boto3.Session) -> AccountSession:
        return AccountSession(session, self.config, self.home_region, self._options)

    def _hook(self, session: boto3.Session) -> None:
        session.events.register("before-call", self._count)
        for event, handler in self._options.event_hooks:
            session.events.register(event, handler)

    def _count(self, model: Any, **_: Any) -> None:
        self._progress.call_made(model.service_model.service_name, model.name)
