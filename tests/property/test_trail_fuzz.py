"""Fuzzing the CloudTrail reader: any bytes or JSON give records or one clear TrailFileError."""

from __future__ import annotations

import gzip
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from iamscope.activity.cloudtrail import TrailFileError, decode_trail_file

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
_record_keys = st.sampled_from(
    ["eventID", "eventName", "eventSource", "userIdentity", "resources", "requestParameters", "readOnly"]
)
_recordish = st.dictionaries(_record_keys, _json, max_size=7)


def _ok(data: bytes) -> None:
    """Decoding returns records or raises TrailFileError with a message; nothing else escapes."""
    message = ""
    try:
        decoded = decode_trail_file(data)
    except TrailFileError as exc:
        message = str(exc)
        assert message
        return
    assert all(index >= 0 and reason for index, reason in decoded.skipped)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes(data: bytes) -> None:
    _ok(data)
    _ok(gzip.compress(data))
    _ok(b"\x1f\x8b" + data)


@settings(max_examples=200, deadline=None)
@given(_json)
def test_arbitrary_json(value: object) -> None:
    _ok(json.dumps(value).encode())
    _ok(json.dumps({"Records": value}).encode())
    _ok(json.dumps({"Events": value}).encode())
    _ok(json.dumps({"QueryResultRows": value}).encode())


@settings(max_examples=200, deadline=None)
@given(st.lists(_recordish, max_size=5))
def test_record_shaped_json(records: list[dict[str, object]]) -> None:
    _ok(json.dumps({"Records": records}).encode())
    _ok(json.dumps(records).encode())
    _ok(json.dumps({"Events": [{"CloudTrailEvent": json.dumps(r)} for r in records]}).encode())
