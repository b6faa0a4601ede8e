"""Fixtures for activity tests: where the optional shared data lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# ../shared beside the checkout; IAMSCOPE_SHARED names it for a checkout elsewhere (a worktree).
SHARED = Path(os.environ.get("IAMSCOPE_SHARED") or REPO_ROOT.parent / "shared")


@pytest.fixture
def shared_dir() -> Path:
    """../shared relative to the repository (tests using it skip when it is absent)."""
    return SHARED
