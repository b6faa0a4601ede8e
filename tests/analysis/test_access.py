"""The snapshot-to-engine bridge: a principal's policies, groups, boundary, SCPs, RCPs and resource policies."""

from __future__ import annotations

from dataclasses import replace

from iamscope.analysis.access import AccessModel, policy_set_for
from iamscope.engine import Request, evaluate
from iamscope.model.document import JsonValue
from iamscope.model.snapshot import (
    AccountSnapshot,
    AttachedPolicy,
    Bucket,
    Group,
    InlinePolicy,
    ManagedPolicy,
    OrgAccount,
    Organization,
    OrgPolicy,
    OrgUnit,
    ResourcePolicy,
    Role,
    Snapshot,
    User,
)

A = "111122223333"
B = "444455556666"


def doc(*statements: dict[str, JsonValue]) -> JsonValue:
    return {"Version": "2012-10-17", "Statement": list(statements)}


S3_READ = ManagedPolicy(
    f"arn:aws:iam::{A}:policy/s3-read",
    "s3-read",
    doc({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}),
)
BOUNDARY = ManagedPolicy(
    f"arn:aws:iam::{A}:policy/boundary",
    "boundary",
    doc({"Effect": "Allow", "Action": ["s3:*", "sts:AssumeRole"], "Resource": "*"}),
)
BROKEN = ManagedPolicy(f"arn:aws:iam::{A}:policy/broken", "broken", {"Statement": "nope"})


