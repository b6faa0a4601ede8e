"""Condition operators as a table: each family knows how to read policy values and compare them.

A condition (operator, key, values) compiles once into a :class:`CompiledCondition`. The generic
rules live in one place (:meth:`CompiledCondition.evaluate`): missing keys, ``...IfExists``,
``ForAllValues``/``ForAnyValue`` and negation (NOR across the policy values).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Literal

from iamscope.engine.matching import (
    ContextValue,
    StringMatcher,
    compile_arn_pattern,
    compile_string_pattern,
)

__all__ = [
    "OPERATORS",
    "CompiledCondition",
    "ConditionValueError",
    "OperatorSpec",
    "compile_condition",
    "parse_operator",
]

# A value matcher answers: does this one request value match ANY of the policy values?
ValueMatcher = Callable[[str, Mapping[str, ContextValue]], bool]
Builder = Callable[[tuple[str, ...], bool], ValueMatcher]
SetQualifier = Literal["ForAllValues", "ForAnyValue"] | None


class ConditionValueError(ValueError):
    """A policy value that the operator cannot read (the parser adds the JSON path)."""


@dataclass(frozen=True, slots=True)
class OperatorSpec:
    """One row of the operator table."""

    name: str
    family: str
    negated: bool
    build: Builder


def _any(matchers: list[StringMatcher]) -> ValueMatcher:
    if len(matchers) == 1:
        return matchers[0]
    return lambda value, context: any(m(value, context) for m in matchers)


def _strings(*, wildcards: bool, ignore_case: bool = False) -> Builder:
    def build(values: tuple[str, ...], variables: bool) -> ValueMatcher:
        has_vars = variables and any("${" in v for v in values)
        if not wildcards and not has_vars:
            if ignore_case:
                folded = frozenset(v.lower() for v in values)
                return lambda value, _context: value.lower() in folded
            exact = frozenset(values)
            return lambda value, _context: value in exact
        return _any(
            [
                compile_string_pattern(v, variables, wildcards=wildcards, ignore_case=ignore_case)
                for v in values
            ]
        )

    return build


def _arns(values: tuple[str, ...], variables: bool) -> ValueMatcher:
    return _any([compile_arn_pattern(v, variables) for v in values])


def _read_number(text: str) -> Decimal | None:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


_Compare = Callable[[Decimal, Decimal], bool]
_COMPARE: dict[str, _Compare] = {
    "eq": lambda a, b: a == b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
}


def _numbers(compare: str) -> Builder:
    check = _COMPARE[compare]

    def build(values: tuple[str, ...], _variables: bool) -> ValueMatcher:
        limits: list[Decimal] = []
        for raw in values:
            number = _read_number(raw)
            if number is None:
                raise ConditionValueError(f"{raw!r} is not a number")
            limits.append(number)

        def match(value: str, _context: Mapping[str, ContextValue]) -> bool:
            number = _read_number(value)
            return number is not None and any(check(number, limit) for limit in limits)

        return match

    return build


_EPOCH = re.compile(r"^-?\d+(\.\d+)?$")


def read_date(text: str) -> Decimal | None:
    """Seconds since the epoch for an ISO 8601 date/time or an epoch number; None if neither."""
    text = text.strip()
    if _EPOCH.match(text):
        # Epoch values in milliseconds are documented too (13 digits): scale them down.
        number = Decimal(text)
        return number / 1000 if len(text.split(".")[0].lstrip("-")) >= 13 else number
    candidate = text.replace("z", "Z")
    if candidate.endswith("Z"):
        candidate = candidate[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds = moment.timestamp()
    if not math.isfinite(seconds):
        return None
    return Decimal(str(seconds))


def _dates(compare: str) -> Builder:
    check = _COMPARE[compare]

    def build(values: tuple[str, ...], _variables: bool) -> ValueMatcher:
        limits: list[Decimal] = []
        for raw in values:
            moment = read_date(raw)
            if moment is None:
                raise ConditionValueError(f"{raw!r} is not an ISO 8601 date or epoch time")
            limits.append(moment)

        def match(value: str, _context: Mapping[str, ContextValue]) -> bool:
            moment = read_date(value)
            return moment is not None and any(check(moment, limit) for limit in limits)

        return match

    return build


def _bools(values: tuple[str, ...], _variables: bool) -> ValueMatcher:
    wanted = frozenset(v.strip().lower() for v in values)
    for value in wanted:
        if value not in ("true", "false"):
            raise ConditionValueError(f"{value!r} is not true or false")
    return lambda value, _context: value.strip().lower() in wanted


def _decode(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def _binaries(values: tuple[str, ...], _variables: bool) -> ValueMatcher:
    wanted: set[bytes] = set()
    for raw in values:
        decoded = _decode(raw)
        if decoded is None:
            raise ConditionValueError(f"{raw!r} is not base64")
        wanted.add(decoded)

    def match(value: str, _context: Mapping[str, ContextValue]) -> bool:
        decoded = _decode(value)
        return decoded is not None and decoded in wanted

    return match


_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _ips(values: tuple[str, ...], _variables: bool) -> ValueMatcher:
    networks: list[_Network] = []
    for raw in values:
        try:
            networks.append(ipaddress.ip_network(raw.strip(), strict=False))
        except ValueError as error:
            raise ConditionValueError(f"{raw!r} is not an IP address or CIDR block") from error

    def match(value: str, _context: Mapping[str, ContextValue]) -> bool:
        try:
            address = ipaddress.ip_address(value.strip())
        except ValueError:
            try:
                block = ipaddress.ip_network(value.strip(), strict=False)
            except ValueError:
                return False
            return any(
                block.version == n.version and block.subnet_of(n)  # type: ignore[arg-type]
                for n in networks
            )
        return any(address.version == n.version and address in n for n in networks)

    return match


def _null(values: tuple[str, ...], _variables: bool) -> ValueMatcher:
    for value in values:
        if value.strip().lower() not in ("true", "false"):
            raise ConditionValueError(f"Null takes true or false, not {value!r}")
    return lambda _value, _context: False  # Null is decided in CompiledCondition.evaluate


def _table() -> dict[str, OperatorSpec]:
    rows = [
        OperatorSpec("StringEquals", "String", False, _strings(wildcards=False)),
        OperatorSpec("StringNotEquals", "String", True, _strings(wildcards=False)),
        OperatorSpec("StringEqualsIgnoreCase", "String", False, _strings(wildcards=False, ignore_case=True)),
        OperatorSpec(
            "StringNotEqualsIgnoreCase", "String", True, _strings(wildcards=False, ignore_case=True)
        ),
        OperatorSpec("StringLike", "String", False, _strings(wildcards=True)),
        OperatorSpec("StringNotLike", "String", True, _strings(wildcards=True)),
        OperatorSpec("NumericEquals", "Numeric", False, _numbers("eq")),
        OperatorSpec("NumericNotEquals", "Numeric", True, _numbers("eq")),
        OperatorSpec("NumericLessThan", "Numeric", False, _numbers("lt")),
        OperatorSpec("NumericLessThanEquals", "Numeric", False, _numbers("le")),
        OperatorSpec("NumericGreaterThan", "Numeric", False, _numbers("gt")),
        OperatorSpec("NumericGreaterThanEquals", "Numeric", False, _numbers("ge")),
        OperatorSpec("DateEquals", "Date", False, _dates("eq")),
        OperatorSpec("DateNotEquals", "Date", True, _dates("eq")),
        OperatorSpec("DateLessThan", "Date", False, _dates("lt")),
        OperatorSpec("DateLessThanEquals", "Date", False, _dates("le")),
        OperatorSpec("DateGreaterThan", "Date", False, _dates("gt")),
        OperatorSpec("DateGreaterThanEquals", "Date", False, _dates("ge")),
        OperatorSpec("Bool", "Bool", False, _bools),
        OperatorSpec("BinaryEquals", "Binary", False, _binaries),
        OperatorSpec("IpAddress", "IpAddress", False, _ips),
        OperatorSpec("NotIpAddress", "IpAddress", True, _ips),
        OperatorSpec("ArnEquals", "Arn", False, _arns),
        OperatorSpec("ArnLike", "Arn", False, _arns),
        OperatorSpec("ArnNotEquals", "Arn", True, _arns),
        OperatorSpec("ArnNotLike", "Arn", True, _arns),
        OperatorSpec("Null", "Null", False, _null),
    ]
    return {row.name.lower(): row for row in rows}


OPERATORS: Mapping[str, OperatorSpec] = _table()
_VARIABLE_FAMILIES = frozenset({"String", "Arn"})


@dataclass(frozen=True, slots=True)
class ParsedOperator:
    """An operator name taken apart: set qualifier, table row and IfExists."""

    qualifier: SetQualifier
    spec: OperatorSpec
    if_exists: bool

    @property
    def canonical(self) -> str:
        """The operator spelled as AWS documents it."""
        prefix = f"{self.qualifier}:" if self.qualifier else ""
        return f"{prefix}{self.spec.name}{'IfExists' if self.if_exists else ''}"


def parse_operator(name: str) -> ParsedOperator | None:
    """Read an operator name such as ``ForAnyValue:StringLikeIfExists``; None when unknown."""
    qualifier: SetQualifier = None
    base = name
    head, sep, rest = name.partition(":")
    if sep:
        lowered = head.lower()
        if lowered == "forallvalues":
            qualifier = "ForAllValues"
        elif lowered == "foranyvalue":
            qualifier = "ForAnyValue"
        else:
            return None
        base = rest
    if_exists = False
    spec = OPERATORS.get(base.lower())
    if spec is None and base.lower().endswith("ifexists"):
        spec = OPERATORS.get(base[: -len("IfExists")].lower())
        if_exists = True
        if spec is not None and spec.family == "Null":
            return None  # NullIfExists does not exist
    if spec is None:
        return None
    return ParsedOperator(qualifier, spec, if_exists)


Check = Callable[[Mapping[str, ContextValue]], bool]


@dataclass(frozen=True, slots=True)
class CompiledCondition:
    """One operator/key pair ready to evaluate against a request context."""

    operator: ParsedOperator
    key: str  # lower-cased
    values: tuple[str, ...]
    evaluate: Check  # True when the request context satisfies this condition


def _rules(operator: ParsedOperator, key: str, values: tuple[str, ...], match: ValueMatcher) -> Check:
    """The generic rules, specialised once per condition so evaluation does no dispatch.

    Missing key (or empty set): ``...IfExists`` and ``ForAllValues`` are true, ``ForAnyValue`` is
    false, a negated operator is true, any other is false. Present key: ``ForAllValues`` needs every
    request value to pass, ``ForAnyValue`` one; without a set operator any matching request value
    counts, and a negated operator is the NOR of its values.
    """
    spec = operator.spec
    qualifier = operator.qualifier
    negated = spec.negated
    if spec.family == "Null":
        wants_absent = {v.strip().lower() == "true" for v in values}

        def null(context: Mapping[str, ContextValue]) -> bool:
            raw = context.get(key)
            return (raw is None or raw == ()) in wants_absent

        return null
    if qualifier is None:
        when_missing = operator.if_exists or negated

        def plain(context: Mapping[str, ContextValue]) -> bool:
            raw = context.get(key)
            if raw is None:
                return when_missing
            if isinstance(raw, str):
                hit = match(raw, context)
            elif raw:
                hit = any(match(v, context) for v in raw)
            else:
                return when_missing
            return not hit if negated else hit

        return plain
    if qualifier == "ForAllValues":

        def for_all(context: Mapping[str, ContextValue]) -> bool:
            raw = context.get(key)
            if raw is None or raw == ():
                return True
            request = (raw,) if isinstance(raw, str) else raw
            if negated:
                return not any(match(v, context) for v in request)
            return all(match(v, context) for v in request)

        return for_all
    when_missing_any = operator.if_exists

    def for_any(context: Mapping[str, ContextValue]) -> bool:
        raw = context.get(key)
        if raw is None or raw == ():
            return when_missing_any
        request = (raw,) if isinstance(raw, str) else raw
        if negated:
            return not all(match(v, context) for v in request)
        return any(match(v, context) for v in request)

    return for_any


def compile_condition(
    operator: ParsedOperator, key: str, values: tuple[str, ...], variables: bool
) -> CompiledCondition:
    """Build the matcher for one condition; raises ConditionValueError for unreadable values."""
    use_variables = variables and operator.spec.family in _VARIABLE_FAMILIES
    matcher = operator.spec.build(values, use_variables)
    lowered = key.lower()
    # A value whose variable has no value in the request is effectively null: it matches nothing,
    # so a positive operator fails on it and a negated one (NOR) succeeds (reference_policies_variables).
    check = _rules(operator, lowered, values, matcher)
    return CompiledCondition(operator, lowered, values, check)
