"""Fuzz the policy parser and the case runner: arbitrary JSON gives a clear error, never a traceback."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from iamscope.engine import PolicyError, compile_policy
from iamscope.engine.cases import run_case, run_case_line
from iamscope.model.document import JsonValue

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8))
keys = st.sampled_from(
    [
        "Version",
        "Statement",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "Principal",
        "Condition",
        "AWS",
        "Sid",
        "StringLike",
        "x",
    ]
)
json_values = st.recursive(
    st.one_of(scalars, st.sampled_from(["2012-10-17", "Allow", "Deny", "*", "s3:Get*", "arn:aws:s3:::b/*"])),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(keys, children, max_size=4)),
    max_leaves=20,
)


@given(json_values)
@settings(max_examples=400)
def test_compile_policy_raises_only_policy_error(document: JsonValue) -> None:
    try:
        compile_policy(document)
    except PolicyError as error:
        message = str(error)
    else:
        message = "ok"
    assert message


@given(json_values)
@settings(max_examples=200)
def test_cases_never_raise(case: JsonValue) -> None:
    result = run_case(case)
    assert (result.decision is None) != (result.error is None)


@given(st.binary(max_size=64))
def test_case_lines_of_arbitrary_bytes_never_raise(line: bytes) -> None:
    result = run_case_line(line)
    assert result.error is not None or result.decision is not None


def test_a_valid_case_runs() -> None:
    line = json.dumps(
        {
            "id": "x",
            "request": {
                "principal": "arn:aws:iam::111122223333:user/a",
                "action": "s3:GetObject",
                "resource": "arn:aws:s3:::b/k",
            },
            "policies": {
                "identity": [
                    {
                        "Version": "2012-10-17",
                        "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                    }
                ]
            },
        }
    )
    result = run_case_line(line)
    assert result.decision is not None
    assert result.decision.decision == "allowed"


DENY_S3: dict[str, JsonValue] = {"Sid": "Guard", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}


@given(json_values, st.sampled_from(["identity", "scp", "resource", "any"]))
@settings(max_examples=300)
def test_lenient_compile_keeps_a_readable_deny_beside_any_odd_statement(odd: JsonValue, kind: str) -> None:
    deny = {**DENY_S3, "Principal": "*"} if kind == "resource" else DENY_S3
    document: JsonValue = {"Version": "2012-10-17", "Statement": [odd, deny]}
    compiled = compile_policy(document, "p", kind, lenient=True)  # type: ignore[arg-type]
    found = compiled.for_action("s3:deletebucket")
    assert any(s.deny and s.statement.sid == "Guard" for s in found)
    for problem in compiled.problems:
        assert problem.path.startswith("Statement[0]")


@given(json_values)
@settings(max_examples=300)
def test_lenient_compile_raises_only_for_a_document_that_is_not_an_object(document: JsonValue) -> None:
    try:
        compile_policy(document, lenient=True)
    except PolicyError:
        assert not isinstance(document, dict)
