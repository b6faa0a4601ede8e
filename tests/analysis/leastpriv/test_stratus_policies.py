"""Policies generated from the public Stratus Red Team detonation logs (skips when they are absent).

Every principal's policy is checked: an action that takes a resource never gets ``*`` or every
resource of its type when its requests named one, and per-call ids are not pinned.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from iamscope.activity.ingest import ingest
from iamscope.activity.queries import active_principals, used_calls
from iamscope.activity.store import ActivityStore
from iamscope.analysis.leastpriv.generate import generate_policy
from iamscope.analysis.leastpriv.resource_patterns import is_whole_type_wildcard
from iamscope.engine.catalog import load_catalog
from iamscope.model.document import JsonObject
from tests.activity.conftest import SHARED

CORPUS = SHARED / "eval-data" / "cloudtrail" / "stratus-red-team-detonation-logs"
CHRISTOPHE = "arn:aws:iam::294599468799:user/christophe"  # the ssm-start-session detonation


def _grants(document: JsonObject) -> list[tuple[str, str]]:
    out = []
    statements = document["Statement"]
    assert isinstance(statements, list)
    for statement in statements:
        assert isinstance(statement, dict)
        actions, resources = statement["Action"], statement["Resource"]
        for action in actions if isinstance(actions, list) else [actions]:
            for resource in resources if isinstance(resources, list) else [resources]:
                out.append((str(action), str(resource)))
    return out


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/eval-data/cloudtrail is not present")
    db = tmp_path_factory.mktemp("stratus") / "stratus.duckdb"
    ingest([str(CORPUS)], db)
    return db


def test_christophe_start_session_is_scoped_to_the_instances_and_sessions_to_a_pattern(store: Path) -> None:
    catalog = load_catalog()
    with ActivityStore(store, read_only=True) as activity:
        policy = generate_policy(used_calls(activity, CHRISTOPHE), catalog)
    grants = _grants(policy.documents[0])
    start = sorted(r for a, r in grants if a == "ssm:StartSession")
    assert len([r for r in start if ":instance/i-" in r]) == 3
    assert "*" not in start
    terminate = [r for a, r in grants if a == "ssm:TerminateSession"]
    assert terminate == ["arn:aws:ssm:me-northwest-3r:294599468799:session/christophe-*"]


def test_no_action_that_takes_a_resource_gets_a_wildcard_anywhere_in_the_corpus(store: Path) -> None:
    catalog = load_catalog()
    wide: list[tuple[str, str, str]] = []
    with ActivityStore(store, read_only=True) as activity:
        principals = [p for p in active_principals(activity) if ":user/" in p or ":role/" in p]
        assert len(principals) >= 20
        for principal in principals:
            calls = used_calls(activity, principal)
            if not calls:
                continue
            for document in generate_policy(calls, catalog).documents:
                for action, resource in _grants(document):
                    info = catalog.action(action)
                    assert info is not None
                    if not info.wildcard_only and is_whole_type_wildcard(resource, info, catalog):
                        wide.append((principal, action, resource))
    assert wide == []
