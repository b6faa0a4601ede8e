"""iamscope: who can do what in AWS accounts, what is dangerous about it, and how to reach least privilege."""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from iamscope.engine import PolicySet, Request, compile_policy, evaluate

__all__ = ["PolicySet", "Request", "__version__", "compile_policy", "evaluate"]

_LAZY = {"PolicySet", "Request", "compile_policy", "evaluate"}


def __getattr__(name: str) -> object:
    """The engine's entry points, imported on first use so ``import iamscope`` stays cheap."""
    if name in _LAZY:
        from iamscope import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'iamscope' has no attribute {name!r}")