def snapshot() -> Snapshot:
    users = (
        User("alice", f"arn:aws:iam::{A}:user/alice", groups=("readers",), permissions_boundary=BOUNDARY.arn),
        User(
            "bob",
            f"arn:aws:iam::{A}:user/team/bob",
            inline_policies=(
                InlinePolicy("ddb", doc({"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"})),
            ),
            attached_policies=(AttachedPolicy(BROKEN.arn),),
        ),
    )
    groups = (
        Group(
            "readers",
            f"arn:aws:iam::{A}:group/readers",
            attached_policies=(AttachedPolicy(S3_READ.arn, "s3-read"),),
        ),
    )
    roles = (
        Role(
            "deploy",
            f"arn:aws:iam::{A}:role/ci/deploy",
            trust_policy=doc(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{A}:user/alice"},
                    "Action": "sts:AssumeRole",
                }
            ),
            attached_policies=(AttachedPolicy(f"arn:aws:iam::{A}:policy/missing"),),
        ),
    )
    bucket = ResourcePolicy(
        "arn:aws:s3:::shared",
        "s3",
        "global",
        doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": B},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::shared/*",
            }
        ),
        "shared",
    )
    account_a = AccountSnapshot(
        A,
        users=users,
        groups=groups,
        roles=roles,
        policies={p.arn: p for p in (S3_READ, BOUNDARY, BROKEN)},
        resource_policies=(bucket,),
    )
    account_b = AccountSnapshot(
        B,
        users=(
            User(
                "eve",
                f"arn:aws:iam::{B}:user/eve",
                inline_policies=(
                    InlinePolicy("all", doc({"Effect": "Allow", "Action": "*", "Resource": "*"})),
                ),
            ),
        ),
        policies={},
    )
    organization = Organization(
        "o-1",
        management_account_id="999999999999",
        units=(OrgUnit("r-1", "Root", None), OrgUnit("ou-1", "Workloads", "r-1")),
        accounts=(OrgAccount(A, "a", "ou-1"), OrgAccount(B, "b", "ou-1")),
        policies=(
            OrgPolicy(
                "p-full",
                "FullAWSAccess",
                "SERVICE_CONTROL_POLICY",
                doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
                ("r-1", "ou-1", A, B),
            ),
            OrgPolicy(
                "p-deny",
                "NoDynamo",
                "SERVICE_CONTROL_POLICY",
                doc({"Effect": "Deny", "Action": "dynamodb:DeleteTable", "Resource": "*"}),
                ("ou-1",),
            ),
            OrgPolicy(
                "p-rcp",
                "NoPublicWrite",
                "RESOURCE_CONTROL_POLICY",
                doc({"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "*"}),
                ("r-1",),
            ),
        ),
    )
    return Snapshot(collected_at=None, accounts={A: account_a, B: account_b}, organization=organization)


def test_user_gets_group_policies_boundary_and_scp_levels() -> None:
    model = AccessModel(snapshot())
    policies = model.policy_set(f"arn:aws:iam::{A}:user/alice")
    assert [p.name for p in policies.identity] == ["s3-read"]
    assert policies.permissions_boundary is not None
    assert policies.scps is not None
    assert [len(level) for level in policies.scps] == [1, 2, 1]
    assert evaluate(
        Request(f"arn:aws:iam::{A}:user/alice", "s3:GetObject", "arn:aws:s3:::x/y", resource_account=A),
        policies,
    ).allowed


def test_scp_denies_and_broken_documents_are_reported_not_fatal() -> None:
    model = AccessModel(snapshot())
    bob = f"arn:aws:iam::{A}:user/team/bob"
    policies = model.policy_set(bob)
    assert evaluate(Request(bob, "dynamodb:GetItem", "*"), policies).allowed
    assert evaluate(Request(bob, "dynamodb:DeleteTable", "*"), policies).decision == "explicitDeny"
    assert any("broken" in problem and "Statement" in problem for problem in model.problems)


def test_trust_policy_is_the_resource_policy_of_assume_role() -> None:
    model = AccessModel(snapshot())
    role = f"arn:aws:iam::{A}:role/ci/deploy"
    alice = f"arn:aws:iam::{A}:user/alice"
    policies = model.policy_set(alice, resource_arn=role, action="sts:AssumeRole")
    assert policies.resource is not None
    assert evaluate(Request(alice, "sts:AssumeRole", role), policies).allowed
    bob = f"arn:aws:iam::{A}:user/team/bob"
    assert not evaluate(
        Request(bob, "sts:AssumeRole", role),
        model.policy_set(bob, resource_arn=role, action="sts:AssumeRole"),
    ).allowed
    model.policy_set(role)
    assert any("policy/missing" in problem and "not collected" in problem for problem in model.problems)


def test_bucket_policy_and_rcps_for_cross_account_access() -> None:
    model = AccessModel(snapshot())
    eve = f"arn:aws:iam::{B}:user/eve"
    get = model.policy_set(eve, resource_arn="arn:aws:s3:::shared/report.csv")
    assert get.rcps is not None
    assert evaluate(
        Request(eve, "s3:GetObject", "arn:aws:s3:::shared/report.csv", resource_account=A), get
    ).allowed
    put = Request(eve, "s3:PutObject", "arn:aws:s3:::shared/report.csv", resource_account=A)
    assert evaluate(put, get).decision == "explicitDeny"


def test_sessions_resolve_to_their_role_and_unknowns_to_nothing() -> None:
    model = AccessModel(snapshot())
    identity = model.identity(f"arn:aws:sts::{A}:assumed-role/deploy/build-42")
    assert identity is not None
    assert identity.kind == "role"
    assert model.identity(f"arn:aws:iam::{A}:user/nobody") is None
    assert len(list(model.identities())) == 4
    assert policy_set_for(snapshot(), f"arn:aws:iam::{A}:user/nobody").identity == ()


def test_an_odd_element_matches_nothing_and_the_rest_of_the_policy_still_counts() -> None:
    # AWS stored this policy; one statement carries an element the engine cannot use. Dropping the
    # whole document would silently lose its Deny.
    guarded = ManagedPolicy(
        f"arn:aws:iam::{A}:policy/guarded",
        "guarded",
        doc(
            {"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"},
            {
                "Sid": "Odd",
                "Effect": "Allow",
                "Action": "iam:*",
                "Resource": "*",
                "Condition": {"StringEqualz": {"aws:username": "carol"}},
            },
            {
                "Sid": "Typo",
                "Effect": "Deny",
                "Action": ["s3:PutObject", "s3:Get Object", 7],
                "Resource": "*",
            },
        ),
    )
    carol = User("carol", f"arn:aws:iam::{A}:user/carol", attached_policies=(AttachedPolicy(guarded.arn),))
    model = AccessModel(
        Snapshot(
            collected_at=None,
            accounts={A: AccountSnapshot(A, users=(carol,), policies={guarded.arn: guarded})},
        )
    )
    policies = model.policy_set(carol.arn)
    assert [p.name for p in policies.identity] == ["guarded"]
    bucket = "arn:aws:s3:::data"
    assert evaluate(Request(carol.arn, "s3:DeleteBucket", bucket, A), policies).decision == "explicitDeny"
    assert evaluate(Request(carol.arn, "s3:PutObject", f"{bucket}/k", A), policies).decision == "explicitDeny"
    # The Allow with the unreadable condition matches nothing; "All" still allows IAM reads.
    assert evaluate(Request(carol.arn, "iam:GetUser", carol.arn), policies).allowed
    assert evaluate(Request(carol.arn, "s3:GetObject", f"{bucket}/k", A), policies).allowed
    problems = [p for p in model.problems if p.startswith("policy guarded:")]
    assert any("Statement[2].Condition.StringEqualz" in p and "matches nothing" in p for p in problems)
    assert any("Statement[3].Action[1]" in p and "names no action" in p for p in problems)
    assert any("Statement[3].Action[2]" in p for p in problems)
    assert not any("left out" in p for p in model.problems)


def test_an_scp_with_an_empty_statement_list_denies_at_its_level() -> None:
    full = doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
    users = (User("dan", f"arn:aws:iam::{A}:user/dan", inline_policies=(InlinePolicy("all", full),)),)
    organization = Organization(
        "o-1",
        management_account_id="999999999999",
        units=(OrgUnit("r-1", "Root", None), OrgUnit("ou-1", "Frozen", "r-1")),
        accounts=(OrgAccount(A, "a", "ou-1"),),
        policies=(
            OrgPolicy("p-full", "FullAWSAccess", "SERVICE_CONTROL_POLICY", full, ("r-1", A)),
            OrgPolicy("p-empty", "Nothing", "SERVICE_CONTROL_POLICY", doc(), ("ou-1",)),
        ),
    )
    model = AccessModel(
        Snapshot(collected_at=None, accounts={A: AccountSnapshot(A, users=users)}, organization=organization)
    )
    policies = model.policy_set(users[0].arn)
    assert policies.scps is not None
    assert [[p.name for p in level] for level in policies.scps] == [
        ["FullAWSAccess"],
        ["Nothing"],
        ["FullAWSAccess"],
    ]
    decision = evaluate(Request(users[0].arn, "ec2:DescribeInstances", "*"), policies)
    assert decision.decision == "implicitDeny"
    assert decision.explanation.layer == "scp"
    assert "level 1" in decision.explanation.reason
    assert model.problems == []


def test_the_owner_of_an_s3_arn_comes_from_the_snapshot_not_from_the_caller() -> None:
    model = AccessModel(snapshot())
    assert model.resource_account("arn:aws:s3:::shared/report.csv") == A
    assert model.resource_account("arn:aws:s3:::shared") == A
    assert model.resource_account("arn:aws:s3:::someone-elses/k") is None
    # A bucket without a policy is known from the bucket listing of its account.
    listed = replace(snapshot().accounts[B], buckets=(Bucket("quiet", "arn:aws:s3:::quiet"),))
    with_listing = AccessModel(replace(snapshot(), accounts={**snapshot().accounts, B: listed}))
    assert with_listing.resource_account("arn:aws:s3:::quiet/k") == B
    assert model.resource_account(f"arn:aws:sqs:eu-west-1:{B}:q") == B
    eve = f"arn:aws:iam::{B}:user/eve"
    # A bucket of an account the snapshot does not hold has RCPs nobody collected: none are assumed,
    # and in particular not those of the caller's own account.
    assert model.policy_set(eve, resource_arn="arn:aws:s3:::someone-elses/k").rcps is None
    shared = model.policy_set(eve, resource_arn="arn:aws:s3:::shared/report.csv")
    assert shared.rcps is not None
    owner = model.resource_account("arn:aws:s3:::shared/report.csv")
    assert evaluate(Request(eve, "s3:GetObject", "arn:aws:s3:::shared/report.csv", owner), shared).allowed
