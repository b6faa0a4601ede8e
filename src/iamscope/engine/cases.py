"""The decision-cases batch format (shared/spec/decision-cases.md): one JSON case in, a result out.

Pure: the caller reads lines; this module turns one parsed case into a request and a policy set,
evaluates it, and returns the output object. Errors name the JSON path of the fault.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import cast

from iamscope.engine.compiled import CompiledPolicy, compile_policy
from iamscope.engine.evaluate import Decision, PolicySet, Request, RequestError, evaluate, resource_owner
from iamscope.engine.parse import PolicyError, PolicyKind
from iamscope.engine.principal import parse_principal
from iamscope.model.document import JsonObject, JsonValue, json_syntax_fault

__all__ = ["CaseError", "CaseResult", "case_resource_account", "load_case", "run_case", "run_case_line"]

_CACHE_LIMIT = 4096


class CaseError(ValueError):
    """A case that cannot be evaluated; the message carries the JSON path."""


@dataclass(frozen=True, slots=True)
class CaseResult:
    """The outcome of one case: a decision, or an error message."""

    case_id: JsonValue
    decision: Decision | None = None
    error: str | None = None
    expect: JsonValue = None

    def to_json(self, explain: bool) -> JsonObject:
        """The output line of the batch format."""
        if self.decision is None:
            return {"id": self.case_id, "error": self.error}
        out: JsonObject = {"id": self.case_id, "decision": self.decision.decision}
        if explain:
            out["explanation"] = cast(JsonValue, self.decision.explanation.to_json())
        return out


class _PolicyCache:
    """Compiled policies by their JSON text: batch files repeat the same policies many times."""

    def __init__(self) -> None:
        self._compiled: dict[str, CompiledPolicy] = {}

    def get(self, document: JsonValue, name: str, path: str, kind: PolicyKind) -> CompiledPolicy:
        key = f"{kind}\0{name}\0{json.dumps(document, sort_keys=True)}"
        found = self._compiled.get(key)
        if found is not None:
            return found
        try:
            compiled = compile_policy(document, name, kind)
        except PolicyError as error:
            where = f"{path}.{error.path}" if error.path else path
            raise CaseError(f"{where}: {error.message}") from None
        if len(self._compiled) >= _CACHE_LIMIT:
            self._compiled.clear()
        self._compiled[key] = compiled
        return compiled


_CACHE = _PolicyCache()


def _policy_list(value: JsonValue, path: str, name: str, kind: PolicyKind) -> list[CompiledPolicy]:
    if not isinstance(value, list):
        raise CaseError(f"{path}: must be a list of policies")
    return [_CACHE.get(item, f"{name}#{i}", f"{path}[{i}]", kind) for i, item in enumerate(value)]


def _levels(value: JsonValue, path: str, name: str, kind: PolicyKind) -> list[list[CompiledPolicy]]:
    if not isinstance(value, list):
        raise CaseError(f"{path}: must be a list of levels, each a list of policies")
    return [_policy_list(level, f"{path}[{i}]", f"{name}[{i}]", kind) for i, level in enumerate(value)]


def _string(value: JsonValue, path: str, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise CaseError(f"{path}: must be a string")
    return value


def case_resource_account(principal: str, resource: str, given: str | None) -> str | None:
    """The resource account as the cases format defines it: as given, else from the ARN, else (an
    S3 ARN carries none) the principal's account. The engine itself never assumes the last."""
    if given:
        return given
    caller = parse_principal(principal)
    return resource_owner(resource, caller.account if caller is not None else None)


def load_case(case: JsonValue) -> tuple[JsonValue, Request, PolicySet]:
    """Turn one case object into its id, request and compiled policies."""
    if not isinstance(case, dict):
        raise CaseError("a case must be a JSON object")
    request_raw = case.get("request")
    if not isinstance(request_raw, dict):
        raise CaseError("request: must be an object")
    context_raw = request_raw.get("context", {})
    if not isinstance(context_raw, dict):
        raise CaseError("request.context: must be an object")
    context: dict[str, str | list[str]] = {}
    for key, value in context_raw.items():
        if isinstance(value, str):
            context[key] = value
        elif isinstance(value, bool):
            context[key] = "true" if value else "false"
        elif isinstance(value, int | float):
            context[key] = json.dumps(value)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            context[key] = [str(v) for v in value]
        else:
            raise CaseError(f"request.context.{key}: must be a string or a list of strings")
    principal = cast(str, _string(request_raw.get("principal"), "request.principal"))
    resource = cast(str, _string(request_raw.get("resource", "*"), "request.resource"))
    given_account = _string(request_raw.get("resource_account"), "request.resource_account", required=False)
    request = Request(
        principal=principal,
        action=cast(str, _string(request_raw.get("action"), "request.action")),
        resource=resource,
        resource_account=case_resource_account(principal, resource, given_account),
        context=context,
    )
    management = _string(request_raw.get("management_account"), "request.management_account", required=False)
    raw = case.get("policies", {})
    if not isinstance(raw, dict):
        raise CaseError("policies: must be an object")
    known = {"identity", "permissions_boundary", "session", "resource_policy", "scps", "rcps", "vpc_endpoint"}
    for key in raw:
        if key not in known:
            raise CaseError(f"policies.{key}: unknown policy type")
    boundary_raw = raw.get("permissions_boundary")
    boundary: list[CompiledPolicy] | None = None
    if boundary_raw is not None:
        if isinstance(boundary_raw, list):
            boundary = _policy_list(boundary_raw, "policies.permissions_boundary", "boundary", "boundary")
        else:
            boundary = [_CACHE.get(boundary_raw, "boundary", "policies.permissions_boundary", "boundary")]
    session_raw = raw.get("session")
    resource_raw = raw.get("resource_policy")
    policies = PolicySet(
        identity=_policy_list(raw.get("identity", []), "policies.identity", "identity", "identity"),
        permissions_boundary=boundary,
        session=None
        if session_raw is None
        else _CACHE.get(session_raw, "session", "policies.session", "session"),
        resource=(
            None
            if resource_raw is None
            else _CACHE.get(resource_raw, "resource-policy", "policies.resource_policy", "resource")
        ),
        scps=None if raw.get("scps") is None else _levels(raw.get("scps"), "policies.scps", "scp", "scp"),
        rcps=None if raw.get("rcps") is None else _levels(raw.get("rcps"), "policies.rcps", "rcp", "rcp"),
        vpc_endpoint=_policy_list(
            raw.get("vpc_endpoint", []), "policies.vpc_endpoint", "vpc-endpoint", "vpc-endpoint"
        ),
        management_account=management,
    )
    return case.get("id"), request, policies


def run_case(case: JsonValue) -> CaseResult:
    """Evaluate one parsed case; faults become an error result, never an exception."""
    case_id = case.get("id") if isinstance(case, dict) else None
    expect = case.get("expect") if isinstance(case, dict) else None
    try:
        case_id, request, policies = load_case(case)
        return CaseResult(case_id, decision=evaluate(request, policies), expect=expect)
    except (CaseError, RequestError) as error:
        return CaseResult(case_id, error=str(error), expect=expect)


def run_case_line(line: str | bytes) -> CaseResult:
    """Evaluate one JSON line of a cases file."""
    try:
        case: JsonValue = json.loads(line)
    except json.JSONDecodeError as error:
        return CaseResult(None, error=json_syntax_fault(error))
    except UnicodeDecodeError:
        return CaseResult(None, error="not valid UTF-8 text")
    return run_case(case)
