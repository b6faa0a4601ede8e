"""Import rules of design.md §1: model and engine stay pure; the public API is guarded."""

from __future__ import annotations

import ast
from pathlib import Path

import iamscope
import iamscope.engine

SRC = Path(__file__).resolve().parents[1] / "src" / "iamscope"
PURE_LAYERS = ("model", "engine")
FORBIDDEN_IN_PURE = (
    "boto3",
    "botocore",
    "duckdb",
    "iamscope.collect",
    "iamscope.activity",
    "iamscope.report",
    "iamscope.cli",
    "requests",
    "urllib.request",
    "socket",
    "subprocess",
)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_pure_layers_import_no_io() -> None:
    offenders = []
    for layer in PURE_LAYERS:
        for path in (SRC / layer).rglob("*.py"):
            for name in _imports(path):
                if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN_IN_PURE):
                    offenders.append(f"{path.relative_to(SRC)} imports {name}")
    assert offenders == []


def test_model_imports_nothing_from_other_layers() -> None:
    offenders = [
        f"{path.name}: {name}"
        for path in (SRC / "model").rglob("*.py")
        for name in _imports(path)
        if name.startswith("iamscope.") and not name.startswith("iamscope.model")
    ]
    assert offenders == []


def test_every_module_opens_with_a_docstring() -> None:
    missing = [
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) is None
    ]
    assert missing == []


def test_public_api_is_guarded() -> None:
    assert sorted(iamscope.__all__) == ["PolicySet", "Request", "__version__", "compile_policy", "evaluate"]
    assert set(iamscope.engine.__all__) >= {
        "PolicySet",
        "Request",
        "evaluate",
        "compile_policy",
        "PolicyError",
        "Decision",
    }
    for name in iamscope.engine.__all__:
        assert hasattr(iamscope.engine, name)


def test_no_grab_bag_modules() -> None:
    names = {p.stem for p in SRC.rglob("*.py")} | {p.name for p in SRC.rglob("*") if p.is_dir()}
    assert not names & {"utils", "util", "common", "misc", "helpers"}
