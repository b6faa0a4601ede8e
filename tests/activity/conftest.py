"""Fixtures for activity tests: where the optional shared data lives."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT.parent / "shared"


@pytest.fixture
def shared_dir() -> Path:
    """../shared relative to the repository (tests using it skip when it is absent)."""
    return SHARED
