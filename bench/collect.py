"""Benchmark: API calls and wall time of ``iamscope collect`` versus a naive per-user loop, on moto.

Seeds a local moto server (started here, on loopback) with 2,000 users (10% holding an access key)
and 10,000 roles, then measures in the same process:

- iamscope: the real collector for one account and one region (GAAD, credential report, keys of
  key holders only, guardrail listings, resource policies);
- naive: list-users and list-roles, then per user list-attached-user-policies, list-user-policies,
  list-groups-for-user, list-access-keys (+ get-access-key-last-used per key), and per role
  list-attached-role-policies and list-role-policies: the loop most scripts write.

Run: ``.venv/bin/python bench/collect.py [--scale 0.1]``. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError

# The benchmark reuses the test suite's moto server helper from the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.moto_server import MotoServer

from iamscope.collect.aws import CollectOptions, collect

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)
CONFIG = Config(retries={"mode": "adaptive", "max_attempts": 1}, max_pool_connections=32)
# moto's server is not fully thread-safe under heavy parallel writes: seeding retries its 500s.
SEED_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, max_pool_connections=32)


def _iam() -> Any:
    return boto3.Session(region_name="us-east-1").client("iam", config=SEED_CONFIG)


def _tolerating_duplicates(call: Callable[[], object], attempts: int = 5) -> None:
    """Retry moto's HTML 500s; a retried create whose first try landed answers EntityAlreadyExists."""
    for attempt in range(attempts):
        try:
            call()
        except ResponseParserError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
            continue
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "EntityAlreadyExists":
                raise
        return


def seed(users: int, roles: int, workers: int = 4) -> float:
    """Create the users (every tenth with a key, every fifth with an inline policy) and roles."""
    started = time.perf_counter()
    local = threading.local()

    def client() -> Any:
        if not hasattr(local, "iam"):
            local.iam = _iam()
        return local.iam

    def make_user(index: int) -> None:
        iam = client()
        name = f"user-{index:05d}"
        _tolerating_duplicates(partial(iam.create_user, UserName=name))
        if index % 10 == 0:
            _tolerating_duplicates(partial(iam.create_access_key, UserName=name))
        if index % 5 == 0:
            put = partial(
                iam.put_user_policy,
                UserName=name,
                PolicyName="inline",
                PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}',
            )
            _tolerating_duplicates(put)

    def make_role(index: int) -> None:
        create = partial(client().create_role, RoleName=f"role-{index:05d}", AssumeRolePolicyDocument=TRUST)
        _tolerating_duplicates(create)

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(make_user, range(users)))
        list(pool.map(make_role, range(roles)))
    return time.perf_counter() - started


class _CallCounter:
    """Counts API requests through botocore's before-call event."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, **_: Any) -> None:
        with self._lock:
            self.count += 1


def run_iamscope(out: Path) -> tuple[int, float]:
    """The real collector, one account, one region."""
    started = time.perf_counter()
    result = collect(out, CollectOptions(regions=("us-east-1",), max_attempts=1, poll_interval_seconds=0.2))
    return result.api_calls, time.perf_counter() - started


def run_naive() -> tuple[int, float]:
    """The per-user, per-role loop, sequential like most scripts."""
    counter = _CallCounter()
    session = boto3.Session(region_name="us-east-1")
    session.events.register("before-call", counter)
    iam: Any = session.client("iam", config=CONFIG)
    started = time.perf_counter()
    every: Callable[[str, str], list[Any]] = lambda operation, key: [  # noqa: E731
        item for page in iam.get_paginator(operation).paginate() for item in page[key]
    ]
    for user in every("list_users", "Users"):
        name = user["UserName"]
        iam.list_attached_user_policies(UserName=name)
        for policy in iam.list_user_policies(UserName=name)["PolicyNames"]:
            iam.get_user_policy(UserName=name, PolicyName=policy)
        iam.list_groups_for_user(UserName=name)
        for key in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
            iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
    for role in every("list_roles", "Roles"):
        iam.list_attached_role_policies(RoleName=role["RoleName"])
        iam.list_role_policies(RoleName=role["RoleName"])
    return counter.count, time.perf_counter() - started


def main() -> int:
    """Seed, measure both, print the figures and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of 2,000 users / 10,000 roles")
    args = parser.parse_args()
    users, roles = max(1, round(2000 * args.scale)), max(1, round(10000 * args.scale))
    with MotoServer() as server:
        os.environ.update(server.environment())
        print(f"seeding {users} users ({(users + 9) // 10} with keys) and {roles} roles ...")
        print(f"  seeded in {seed(users, roles):.1f} s")
        with tempfile.TemporaryDirectory() as directory:
            ours_calls, ours_time = run_iamscope(Path(directory) / "bundle")
        naive_calls, naive_time = run_naive()
    print(f"{'':10}{'API calls':>12}{'wall s':>10}")
    print(f"{'iamscope':10}{ours_calls:>12}{ours_time:>10.1f}")
    print(f"{'naive':10}{naive_calls:>12}{naive_time:>10.1f}")
    print(f"ratio naive/iamscope: {naive_calls / ours_calls:.1f}x calls, {naive_time / ours_time:.1f}x time")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
