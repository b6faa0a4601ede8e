"""Pattern matching as IAM does it: actions, ARNs (per segment) and strings, with policy variables.

Patterns compile once into matchers; a pattern with policy variables compiles a template that is
resolved against each request's context (a variable whose key is absent makes it not match).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = [
    "ContextValue",
    "Template",
    "compile_action_pattern",
    "compile_arn_pattern",
    "compile_string_pattern",
    "glob_regex",
    "parse_template",
]

ContextValue = str | tuple[str, ...]

# ${key} or ${key, 'default'}; the special ${*}, ${?} and ${$} stand for the literal characters.
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"^\s*([^,]+?)\s*,\s*'([^']*)'\s*$")
_LITERALS = {"*": "*", "?": "?", "$": "$"}


@dataclass(frozen=True, slots=True)
class _Variable:
    key: str  # lower-cased context key
    default: str | None


_Part = str | _Variable


@dataclass(frozen=True, slots=True)
class Template:
    """A pattern split into literal text and policy variables."""

    parts: tuple[_Part, ...]

    @property
    def has_variables(self) -> bool:
        """Whether any part must be resolved from the request context."""
        return any(isinstance(p, _Variable) for p in self.parts)

    def resolve(self, context: Mapping[str, ContextValue]) -> tuple[str, ...] | None:
        """Resolved variable values in order (None when one cannot be resolved)."""
        values: list[str] = []
        for part in self.parts:
            if isinstance(part, _Variable):
                value = context.get(part.key)
                if isinstance(value, str):
                    values.append(value)
                elif part.default is not None:
                    values.append(part.default)
                else:
                    # Absent keys (and multivalued keys, which cannot be variables) do not match.
                    return None
        return tuple(values)


def parse_template(pattern: str, variables: bool) -> Template:
    """Split ``pattern`` into literals and ``${...}`` variables (all literal when not ``variables``).

    ``${*}``, ``${?}`` and ``${$}`` become escaped literal characters, marked by a NUL prefix that
    the glob compiler honours; they never act as wildcards.
    """
    if not variables or "${" not in pattern:
        return Template((pattern,))
    parts: list[_Part] = []
    position = 0
    for match in _VARIABLE.finditer(pattern):
        if match.start() > position:
            parts.append(pattern[position : match.start()])
        body = match.group(1)
        if body in _LITERALS:
            parts.append("\0" + _LITERALS[body])
        else:
            default_match = _DEFAULT.match(body)
            if default_match:
                parts.append(_Variable(default_match.group(1).lower(), default_match.group(2)))
            else:
                parts.append(_Variable(body.strip().lower(), None))
        position = match.end()
    if position < len(pattern):
        parts.append(pattern[position:])
    return Template(tuple(parts))


def glob_regex(text: str, star: str = ".*", single: str = ".") -> str:
    """Regex source for an IAM glob: ``*`` and ``?`` are wildcards, NUL-prefixed chars are literal."""
    out: list[str] = []
    literal_next = False
    for char in text:
        if literal_next:
            out.append(re.escape(char))
            literal_next = False
        elif char == "\0":
            literal_next = True
        elif char == "*":
            out.append(star)
        elif char == "?":
            out.append(single)
        else:
            out.append(re.escape(char))
    return "".join(out)


StringMatcher = Callable[[str, Mapping[str, ContextValue]], bool]


# What an action name (or pattern) can hold; anything else (a comma, whitespace) names no action.
_ACTION_PATTERN = re.compile(r"[a-z0-9*?_.-]+:[a-z0-9*?_.-]*")


def compile_action_pattern(pattern: str) -> Callable[[str], bool]:
    """Matcher for one Action value; the argument is a lower-cased ``service:action``.

    A value AWS stores but that names no action (``s3:GetObject,PutObject``, ``s3: GetObject``)
    matches no request, so in NotAction it excludes nothing.
    """
    lowered = pattern.lower()
    if lowered == "*":
        return lambda _action: True
    if not _ACTION_PATTERN.fullmatch(lowered):
        return lambda _action: False
    if "*" not in lowered and "?" not in lowered:
        return lambda action: action == lowered
    regex = re.compile(glob_regex(lowered), re.DOTALL)
    return lambda action: regex.fullmatch(action) is not None


def _segment_regex(segment: str, trailing_star_spans: bool) -> str:
    if trailing_star_spans and segment.endswith("*") and not segment.endswith("\0*"):
        return glob_regex(segment[:-1], "[^:]*", "[^:]") + ".*"
    return glob_regex(segment, "[^:]*", "[^:]")


def _arn_regex(text: str, trailing_star_spans: bool) -> str:
    """ARN glob: wildcards stay inside their colon-separated segment, except (in the Resource
    element) a ``*`` that ends a segment, which "can expand to match beyond the colon boundaries"
    (reference_policies_elements_resource.html)."""
    segments = _split_unescaped(text)
    last = 5 if len(segments) >= 6 else len(segments) - 1
    head = [_segment_regex(s, trailing_star_spans) for s in segments[:last]]
    return ":".join([*head, glob_regex(segments[last])])


def _split_unescaped(text: str) -> list[str]:
    """Split on the first five ':' that are not NUL-escaped literals."""
    segments: list[str] = []
    current: list[str] = []
    escaped = False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\0":
            current.append(char)
            escaped = True
        elif char == ":" and len(segments) < 5:
            segments.append("".join(current))
            current = []
        else:
            current.append(char)
    segments.append("".join(current))
    return segments


def _compile_template(
    pattern: str, variables: bool, to_regex: Callable[[str], str], flags: int
) -> StringMatcher:
    template = parse_template(pattern, variables)
    if not template.has_variables:
        text = "".join(template.parts)  # type: ignore[arg-type]  # no variables: all str
        if "*" not in text and "?" not in text and "\0" not in text:
            if flags & re.IGNORECASE:
                folded = text.lower()
                return lambda value, _context: value.lower() == folded
            return lambda value, _context: value == text
        regex = re.compile(to_regex(text), flags | re.DOTALL)
        return lambda value, _context: regex.fullmatch(value) is not None
    cache: dict[tuple[str, ...], re.Pattern[str]] = {}

    def matcher(value: str, context: Mapping[str, ContextValue]) -> bool:
        resolved = template.resolve(context)
        if resolved is None:
            return False
        compiled = cache.get(resolved)
        if compiled is None:
            pieces: list[str] = []
            values = iter(resolved)
            for part in template.parts:
                if isinstance(part, _Variable):
                    # A substituted value is literal text, never a wildcard.
                    pieces.append("".join("\0" + c for c in next(values)))
                else:
                    pieces.append(part)
            compiled = re.compile(to_regex("".join(pieces)), flags | re.DOTALL)
            if len(cache) < 4096:
                cache[resolved] = compiled
        return compiled.fullmatch(value) is not None

    return matcher


def compile_arn_pattern(pattern: str, variables: bool, *, resource_element: bool = False) -> StringMatcher:
    """Matcher for a Resource value (``resource_element``) or an Arn* condition value.

    Case-sensitive and per segment; Arn* operators check "each of the six colon-delimited
    components separately", while in the Resource element a segment-final ``*`` may span colons.
    """
    if pattern == "*":
        return lambda _value, _context: True

    def to_regex(text: str) -> str:
        return _arn_regex(text, resource_element)

    return _compile_template(pattern, variables, to_regex, 0)


def compile_string_pattern(
    pattern: str, variables: bool, *, wildcards: bool, ignore_case: bool = False
) -> StringMatcher:
    """Matcher for a String* condition value (``wildcards`` for StringLike)."""
    if wildcards:
        to_regex: Callable[[str], str] = glob_regex
    else:

        def to_regex(text: str) -> str:
            return "".join(re.escape(c) for c in text.replace("\0", ""))

        if "${" not in pattern or not variables:
            if ignore_case:
                folded = pattern.lower()
                return lambda value, _context: value.lower() == folded
            return lambda value, _context: value == pattern
    return _compile_template(pattern, variables, to_regex, re.IGNORECASE if ignore_case else 0)
