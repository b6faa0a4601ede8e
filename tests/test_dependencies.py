"""A runtime dependency ships only when the library uses it (imported, or read as package data)."""

from __future__ import annotations

import ast
import re
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "iamscope"


def _used_top_level_modules() -> set[str]:
    """Top-level modules that ``src`` imports or opens with ``importlib.resources.files(NAME)``."""
    used: set[str] = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                used.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                used.add(node.module.split(".")[0])
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute | ast.Name)
                and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id) == "files"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                used.add(node.args[0].value.split(".")[0])
    return used


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_runtime_dependency_is_used() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    modules_of: dict[str, set[str]] = {}
    for module, distributions in packages_distributions().items():
        for distribution in distributions:
            modules_of.setdefault(_normalise(distribution), set()).add(module)
    used = _used_top_level_modules()
    unused = []
    for requirement in project["dependencies"]:
        name = _normalise(re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0])
        modules = modules_of.get(name, set())
        assert modules, f"{name} is not installed: run ./scripts/bootstrap"
        if not modules & used:
            unused.append(f"{name} (provides {', '.join(sorted(modules))})")
    assert unused == [], "declared but never imported: " + "; ".join(unused)
