"""The policy grammar: JSON in, a typed :class:`~iamscope.model.policies.Policy` out, or an error
that names the JSON path of the fault (``Statement[2].Condition.StringLike``)."""

from __future__ import annotations

import json
import re
from typing import Literal

from iamscope.engine.conditions import parse_operator
from iamscope.model.document import JsonValue, json_kind, json_syntax_fault
from iamscope.model.policies import ConditionClause, Effect, Policy, PrincipalSpec, Statement
from iamscope.user_error import UserError

__all__ = ["PolicyError", "PolicyKind", "parse_policy", "parse_policy_text"]

# What the policy is attached to decides which elements it must and must not have
# (reference_policies_grammar.html: principal_block is required in resource-based and trust
# policies and must not be in identity-based policies; every statement of an identity-based
# policy has Resource or NotResource).
PolicyKind = Literal[
    "any", "identity", "boundary", "session", "scp", "resource", "trust", "rcp", "vpc-endpoint"
]
_NO_PRINCIPAL: frozenset[str] = frozenset({"identity", "boundary", "session", "scp"})
_NEEDS_PRINCIPAL: frozenset[str] = frozenset({"resource", "trust", "rcp", "vpc-endpoint"})

_TOP_KEYS = frozenset({"Version", "Id", "Statement"})
_STATEMENT_KEYS = frozenset(
    {
        "Sid",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Principal",
        "NotPrincipal",
        "Condition",
    }
)
_PRINCIPAL_KEYS = {"aws": "AWS", "service": "Service", "federated": "Federated"}
_VERSIONS = frozenset({"2012-10-17", "2008-10-17"})
_ACTION = re.compile(r"^[A-Za-z0-9*?_.-]+:[A-Za-z0-9*?_.-]*$")


