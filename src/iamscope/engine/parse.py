"""The policy grammar: JSON in, a typed :class:`~iamscope.model.policies.Policy` out, or an error
that names the JSON path of the fault (``Statement[2].Condition.StringLike``).

Strict reading (policies a user wrote) raises on the first fault. Lenient reading (policies AWS
already stores, from a snapshot) never drops a whole document for one odd element: the odd element
matches nothing, a :class:`PolicyProblem` names it, and the rest of the policy still counts.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Literal

from iamscope.engine.conditions import parse_operator
from iamscope.model.document import JsonValue, json_kind, json_syntax_fault
from iamscope.model.policies import ConditionClause, Effect, Policy, PrincipalSpec, Statement
from iamscope.user_error import UserError

__all__ = ["PolicyError", "PolicyKind", "PolicyProblem", "parse_policy", "parse_policy_text", "read_policy"]

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
# A service prefix and a colon; AWS stores names with other characters after the colon (a comma,
# inner or trailing whitespace), which name no action and so match no request.
_ACTION = re.compile(r"^[A-Za-z0-9*?_.-]+:")
_ACTION_NAME = re.compile(r"[A-Za-z0-9*?_.-]*")


@dataclass(frozen=True, slots=True)
class PolicyProblem:
    """An element that matches nothing (and why); ``path`` locates it in its document."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class PolicyError(UserError, ValueError):
    """A policy that does not follow the grammar; ``path`` locates the fault."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


def _load_text(text: str | bytes) -> JsonValue:
    try:
        document: JsonValue = json.loads(text)
    except json.JSONDecodeError as error:
        raise PolicyError("", json_syntax_fault(error)) from None
    except UnicodeDecodeError:
        raise PolicyError("", "not valid UTF-8 text") from None
    return document


def parse_policy_text(text: str | bytes, kind: PolicyKind = "any") -> Policy:
    """Parse a policy from JSON text."""
    return parse_policy(_load_text(text), kind)


def parse_policy(document: JsonValue, kind: PolicyKind = "any") -> Policy:
    """Parse a policy document as AWS stores it (a JSON string holding the document is accepted).

    ``kind`` adds the rules of where the policy is attached (Principal required or forbidden,
    Resource required); ``"any"`` checks only the grammar common to all policies. Strict: the
    first fault raises :class:`PolicyError`.
    """
    return read_policy(document, kind)[0]


def read_policy(
    document: JsonValue, kind: PolicyKind = "any", *, lenient: bool = False
) -> tuple[Policy, tuple[PolicyProblem, ...]]:
    """The policy and the problems found in it: elements that match nothing.

    Strict (the default) raises :class:`PolicyError` on a fault and reports only what AWS accepts
    but no request can match (an action name holding a comma). ``lenient`` (for documents AWS
    already stores) raises only when the document is not a JSON object at all: an odd element,
    or a statement that cannot be understood, matches nothing and becomes a problem.
    """
    reader = _Reader(kind, lenient)
    return reader.policy(document), tuple(reader.problems)


class _Reader:
    """One reading of one document: the mode and the problems found so far."""

    def __init__(self, kind: PolicyKind, lenient: bool) -> None:
        self.kind = kind
        self.lenient = lenient
        self.problems: list[PolicyProblem] = []

    def fault(self, path: str, message: str) -> None:
        """Raise in strict mode; record in lenient mode (the caller then ignores the element)."""
        if not self.lenient:
            raise PolicyError(path, message)
        self.problems.append(PolicyProblem(path, f"{message}; ignored"))

    def policy(self, document: JsonValue) -> Policy:
        if isinstance(document, str):
            document = _load_text(document)
        if not isinstance(document, dict):
            raise PolicyError("", f"a policy must be a JSON object, not {json_kind(document)}")
        for key in document:
            if key not in _TOP_KEYS:
                self.fault(key, "unknown policy element")
        version = document.get("Version")
        if version is not None and (not isinstance(version, str) or version not in _VERSIONS):
            self.fault("Version", f"must be 2012-10-17 or 2008-10-17, not {version!r}")
            version = None
        policy_id = document.get("Id")
        if policy_id is not None and not isinstance(policy_id, str):
            self.fault("Id", "must be a string")
            policy_id = None
        raw = document.get("Statement")
        items: list[tuple[JsonValue, int, str]] = []
        if raw is None:
            self.fault("Statement", "is missing")
        elif isinstance(raw, dict):
            items = [(raw, 0, "Statement")]
        elif isinstance(raw, list):
            # An empty list is stored by AWS (an SCP without statements): it allows nothing.
            items = [(item, i, f"Statement[{i}]") for i, item in enumerate(raw)]
        else:
            self.fault("Statement", f"must be an object or a list, not {json_kind(raw)}")
        statements: list[Statement] = []
        for item, index, path in items:
            try:
                statements.append(_statement(item, index, path, self))
            except PolicyError as error:
                if not self.lenient:
                    raise
                where = error.path or path
                self.problems.append(PolicyProblem(where, f"{error.message}; this statement matches nothing"))
        return Policy(statements=tuple(statements), version=version, id=policy_id)


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


def _statement(raw: JsonValue, index: int, path: str, reader: _Reader) -> Statement:
    kind = reader.kind
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
    actions, not_actions = _actions(raw, path, reader)
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


def _actions(
    raw: dict[str, JsonValue], path: str, reader: _Reader
) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """Action or NotAction; in lenient mode an unreadable value is left out (it matches nothing)."""
    has, has_not = "Action" in raw, "NotAction" in raw
    if has and has_not:
        raise PolicyError(f"{path}.NotAction", "cannot be used together with Action")
    if not has and not has_not:
        raise PolicyError(f"{path}.Action", "is missing (a statement needs Action or NotAction)")
    name = "Action" if has else "NotAction"
    value = raw[name]
    where = f"{path}.{name}"
    items: list[tuple[JsonValue, str]]
    if isinstance(value, list):
        if not value:
            raise PolicyError(where, "is an empty list")
        items = [(item, f"{where}[{i}]") for i, item in enumerate(value)]
    elif isinstance(value, str):
        items = [(value, where)]
    else:
        raise PolicyError(where, f"must be a string or a list of strings, not {json_kind(value)}")
    found: list[str] = []
    for item, item_path in items:
        if not isinstance(item, str):
            reader.fault(item_path, f"must be a string, not {json_kind(item)}")
            continue
        if item != "*" and not _ACTION.match(item):
            reader.fault(item_path, f"{item!r} is not service:action or *")
            continue
        name_part = item.partition(":")[2]
        if item != "*" and (not name_part or not _ACTION_NAME.fullmatch(name_part)):
            reader.problems.append(
                PolicyProblem(item_path, f"{item!r} names no action ({_odd(name_part)}); it matches nothing")
            )
        found.append(item)
    values = tuple(found)
    return (values, None) if has else (None, values)


def _odd(name: str) -> str:
    """Why an action name AWS stores names no action."""
    if not name:
        return "nothing after the colon"
    if "," in name:
        return "a comma inside the name"
    if any(c.isspace() for c in name):
        return "whitespace inside the name"
    return "a character no action name has"


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
