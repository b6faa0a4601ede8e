"""CloudTrail readers: every file shape a user may hold, decoded file by file into typed records.

Accepted: delivery files (``{"Records": [...]}``, plain or gzip), bare JSON arrays of records,
Event history / ``lookup-events`` output (``{"Events": [{"CloudTrailEvent": "..."}]}``), and
CloudTrail Lake ``get-query-results`` output (``{"QueryResultRows": [[{"col": "value"}, ...]]}``).
Gzip is recognised by its magic bytes, not by the file name. A record with an unexpected shape is
skipped and reported with its index; a file that cannot be read at all raises :class:`TrailFileError`.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import msgspec
from isal import igzip

from iamscope.activity.records import (
    Delivery,
    LakeResults,
    LookupResults,
    Record,
)

__all__ = ["DecodedFile", "TrailFileError", "decode_trail_file"]

_GZIP_MAGIC = b"\x1f\x8b"
_GUNZIP = cast(Callable[[bytes], bytes], igzip.decompress)  # isal's decompress has no type hints


class TrailFileError(Exception):
    """A file that is not a readable CloudTrail file (corrupt, truncated, or another JSON shape)."""


@dataclass(frozen=True, slots=True)
class DecodedFile:
    """The records of one file, its shape, and the records that had to be skipped (index, reason)."""

    records: list[Record]
    shape: str
    skipped: tuple[tuple[int, str], ...] = ()


class _RawDelivery(msgspec.Struct, frozen=True, gc=False):
    Records: list[msgspec.Raw]


_ABSENT = msgspec.Raw(b"")


class _Envelope(msgspec.Struct, frozen=True, gc=False):
    """Which top-level keys a JSON object has, without decoding their contents."""

    Records: msgspec.Raw = _ABSENT
    Events: msgspec.Raw = _ABSENT
    QueryResultRows: msgspec.Raw = _ABSENT


_DELIVERY = msgspec.json.Decoder(Delivery)
_RECORDS = msgspec.json.Decoder(list[Record])
_RECORD = msgspec.json.Decoder(Record)
_RAW_DELIVERY = msgspec.json.Decoder(_RawDelivery)
_RAW_LIST = msgspec.json.Decoder(list[msgspec.Raw])
_ENVELOPE = msgspec.json.Decoder(_Envelope)
_LOOKUP = msgspec.json.Decoder(LookupResults)
_LAKE = msgspec.json.Decoder(LakeResults)


def decompress(data: bytes) -> bytes:
    """Gunzip ``data`` when it starts with the gzip magic bytes (isal: close to zcat speed)."""
    if data[:2] != _GZIP_MAGIC:
        return data
    try:
        return _GUNZIP(data)
    except (OSError, EOFError, zlib.error, ValueError) as exc:
        raise TrailFileError(f"not a readable gzip file ({exc})") from exc


def decode_trail_file(data: bytes) -> DecodedFile:
    """Decode one file's bytes (gzip or not) into records; raises :class:`TrailFileError`."""
    text = decompress(data)
    start = text.lstrip()[:1]
    if start == b"[":
        return _decode_array(text)
    if start != b"{":
        raise TrailFileError("not a JSON CloudTrail file (expected an object or an array)")
    try:
        return DecodedFile(_DELIVERY.decode(text).Records, "delivery")
    except msgspec.ValidationError:
        pass  # not a clean delivery file: look at its shape, then go record by record
    except msgspec.DecodeError as exc:
        raise TrailFileError(f"malformed or truncated JSON ({exc})") from exc
    try:
        msgspec.json.decode(text)  # well-formed at all? (validation may stop before the end)
    except msgspec.DecodeError as exc:
        raise TrailFileError(f"malformed or truncated JSON ({exc})") from exc
    envelope = _ENVELOPE.decode(text)  # the typed pass above proved the JSON well-formed
    if bytes(envelope.Records):
        try:
            raw = _RAW_DELIVERY.decode(text).Records
        except msgspec.ValidationError as exc:
            raise TrailFileError(f"'Records' is not a list of records ({exc})") from exc
        return _decode_each(raw, "delivery")
    if bytes(envelope.Events):
        return _decode_lookup(text)
    if bytes(envelope.QueryResultRows):
        return _decode_lake(text)
    raise TrailFileError(
        "a JSON object without 'Records', 'Events' or 'QueryResultRows': not a CloudTrail file"
    )


