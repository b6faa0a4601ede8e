"""Engine throughput: decisions per second on a realistic mix and on worst cases, against a peer.

The peer is the same engine used the naive way most tools use an evaluator: parse and compile the
policy JSON again for every request. Run: ``.venv/bin/python bench/engine.py [--requests N]``.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from iamscope.engine import PolicySet, Request, compile_policy, evaluate
from iamscope.model.document import JsonValue

ACCOUNT = "111122223333"
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")


def _doc(*statements: dict[str, Any]) -> JsonValue:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def identity_documents(rng: random.Random, count: int) -> list[JsonValue]:
    """Policies like those attached to a real developer role: wildcards, scoped ARNs, conditions."""
    templates: list[Callable[[int], JsonValue]] = [
        lambda i: _doc(
            {
                "Sid": f"Read{i}",
                "Effect": "Allow",
                "Action": ["s3:Get*", "s3:List*"],
                "Resource": [f"arn:aws:s3:::data-{i}", f"arn:aws:s3:::data-{i}/*"],
            }
        ),
        lambda i: _doc(
            {
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"],
                "Resource": f"arn:aws:dynamodb:*:{ACCOUNT}:table/app-{i}*",
            }
        ),
        lambda i: _doc(
            {
                "Effect": "Allow",
                "Action": "ec2:Describe*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:RequestedRegion": list(REGIONS[:2])}},
            }
        ),
        lambda i: _doc(
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": f"arn:aws:iam::{ACCOUNT}:role/svc-{i}",
                "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
            }
        ),
        lambda i: _doc(
            {
                "Effect": "Allow",
                "Action": ["lambda:InvokeFunction", "lambda:Get*"],
                "Resource": f"arn:aws:lambda:*:{ACCOUNT}:function:team-{i}-*",
            }
        ),
        lambda i: _doc(
            {
                "Effect": "Allow",
                "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"],
                "Resource": f"arn:aws:sqs:*:{ACCOUNT}:queue-{i}",
                "Condition": {"Bool": {"aws:SecureTransport": "true"}},
            }
        ),
        lambda i: _doc(
            {
                "Effect": "Deny",
                "NotAction": ["iam:Get*", "iam:List*", "sts:*"],
                "Resource": "*",
                "Condition": {
                    "BoolIfExists": {"aws:MultiFactorAuthPresent": "false"},
                    "StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/break-glass*"},
                },
            }
        ),
        lambda i: _doc(
            {
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": ["app", "team"]}},
            }
        ),
        lambda i: _doc(
            {
                "Effect": "Allow",
                "Action": ["cloudwatch:*", "logs:*"],
                "Resource": "*",
                "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}},
            }
        ),
        lambda i: _doc(
            {
                "Effect": "Allow",
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::home-{i}/${{aws:username}}/*",
            }
        ),
    ]
    return [templates[i % len(templates)](i) for i in range(count)]


BOUNDARY = _doc(
    {
        "Effect": "Allow",
        "Action": [
            "s3:*",
            "dynamodb:*",
            "ec2:*",
            "iam:PassRole",
            "iam:Get*",
            "lambda:*",
            "sqs:*",
            "kms:*",
            "logs:*",
            "cloudwatch:*",
        ],
        "Resource": "*",
    }
)
SCP_ROOT = _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
SCP_OU = _doc(
    {"Sid": "AllowAll", "Effect": "Allow", "Action": "*", "Resource": "*"},
    {
        "Sid": "DenyRegions",
        "Effect": "Deny",
        "NotAction": ["iam:*", "sts:*", "organizations:*", "support:*"],
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": list(REGIONS)}},
    },
    {"Sid": "NoLeave", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"},
)

ACTIONS = [
    ("s3:GetObject", "arn:aws:s3:::data-{i}/report.csv"),
    ("s3:ListBucket", "arn:aws:s3:::data-{i}"),
    ("s3:PutObject", "arn:aws:s3:::home-{i}/dev/file"),
    ("dynamodb:GetItem", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/app-{{i}}-orders"),
    ("dynamodb:DeleteTable", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/app-{{i}}-orders"),
    ("ec2:DescribeInstances", "*"),
    ("ec2:TerminateInstances", f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-{{i}}"),
    ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/svc-{{i}}"),
    ("iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/x{{i}}"),
    ("lambda:InvokeFunction", f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:team-{{i}}-api"),
    ("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{ACCOUNT}:queue-{{i}}"),
    ("kms:Decrypt", f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/app"),
    ("logs:PutLogEvents", f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/app/{{i}}:*"),
    ("organizations:LeaveOrganization", "*"),
]


def realistic_requests(rng: random.Random, count: int, policies: int) -> list[Request]:
    principal = f"arn:aws:sts::{ACCOUNT}:assumed-role/developer/dev"
    requests = []
    for _ in range(count):
        action, template = rng.choice(ACTIONS)
        context: dict[str, str | list[str]] = {
            "aws:RequestedRegion": rng.choice((*REGIONS, "sa-east-1")),
            "aws:SecureTransport": rng.choice(("true", "false")),
            "aws:MultiFactorAuthPresent": rng.choice(("true", "false")),
            "aws:SourceIp": rng.choice(("10.1.2.3", "203.0.113.9", "2001:db8::7")),
            "aws:username": "dev",
        }
        if action == "iam:PassRole":
            context["iam:PassedToService"] = rng.choice(("lambda.amazonaws.com", "ec2.amazonaws.com"))
        if action == "kms:Decrypt":
            context["kms:EncryptionContextKeys"] = rng.sample(["app", "team", "env"], 2)
        requests.append(
            Request(principal, action, template.format(i=rng.randrange(policies)), ACCOUNT, context)
        )
    return requests


@dataclass
class Scenario:
    name: str
    identity: list[JsonValue]
    boundary: JsonValue | None
    scps: list[list[JsonValue]] | None
    requests: list[Request]


def compiled_set(scenario: Scenario) -> PolicySet:
    return PolicySet(
        identity=[compile_policy(d, f"p{i}") for i, d in enumerate(scenario.identity)],
        permissions_boundary=None
        if scenario.boundary is None
        else [compile_policy(scenario.boundary, "boundary")],
        scps=None
        if scenario.scps is None
        else [[compile_policy(d) for d in level] for level in scenario.scps],
    )


def run_compiled(scenario: Scenario, repeat: int = 3) -> tuple[float, dict[str, int]]:
    """Best CPU time of ``repeat`` passes (the machine is shared; the best pass is the least disturbed)."""
    best = float("inf")
    counts: dict[str, int] = {}
    for _ in range(repeat):
        policies = compiled_set(scenario)
        counts = {}
        started = time.process_time()
        for request in scenario.requests:
            decision = evaluate(request, policies).decision
            counts[decision] = counts.get(decision, 0) + 1
        best = min(best, time.process_time() - started)
    return best, counts


def run_naive(scenario: Scenario, limit: int) -> float:
    """The peer: compile every policy again for each request (what re-reading JSON costs)."""
    requests = scenario.requests[:limit]
    started = time.process_time()
    for request in requests:
        evaluate(request, compiled_set(scenario))
    return (time.process_time() - started) * len(scenario.requests) / len(requests)


def worst_cases(rng: random.Random, count: int) -> list[Scenario]:
    big = [
        _doc(
            *(
                {
                    "Effect": "Allow",
                    "Action": [f"s3:Get*{j}", f"ec2:*{j}*", f"iam:*{j}"],
                    "Resource": [f"arn:aws:s3:::b{j}-*/*", f"arn:aws:ec2:*:*:instance/i-{j}*"],
                }
                for j in range(k * 50, k * 50 + 50)
            )
        )
        for k in range(10)
    ]
    catalog_actions = [f"{svc}:Action{n}" for svc in ("s3", "ec2", "iam") for n in range(count)]
    cold = [
        Request(
            f"arn:aws:iam::{ACCOUNT}:user/u",
            catalog_actions[i % len(catalog_actions)],
            f"arn:aws:s3:::b{i % 500}-x/k",
            ACCOUNT,
        )
        for i in range(count)
    ]
    tags = [f"tag{n}" for n in range(64)]
    many_values = [
        _doc(
            {
                "Effect": "Allow",
                "Action": "ec2:CreateTags",
                "Resource": "*",
                "Condition": {
                    "ForAllValues:StringLike": {"aws:TagKeys": [f"tag{n}*" for n in range(64)]},
                    "ForAnyValue:StringEquals": {"aws:TagKeys": list[JsonValue](tags)},
                },
            }
        )
    ]
    tag_requests = [
        Request(
            f"arn:aws:iam::{ACCOUNT}:user/u",
            "ec2:CreateTags",
            "*",
            ACCOUNT,
            {"aws:TagKeys": rng.sample(tags, 50)},
        )
        for _ in range(count)
    ]
    variables = [
        _doc(
            {
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": [
                    "arn:aws:s3:::home/${aws:username}/*",
                    "arn:aws:s3:::team/${aws:PrincipalTag/team}/${aws:username}/*",
                ],
            }
        )
    ]
    var_requests = [
        Request(
            f"arn:aws:iam::{ACCOUNT}:user/u{i}",
            "s3:GetObject",
            f"arn:aws:s3:::team/t{i % 7}/u{i}/f",
            ACCOUNT,
            {"aws:PrincipalTag/team": f"t{i % 7}"},
        )
        for i in range(count)
    ]
    return [
        Scenario("500 wildcard statements, every action new (cache cold)", big, None, None, cold),
        Scenario("64-value ForAllValues/ForAnyValue on 50 tags", many_values, None, None, tag_requests),
        Scenario("policy variables, a new user every request", variables, None, None, var_requests),
    ]


def report(name: str, seconds: float, count: int, peer: float | None = None) -> None:
    rate = count / seconds
    line = f"  {name:<58} {rate:>11,.0f} decisions/s"
    if peer is not None:
        line += f"   peer {count / peer:>9,.0f}/s   ratio {peer / seconds:>6.1f}x"
    print(line)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200_000, help="requests per scenario")
    parser.add_argument("--seed", type=int, default=7, help="random seed")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    print(f"iamscope engine benchmark: {args.requests:,} requests per scenario, one core")
    print("realistic mix (role session, boundary, 2 SCP levels, conditions, wildcard actions):")
    for count in (10, 20, 30):
        scenario = Scenario(
            f"{count} identity policies",
            identity_documents(rng, count),
            BOUNDARY,
            [[SCP_ROOT], [SCP_OU]],
            realistic_requests(rng, args.requests, count),
        )
        seconds, counts = run_compiled(scenario)
        peer = run_naive(scenario, max(200, args.requests // 200))
        report(scenario.name, seconds, len(scenario.requests), peer)
        print(f"    decisions: {counts}")
    print("worst cases:")
    for scenario in worst_cases(rng, max(1000, args.requests // 10)):
        seconds, _ = run_compiled(scenario)
        report(scenario.name, seconds, len(scenario.requests))


if __name__ == "__main__":
    main()
