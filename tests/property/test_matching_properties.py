"""Hypothesis properties for wildcard, ARN and condition matching against simple reference models."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from iamscope.engine import compile_policy
from iamscope.engine.context import normalise_context
from iamscope.engine.matching import compile_action_pattern, compile_arn_pattern, compile_string_pattern
from iamscope.model.document import JsonValue

ALPHABET = "ab:/*?-"
text = st.text(alphabet="ab:/-", max_size=12)
pattern = st.text(alphabet=ALPHABET, max_size=10)


def reference_glob(pattern: str, value: str) -> bool:
    """Backtracking glob: '*' any run, '?' any one character."""
    if not pattern:
        return not value
    head = pattern[0]
    if head == "*":
        return any(reference_glob(pattern[1:], value[i:]) for i in range(len(value) + 1))
    if not value:
        return False
    return (head in ("?", value[0])) and reference_glob(pattern[1:], value[1:])


@given(pattern, text)
def test_string_like_matches_the_reference_glob(p: str, value: str) -> None:
    matcher = compile_string_pattern(p, False, wildcards=True)
    assert matcher(value, {}) == reference_glob(p, value)


@given(pattern, text)
def test_string_equals_is_exact(p: str, value: str) -> None:
    matcher = compile_string_pattern(p, False, wildcards=False)
    assert matcher(value, {}) == (p == value)


@given(st.text(alphabet="ab*?", max_size=6), st.text(alphabet="abAB", max_size=6))
def test_actions_match_case_insensitively(p: str, name: str) -> None:
    matcher = compile_action_pattern(f"s3:{p}")
    assert matcher(f"s3:{name}".lower()) == reference_glob(p.lower(), name.lower())
    assert compile_action_pattern(f"S3:{p.upper()}")(f"s3:{name}".lower()) == matcher(f"s3:{name}".lower())


segment = st.text(alphabet="ab-", max_size=4)
segment_pattern = st.text(alphabet="ab-*?", max_size=4)
resource = st.text(alphabet="ab-:/", max_size=8)


@given(
    st.lists(segment_pattern, min_size=4, max_size=4),
    st.text(alphabet="ab-:/*?", max_size=8),
    st.lists(segment, min_size=4, max_size=4),
    resource,
)
@settings(max_examples=300)
def test_arn_matching_is_per_segment(
    pattern_segments: list[str], pattern_resource: str, value_segments: list[str], value_resource: str
) -> None:
    p = "arn:" + ":".join(pattern_segments) + ":" + pattern_resource
    v = "arn:" + ":".join(value_segments) + ":" + value_resource
    expected = all(
        reference_glob(a, b) for a, b in zip(pattern_segments, value_segments, strict=True)
    ) and reference_glob(pattern_resource, value_resource)
    assert compile_arn_pattern(p, False)(v, {}) == expected


@given(segment, resource)
def test_arn_operators_keep_a_star_inside_its_segment(account: str, rest: str) -> None:
    # ArnLike: "Each of the six colon-delimited components of the ARN is checked separately".
    matcher = compile_arn_pattern("arn:aws:s3:*:" + account + ":" + rest, False)
    assert not matcher("arn:aws:s3:us:east:" + account + ":" + rest, {})


@given(segment, resource)
def test_in_resources_a_segment_final_star_may_span_colons(account: str, rest: str) -> None:
    # Resource element: "If the * wildcard is the last character of a resource ARN segment, it
    # can expand to match beyond the colon boundaries."
    resource_matcher = compile_arn_pattern("arn:aws:s3:*:" + rest, False, resource_element=True)
    assert resource_matcher("arn:aws:s3:us-east-1:" + account + ":" + rest, {})
    inner = compile_arn_pattern("arn:aws:s3:us*1:" + account + ":" + rest, False, resource_element=True)
    assert not inner("arn:aws:s3:us:x1:" + account + ":" + rest, {})


@given(st.text(alphabet="ab", max_size=5))
def test_arn_match_is_case_sensitive(name: str) -> None:
    matcher = compile_arn_pattern("arn:aws:s3:::" + name, False)
    assert matcher("arn:aws:s3:::" + name, {})
    if name:
        assert not matcher("arn:aws:s3:::" + name.upper(), {})


def _condition(operator: str, values: list[str], request: list[str] | str | None) -> bool:
    policy = compile_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {operator: {"k": list[JsonValue](values)}},
                }
            ],
        }
    )
    context = {} if request is None else {"k": request}
    return policy.statements[0].check("*", normalise_context(context))  # Resource "*": conditions decide


values_strategy = st.lists(st.sampled_from("abcd"), min_size=1, max_size=3)
request_strategy = st.one_of(
    st.none(), st.sampled_from("abcd"), st.lists(st.sampled_from("abcd"), max_size=3)
)


@given(values_strategy, request_strategy)
def test_negated_operator_is_the_complement_when_the_key_is_present(
    values: list[str], request: list[str] | str | None
) -> None:
    positive = _condition("StringEquals", values, request)
    negative = _condition("StringNotEquals", values, request)
    present = request is not None and request != []
    if present:
        assert negative == (not positive)
    else:
        assert (positive, negative) == (False, True)


@given(values_strategy, st.lists(st.sampled_from("abcd"), max_size=4))
def test_set_operators_follow_their_definitions(values: list[str], request: list[str]) -> None:
    assert _condition("ForAllValues:StringEquals", values, request) == all(v in values for v in request)
    assert _condition("ForAnyValue:StringEquals", values, request) == any(v in values for v in request)
    assert _condition("ForAllValues:StringNotEquals", values, request) == all(
        v not in values for v in request
    )
    assert _condition("ForAnyValue:StringNotEquals", values, request) == any(v not in values for v in request)


@given(values_strategy, request_strategy)
def test_if_exists_is_true_when_missing_and_plain_otherwise(
    values: list[str], request: list[str] | str | None
) -> None:
    plain = _condition("StringEquals", values, request)
    if_exists = _condition("StringEqualsIfExists", values, request)
    if request is None or request == []:
        assert if_exists
    else:
        assert if_exists == plain


@given(st.text(alphabet="abc-", min_size=1, max_size=6))
def test_string_like_variable_value_is_literal(name: str) -> None:
    assert re.fullmatch(r"[abc-]+", name)
    matcher = compile_string_pattern("home/${aws:username}/*", True, wildcards=True)
    assert matcher(f"home/{name}/file", {"aws:username": name})
    assert not matcher(f"home/{name}x/file", {"aws:username": name})
    assert not matcher(f"home/{name}/file", {})