def _decode_array(text: bytes) -> DecodedFile:
    try:
        return DecodedFile(_RECORDS.decode(text), "array")
    except msgspec.ValidationError:
        pass  # some element is not a record: go element by element
    except msgspec.DecodeError as exc:
        raise TrailFileError(f"malformed or truncated JSON ({exc})") from exc
    try:
        raw = _RAW_LIST.decode(text)
    except msgspec.DecodeError as exc:
        raise TrailFileError(f"malformed or truncated JSON ({exc})") from exc
    return _decode_each(raw, "array")


def _decode_each(raw: list[msgspec.Raw], shape: str) -> DecodedFile:
    records: list[Record] = []
    skipped: list[tuple[int, str]] = []
    for index, item in enumerate(raw):
        try:
            records.append(_RECORD.decode(item))
        except msgspec.ValidationError as exc:
            skipped.append((index, str(exc)))
    return DecodedFile(records, shape, tuple(skipped))


def _decode_lookup(text: bytes) -> DecodedFile:
    try:
        events = _LOOKUP.decode(text).Events
    except msgspec.ValidationError as exc:
        raise TrailFileError(f"'Events' is not lookup-events output ({exc})") from exc
    records: list[Record] = []
    skipped: list[tuple[int, str]] = []
    for index, event in enumerate(events):
        if event.CloudTrailEvent is None:
            skipped.append((index, "no CloudTrailEvent"))
            continue
        try:
            records.append(_RECORD.decode(event.CloudTrailEvent))
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            skipped.append((index, f"CloudTrailEvent: {exc}"))
    return DecodedFile(records, "lookup-events", tuple(skipped))


def _decode_lake(text: bytes) -> DecodedFile:
    try:
        rows = _LAKE.decode(text).QueryResultRows
    except msgspec.ValidationError as exc:
        raise TrailFileError(f"'QueryResultRows' is not Lake query output ({exc})") from exc
    records: list[Record] = []
    skipped: list[tuple[int, str]] = []
    for index, row in enumerate(rows):
        try:
            records.append(_lake_record(row))
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            skipped.append((index, str(exc)))
    return DecodedFile(records, "lake", tuple(skipped))


def _lake_record(row: list[dict[str, str]]) -> Record:
    """One Lake result row: full-record JSON columns, dotted columns, or JSON-string nested values."""
    fields: dict[str, object] = {}
    for cell in row:
        for column, value in cell.items():
            if column.lower() in {"eventjson", "cloudtrailevent"}:
                return _RECORD.decode(value)
            parsed: object = value
            if value[:1] in {"{", "["}:
                try:
                    parsed = msgspec.json.decode(value)
                except msgspec.DecodeError:
                    parsed = value  # Lake's "{k=v}" map text: left as is, the field is then dropped
            target = fields
            parts = column.split(".")
            for part in parts[:-1]:
                nested = target.setdefault(part, {})
                if not isinstance(nested, dict):
                    break
                target = nested
            else:
                target[parts[-1]] = parsed
    request = fields.pop("requestParameters", None)
    for key in ("userIdentity", "resources"):
        if key in fields and not isinstance(fields[key], (dict, list)):
            del fields[key]
    record = msgspec.convert(fields, Record, strict=False)
    if isinstance(request, dict):
        record = msgspec.structs.replace(record, requestParameters=msgspec.Raw(msgspec.json.encode(request)))
    return record
