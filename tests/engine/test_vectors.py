"""Every decision case under tests/engine/vectors must get the decision the AWS docs it cites give."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamscope.engine.cases import run_case

VECTORS = Path(__file__).parent / "vectors"


def _cases() -> list[tuple[str, dict[str, object]]]:
    found = []
    for path in sorted(VECTORS.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                found.append((f"{path.name}:{number}", json.loads(line)))
    return found


CASES = _cases()


def test_there_are_enough_vectors_and_ids_are_unique() -> None:
    assert len(CASES) >= 250
    ids = [case["id"] for _, case in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(("where", "case"), CASES, ids=[str(c["id"]) for _, c in CASES])
def test_vector(where: str, case: dict[str, object]) -> None:
    doc = case.get("doc")
    assert isinstance(doc, dict), f"{where}: every case cites the AWS page it comes from"
    assert str(doc.get("url", "")).startswith("https://docs.aws.amazon.com/"), where
    result = run_case(case)  # type: ignore[arg-type]
    if case["expect"] == "error":
        assert result.error is not None, f"{where}: expected an error, got {result.decision}"
        assert str(case.get("expect_error_path", "")) in result.error
        return
    assert result.error is None, f"{where}: {result.error}"
    assert result.decision is not None
    explanation = result.decision.explanation.text()
    assert result.decision.decision == case["expect"], f"{where}: {explanation}"
