"""The 15-roles case end to end: demo CloudTrail -> store -> plans -> replay -> shadow verify."""

from __future__ import annotations

from pathlib import Path

import pytest

from iamscope.activity.evidence import gather_evidence
from iamscope.activity.ingest import ingest
from iamscope.activity.queries import TimeWindow, log_coverage, recorded_calls
from iamscope.activity.store import ActivityStore
from iamscope.analysis.leastpriv.generate import GenerateOptions
from iamscope.analysis.leastpriv.rightsize import (
    RightsizePlan,
    plan_rightsize,
    snapshot_base,
    verify_plan,
)
from iamscope.engine.catalog import load_catalog
from iamscope.samples.demo_activity import (
    ACTIVE_DEVELOPERS,
    write_demo_activity,
    write_demo_shadow_activity,
)
from iamscope.samples.demo_org import DEMO_COLLECTED_AT
from tests.analysis.leastpriv.builders import demo_snapshot, developer_arn


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RightsizePlan]:
    root = tmp_path_factory.mktemp("rightsize")
    write_demo_activity(root / "logs")
    db = root / "demo.duckdb"
    report = ingest([str(root / "logs")], db)
    assert report.problems == ()
    with ActivityStore(db, read_only=True) as store:
        evidence = gather_evidence(store)
        coverage = log_coverage(store)
    plan = plan_rightsize(
        demo_snapshot(),
        evidence,
        load_catalog(),
        GenerateOptions(generalize="prefix"),
        created_at=DEMO_COLLECTED_AT,
        coverage=coverage,
    )
    return db, plan


def test_every_developer_gets_a_ready_plan(planned: tuple[Path, RightsizePlan]) -> None:
    _, plan = planned
    assert [i.principal for i in plan.items] == [developer_arn(i) for i in range(1, 16)]
    assert all(i.ready for i in plan.items)
    for item in plan.items[ACTIVE_DEVELOPERS:]:  # never used their role: everything goes
        assert item.proposal.documents == ()
        assert len(item.removed) == item.granted > 10000
    for item in plan.items[:ACTIVE_DEVELOPERS]:
        assert item.replay.clean, item.principal  # zero denials over the recorded period
        assert item.replay.calls > 100
        assert item.new_grants == ()  # grants nothing AdministratorAccess did not
        assert item.blockers == ()  # the demo trail has all three data-event sources
        assert item.ready
        assert item.granted > 10000
        assert {a.split(":")[0] for a in item.used_actions} <= {"s3", "lambda", "dynamodb", "iam"}


def test_plans_remove_every_unused_grant_and_scope_invoke(planned: tuple[Path, RightsizePlan]) -> None:
    _, plan = planned
    for item in plan.items[:ACTIVE_DEVELOPERS]:
        kept = set(item.proposal.actions)
        assert kept == set(item.used_actions)
        assert len(item.removed) == item.granted - len(kept)
        assert "iam:CreateUser" in item.removed
        assert "iam:ListRoles" in item.removed  # only ever denied: not use
        for document in item.proposal.documents:
            for statement in document["Statement"]:  # type: ignore[union-attr]
                assert isinstance(statement, dict)
                actions = statement["Action"]
                actions = actions if isinstance(actions, list) else [actions]
                if "lambda:InvokeFunction" in actions:
                    resources = statement["Resource"]
                    resources = resources if isinstance(resources, list) else [resources]
                    assert resources
                    assert all(
                        str(r).startswith("arn:aws:lambda:eu-west-1:111111111111:function:")
                        for r in resources
                    )


def test_shadow_verify_catches_the_planted_call(planned: tuple[Path, RightsizePlan], tmp_path: Path) -> None:
    db, plan = planned
    since = DEMO_COLLECTED_AT
    write_demo_shadow_activity(tmp_path / "shadow", days=3)
    ingest([str(tmp_path / "shadow")], db)
    proposals = {i.principal: list(i.proposal.documents) for i in plan.items}
    with ActivityStore(db, read_only=True) as store:
        results = verify_plan(
            proposals,
            lambda p: recorded_calls(store, p, TimeWindow(since=since)),
            snapshot_base(demo_snapshot()),
        )
    dirty = {p: r for p, r in results.items() if not r.clean}
    assert list(dirty) == [developer_arn(5)]
    (denial,) = dirty[developer_arn(5)].denials
    assert denial.call.action == "s3:DeleteObject"
    assert denial.call.resource == "arn:aws:s3:::acme-shared-exports/2026/q3/summary.csv"
    active = {developer_arn(i) for i in range(1, ACTIVE_DEVELOPERS + 1)}
    assert all((r.calls > 0) == (p in active) for p, r in results.items())
