"""The policy engine: AWS authorization decisions with explanations (pure: no I/O, no clock)."""

from __future__ import annotations

from iamscope.engine.compiled import CompiledPolicy, CompiledStatement, compile_policy
from iamscope.engine.evaluate import (
    Decision,
    DecisionValue,
    Explanation,
    MatchedStatement,
    PolicySet,
    Request,
    RequestError,
    evaluate,
    resource_owner,
)
from iamscope.engine.parse import PolicyError, parse_policy, parse_policy_text

__all__ = [
    "CompiledPolicy",
    "CompiledStatement",
    "Decision",
    "DecisionValue",
    "Explanation",
    "MatchedStatement",
    "PolicyError",
    "PolicySet",
    "Request",
    "RequestError",
    "compile_policy",
    "evaluate",
    "parse_policy",
    "parse_policy_text",
    "resource_owner",
]
