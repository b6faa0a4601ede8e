"""Benchmark: ``iamscope assess`` end to end on synthetic accounts, against Cloudsplaining's ``scan``.

Generates get-account-authorization-details files (medium: 500 users, 2,000 roles, 1,000 customer
policies; large: 2,000 users, 10,000 roles, 5,000 policies) with a realistic mix of policies, times
``iamscope assess FILE --format json`` on both (median of ``--repeat`` runs) and with
``--output-dir`` (all eight formats), and Cloudsplaining's ``scan`` on the medium file in the same
run (installed into its own virtual environment under out/bench-venv). Prints wall time, CPU time,
peak memory (max RSS of each child process) and the ratios. Usage::

    .venv/bin/python bench/assess.py [--skip-cloudsplaining] [--sizes medium,large] [--json-only]
                                     [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "out" / "bench"
ACCOUNT = "123456789012"
SIZES = {"medium": (500, 2000, 1000), "large": (2000, 10000, 5000)}

JsonDoc = dict[str, object]


def _doc(*statements: JsonDoc) -> JsonDoc:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _policy_document(rng: random.Random, index: int) -> JsonDoc:
    """One customer policy from a realistic mix (weights roughly as seen in real accounts)."""
    kind = rng.choices(
        ["admin", "service", "passrole", "s3", "dynamodb", "notaction", "conditions", "readonly"],
        weights=[3, 15, 8, 25, 15, 4, 10, 20],
    )[0]
    bucket = f"arn:aws:s3:::data-{index % 97}"
    if kind == "admin":
        return _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
    if kind == "service":
        service = rng.choice(["s3", "ec2", "dynamodb", "sqs", "sns", "lambda", "logs", "kms"])
        return _doc({"Effect": "Allow", "Action": f"{service}:*", "Resource": "*"})
    if kind == "passrole":
        return _doc(
            {"Effect": "Allow", "Action": ["iam:PassRole"], "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"],
                "Resource": "*",
            },
        )
    if kind == "s3":
        return _doc(
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"{bucket}/*"},
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket},
        )
    if kind == "dynamodb":
        table = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/t{index % 53}"
        return _doc(
            {
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
                "Resource": [table, f"{table}/index/*"],
            }
        )
    if kind == "notaction":
        return _doc({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"})
    if kind == "conditions":
        return _doc(
            {
                "Effect": "Allow",
                "Action": ["ec2:StartInstances", "ec2:StopInstances", "s3:GetObject"],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:ResourceTag/team": f"t{index % 11}"},
                    "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
                },
            }
        )
    return _doc(
        {"Effect": "Allow", "Action": ["ec2:Describe*", "s3:List*", "cloudwatch:Get*"], "Resource": "*"}
    )


def _time(moment: datetime) -> str:
    return moment.isoformat()


def generate(users: int, roles: int, policies: int, seed: int = 7) -> JsonDoc:
    """A GAAD document of the given size (deterministic for a seed)."""
    rng = random.Random(seed)
    now = datetime(2026, 1, 15, tzinfo=UTC)
    arns = [f"arn:aws:iam::{ACCOUNT}:policy/p{i:05d}" for i in range(policies)]
    policy_list = [
        {
            "PolicyName": f"p{i:05d}",
            "PolicyId": f"ANPA{i:016d}",
            "Arn": arn,
            "Path": "/",
            "DefaultVersionId": "v1",
            "AttachmentCount": 1,
            "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": True,
            "CreateDate": _time(now - timedelta(days=500)),
            "UpdateDate": _time(now - timedelta(days=100)),
            "PolicyVersionList": [
                {
                    "Document": _policy_document(rng, i),
                    "VersionId": "v1",
                    "IsDefaultVersion": True,
                    "CreateDate": _time(now - timedelta(days=100)),
                }
            ],
        }
        for i, arn in enumerate(arns)
    ]

    def attached() -> list[JsonDoc]:
        return [
            {"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a} for a in rng.sample(arns, rng.randint(1, 3))
        ]

    trust_kinds = [
        {"Service": "lambda.amazonaws.com"},
        {"Service": "ec2.amazonaws.com"},
        {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        {"AWS": "arn:aws:iam::999988887777:root"},
    ]
    user_list = [
        {
            "Path": "/",
            "UserName": f"user{i:05d}",
            "UserId": f"AIDA{i:016d}",
            "Arn": f"arn:aws:iam::{ACCOUNT}:user/user{i:05d}",
            "CreateDate": _time(now - timedelta(days=rng.randint(10, 900))),
            "GroupList": [],
            "AttachedManagedPolicies": attached(),
            "UserPolicyList": [],
            "Tags": [],
        }
        for i in range(users)
    ]
    role_list = [
        {
            "Path": "/",
            "RoleName": f"role{i:05d}",
            "RoleId": f"AROA{i:016d}",
            "Arn": f"arn:aws:iam::{ACCOUNT}:role/role{i:05d}",
            "CreateDate": _time(now - timedelta(days=rng.randint(10, 900))),
            "AssumeRolePolicyDocument": _doc(
                {"Effect": "Allow", "Principal": rng.choice(trust_kinds), "Action": "sts:AssumeRole"}
            ),
            "InstanceProfileList": [],
            "RolePolicyList": [],
            "AttachedManagedPolicies": attached(),
            "Tags": [],
            "RoleLastUsed": {
                "LastUsedDate": _time(now - timedelta(days=rng.randint(0, 200))),
                "Region": "us-east-1",
            },
        }
        for i in range(roles)
    ]
    return {
        "UserDetailList": user_list,
        "GroupDetailList": [],
        "RoleDetailList": role_list,
        "Policies": policy_list,
    }


@dataclass(frozen=True, slots=True)
class Measure:
    """One child process run."""

    wall: float
    cpu: float
    peak_mb: float
    status: int


def run(command: list[str], stdout: Path) -> Measure:
    """Run a child, returning its wall time, CPU time and max RSS (its own rusage, via wait4)."""
    start = time.perf_counter()
    with stdout.open("wb") as sink:
        child = subprocess.Popen(command, stdout=sink, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    return Measure(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, child.returncode)


def run_median(command: list[str], stdout: Path, repeat: int) -> Measure:
    """The median of ``repeat`` runs by wall time (a run of a few seconds on a shared 2-core
    machine varies by half; the peer's single minute-long run averages the noise out itself)."""
    runs = sorted((run(command, stdout) for _ in range(max(1, repeat))), key=lambda m: m.wall)
    middle = runs[len(runs) // 2]
    return Measure(middle.wall, middle.cpu, max(m.peak_mb for m in runs), max(m.status for m in runs))


# The peer as measured for the README (scan's flags: --input-file, --output, --skip-open-report).
CLOUDSPLAINING = "cloudsplaining>=0.9,<0.10"


def cloudsplaining() -> tuple[Path, str]:
    """Cloudsplaining in its own virtual environment under out/ (created on first use), and its
    version."""
    venv = ROOT / "out" / "bench-venv"
    binary = venv / "bin" / "cloudsplaining"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", CLOUDSPLAINING], check=True)
    shown = subprocess.run(
        [str(venv / "bin" / "pip"), "show", "cloudsplaining"], capture_output=True, text=True, check=True
    )
    version = next(
        (line.split(":", 1)[1].strip() for line in shown.stdout.splitlines() if line.startswith("Version:")),
        "?",
    )
    return binary, version


def main() -> int:
    """Generate, measure, print."""
    parser = argparse.ArgumentParser(description="iamscope assess benchmark against Cloudsplaining")
    parser.add_argument("--skip-cloudsplaining", action="store_true", help="time iamscope only")
    parser.add_argument("--sizes", default="medium,large", help="comma-separated: medium, large")
    parser.add_argument("--json-only", action="store_true", help="skip the all-formats runs")
    parser.add_argument("--repeat", type=int, default=5, help="iamscope runs per measure (median shown)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    iamscope = str(ROOT / ".venv" / "bin" / "iamscope")
    # Byte-compile the checkout, as pip does for an installed package (and did for the peer):
    # with PYTHONDONTWRITEBYTECODE set, an editable install would recompile every module per run.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=True)
    results: dict[str, Measure] = {}
    for size in args.sizes.split(","):
        users, roles, policies = SIZES[size]
        path = OUT / f"gaad-{size}.json"
        path.write_text(json.dumps(generate(users, roles, policies)), encoding="utf-8")
        measure = run_median(
            [iamscope, "assess", str(path), "--format", "json", "--as-of", "2026-01-15"],
            OUT / f"iamscope-{size}.json",
            args.repeat,
        )
        results[size] = measure
        findings = -1
        if measure.status in (0, 1):
            findings = len(
                json.loads((OUT / f"iamscope-{size}.json").read_text(encoding="utf-8"))["findings"]
            )
        print(
            f"iamscope assess {size:<6} ({users} users, {roles} roles, {policies} policies), "
            f"median of {args.repeat}: wall {measure.wall:.1f} s, cpu {measure.cpu:.1f} s, "
            f"peak {measure.peak_mb:.0f} MB, "
            f"exit {measure.status}, {findings} findings"
        )
        if not args.json_only:
            reports = OUT / f"iamscope-{size}-reports"
            every = run_median(
                [iamscope, "assess", str(path), "--output-dir", str(reports), "--as-of", "2026-01-15"],
                OUT / f"iamscope-{size}.txt",
                args.repeat,
            )
            print(
                f"  with all eight formats (--output-dir): wall {every.wall:.1f} s, cpu {every.cpu:.1f} s, "
                f"peak {every.peak_mb:.0f} MB, exit {every.status}"
            )
    if not args.skip_cloudsplaining and "medium" in results:
        binary, version = cloudsplaining()
        target = OUT / "cloudsplaining-medium"
        target.mkdir(parents=True, exist_ok=True)  # scan's --output must exist
        peer = run(
            [
                str(binary),
                "scan",
                "--input-file",
                str(OUT / "gaad-medium.json"),
                "--output",
                str(target),
                "--skip-open-report",
            ],
            OUT / "cloudsplaining-medium.log",
        )
        print(
            f"cloudsplaining {version} scan medium: wall {peer.wall:.1f} s, cpu {peer.cpu:.1f} s, "
            f"peak {peer.peak_mb:.0f} MB, exit {peer.status}"
        )
        ours = results["medium"]
        print(
            f"ratio (cloudsplaining / iamscope, medium): wall {peer.wall / ours.wall:.1f}x, "
            f"cpu {peer.cpu / max(ours.cpu, 1e-9):.1f}x, peak memory {peer.peak_mb / ours.peak_mb:.1f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