class PolicyError(UserError, ValueError):
    """A policy that does not follow the grammar; ``path`` locates the fault."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


def parse_policy_text(text: str | bytes, kind: PolicyKind = "any") -> Policy:
    """Parse a policy from JSON text."""
    try:
        document: JsonValue = json.loads(text)
    except json.JSONDecodeError as error:
        raise PolicyError("", json_syntax_fault(error)) from None
    except UnicodeDecodeError:
        raise PolicyError("", "not valid UTF-8 text") from None
    return parse_policy(document, kind)


def parse_policy(document: JsonValue, kind: PolicyKind = "any") -> Policy:
    """Parse a policy document as AWS stores it (a JSON string holding the document is accepted).

    ``kind`` adds the rules of where the policy is attached (Principal required or forbidden,
    Resource required); ``"any"`` checks only the grammar common to all policies.
    """
    if isinstance(document, str):
        return parse_policy_text(document, kind)
    if not isinstance(document, dict):
        raise PolicyError("", f"a policy must be a JSON object, not {json_kind(document)}")
    for key in document:
        if key not in _TOP_KEYS:
            raise PolicyError(key, "unknown policy element")
    version = document.get("Version")
    if version is not None and (not isinstance(version, str) or version not in _VERSIONS):
        raise PolicyError("Version", f"must be 2012-10-17 or 2008-10-17, not {version!r}")
    policy_id = document.get("Id")
    if policy_id is not None and not isinstance(policy_id, str):
        raise PolicyError("Id", "must be a string")
    raw = document.get("Statement")
    if raw is None:
        raise PolicyError("Statement", "is missing")
    statements: tuple[Statement, ...]
    if isinstance(raw, dict):
        statements = (_statement(raw, 0, "Statement", kind),)
    elif isinstance(raw, list):
        if not raw:
            raise PolicyError("Statement", "is empty")
        statements = tuple(_statement(item, i, f"Statement[{i}]", kind) for i, item in enumerate(raw))
    else:
        raise PolicyError("Statement", f"must be an object or a list, not {json_kind(raw)}")
    return Policy(statements=statements, version=version, id=policy_id)


def _strings(value: JsonValue, path: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        if not value:
            raise PolicyError(path, "is an empty list")
        out = []
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise PolicyError(f"{path}[{index}]", f"must be a string, not {json_kind(item)}")
            out.append(item)
        return tuple(out)
    raise PolicyError(path, f"must be a string or a list of strings, not {json_kind(value)}")


def _statement(raw: JsonValue, index: int, path: str, kind: PolicyKind) -> Statement:
    if not isinstance(raw, dict):
        raise PolicyError(path, f"a statement must be an object, not {json_kind(raw)}")
    for key in raw:
        if key not in _STATEMENT_KEYS:
            raise PolicyError(f"{path}.{key}", "unknown statement element")
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyError(f"{path}.Sid", "must be a string")
    effect_raw = raw.get("Effect")
    if effect_raw == "Allow":
        effect = Effect.ALLOW
    elif effect_raw == "Deny":
        effect = Effect.DENY
    elif effect_raw is None:
        raise PolicyError(f"{path}.Effect", "is missing")
    else:
        raise PolicyError(f"{path}.Effect", f"must be Allow or Deny, not {effect_raw!r}")
    actions, not_actions = _pair(raw, "Action", "NotAction", path, required=True)
    for name, values in (("Action", actions), ("NotAction", not_actions)):
        for i, action in enumerate(values or ()):
            if action != "*" and not _ACTION.match(action):
                where = f"{path}.{name}" if isinstance(raw[name], str) else f"{path}.{name}[{i}]"
                raise PolicyError(where, f"{action!r} is not service:action or *")
    resources, not_resources = _pair(raw, "Resource", "NotResource", path, required=False)
    principal = _principal(raw, "Principal", path)
    not_principal = _principal(raw, "NotPrincipal", path)
    if principal is not None and not_principal is not None:
        raise PolicyError(f"{path}.NotPrincipal", "cannot be used together with Principal")
    if kind in _NO_PRINCIPAL:
        for name in ("Principal", "NotPrincipal"):
            if name in raw:
                raise PolicyError(f"{path}.{name}", f"is not allowed in a {kind} policy")
        if resources is None and not_resources is None:
            raise PolicyError(
                f"{path}.Resource", f"is missing (a {kind} policy statement needs Resource or NotResource)"
            )
    if kind in _NEEDS_PRINCIPAL and principal is None and not_principal is None:
        raise PolicyError(
            f"{path}.Principal", f"is missing (a {kind} policy statement needs Principal or NotPrincipal)"
        )
    conditions = _conditions(raw.get("Condition"), f"{path}.Condition")
    return Statement(
        index=index,
        effect=effect,
        sid=sid,
        actions=actions,
        not_actions=not_actions,
        resources=resources,
        not_resources=not_resources,
        principal=principal,
        not_principal=not_principal,
        conditions=conditions,
        path=path,
    )


def _pair(
    raw: dict[str, JsonValue], name: str, not_name: str, path: str, *, required: bool
) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    has, has_not = name in raw, not_name in raw
    if has and has_not:
        raise PolicyError(f"{path}.{not_name}", f"cannot be used together with {name}")
    if required and not has and not has_not:
        raise PolicyError(f"{path}.{name}", f"is missing (a statement needs {name} or {not_name})")
    first = _strings(raw[name], f"{path}.{name}") if has else None
    second = _strings(raw[not_name], f"{path}.{not_name}") if has_not else None
    return first, second


def _principal(raw: dict[str, JsonValue], name: str, path: str) -> PrincipalSpec | None:
    if name not in raw:
        return None
    value = raw[name]
    where = f"{path}.{name}"
    if value == "*":
        return PrincipalSpec(wildcard=True)
    if not isinstance(value, dict):
        raise PolicyError(where, 'must be "*" or an object such as {"AWS": ...}')
    found: dict[str, tuple[str, ...]] = {}
    for key, item in value.items():
        canonical = _PRINCIPAL_KEYS.get(key.lower()) if key != "CanonicalUser" else key
        if canonical is None or canonical != key:
            raise PolicyError(f"{where}.{key}", "must be AWS, Service, Federated or CanonicalUser")
        found[key] = _strings(item, f"{where}.{key}")
    if not found:
        raise PolicyError(where, "names no principal")
    return PrincipalSpec(
        wildcard=False,
        aws=found.get("AWS", ()),
        service=found.get("Service", ()),
        federated=found.get("Federated", ()),
        canonical_user=found.get("CanonicalUser", ()),
    )


def _condition_value(value: JsonValue, path: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        return value
    raise PolicyError(path, f"a condition value must be a string, number or boolean, not {json_kind(value)}")


def _conditions(raw: JsonValue, path: str) -> tuple[ConditionClause, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise PolicyError(path, f"must be an object, not {json_kind(raw)}")
    clauses: list[ConditionClause] = []
    for operator, block in raw.items():
        where = f"{path}.{operator}"
        parsed = parse_operator(operator)
        if parsed is None:
            raise PolicyError(where, f"unknown condition operator {operator!r}")
        if not isinstance(block, dict):
            raise PolicyError(where, f"must map condition keys to values, not {json_kind(block)}")
        if not block:
            raise PolicyError(where, "names no condition key")
        for key, values in block.items():
            key_path = f"{where}.{key}"
            if not key:
                raise PolicyError(key_path, "an empty condition key")
            if isinstance(values, list):
                if not values:
                    raise PolicyError(key_path, "is an empty list")
                items = tuple(_condition_value(v, f"{key_path}[{i}]") for i, v in enumerate(values))
            else:
                items = (_condition_value(values, key_path),)
            clauses.append(ConditionClause(operator, key, items))
    return tuple(clauses)
