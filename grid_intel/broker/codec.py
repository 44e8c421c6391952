"""Message codecs: versioned JSON payloads carrying their event time.

Decoding never guesses: a message that does not match its topic's schema
(`grid_intel/broker/schemas/`) raises `DecodeError` with the reason, and the
caller quarantines it. Parsing is orjson's (C); the checks here are the ones a
row needs before it can be written (types, required fields, physical sense), so
that bronze never holds a value the schema forbids.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

SCHEMA_VERSION = 1
MAX_MESSAGE_BYTES = 1 << 20  # the largest RTU scan is ~10 kB; a bigger message is an error
MAX_SEQ = 2**63 - 1  # bronze stores seq as int8
# An alert's detail nests a level or two; far deeper would overflow Python's recursion
# limit (~1000) in the checks below and in the jsonb dumper, failing the whole hour.
MAX_DETAIL_DEPTH = 64
SEVERITIES = ("info", "warning", "critical")
MARKETS = ("DA", "RT")


class DecodeError(ValueError):
    """A message that cannot be decoded or fails validation; the text says why."""


@dataclass(frozen=True)
class FrequencyReading:
    ts: datetime
    region: str
    frequency_hz: float
    rocof_hz_per_s: float | None = None


@dataclass(frozen=True)
class Scan:
    """One RTU scan: every point's value at one instant (None where the RTU sent none)."""

    ts: datetime
    rtu: str
    substation: str
    seq: int
    values: dict[str, float | None]
    quality: dict[str, str]


@dataclass(frozen=True)
class Price:
    ts: datetime
    market: str
    node: str
    location_type: str
    interval_minutes: int
    lmp: float
    mec: float
    mcc: float
    mlc: float


@dataclass(frozen=True)
class Alert:
    ts: datetime
    alert_id: str
    asset: str
    kind: str
    severity: str
    message: str
    detail: dict[str, Any]


def encode_frequency(reading: FrequencyReading) -> bytes:
    return orjson.dumps(
        {
            "v": SCHEMA_VERSION,
            "ts": _iso(reading.ts),
            "region": reading.region,
            "hz": reading.frequency_hz,
            "rocof": reading.rocof_hz_per_s,
        }
    )


def encode_alert(alert: Alert) -> bytes:
    return orjson.dumps(
        {
            "v": SCHEMA_VERSION,
            "ts": _iso(alert.ts),
            "id": alert.alert_id,
            "asset": alert.asset,
            "kind": alert.kind,
            "severity": alert.severity,
            "message": alert.message,
            "detail": alert.detail,
        }
    )


def decode_frequency(value: bytes | None) -> FrequencyReading:
    obj = _object(value)
    hz = _number(obj.get("hz"), "hz")
    if hz is None or not 0 < hz < 120:
        raise DecodeError(f"frequency {hz!r} Hz is not a physical reading")
    return FrequencyReading(
        _timestamp(obj.get("ts")),
        _text(obj, "region"),
        hz,
        _number(obj.get("rocof"), "rocof"),
    )


def decode_scan(value: bytes | None) -> Scan:
    obj = _object(value)
    values = obj.get("values")
    if not isinstance(values, dict) or not values:
        raise DecodeError("values must be a non-empty object of point id -> number")
    for point, v in values.items():
        if "\x00" in point:
            _no_nul(point, "a point id")
        if v is not None and (
            isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v)
        ):
            raise DecodeError(f"point {point!r} has a non-numeric value {v!r}")
    quality = obj.get("quality") or {}
    if not isinstance(quality, dict):
        raise DecodeError("quality must be an object of point id -> code")
    for point, code in quality.items():
        if code is not None and not isinstance(code, str):
            raise DecodeError(f"quality of {point!r} must be a string code, got {code!r}")
        _no_nul(code or "", f"the quality code of {point!r}")
    seq = obj.get("seq")
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq <= MAX_SEQ:
        raise DecodeError(f"seq must be an integer in [0, 2^63), got {seq!r}")
    return Scan(
        _timestamp(obj.get("ts")),
        _text(obj, "rtu"),
        _text(obj, "substation"),
        seq,
        values,
        quality,
    )


def decode_price(value: bytes | None) -> Price:
    obj = _object(value)
    market = obj.get("market")
    if market not in MARKETS:
        raise DecodeError(f"market must be one of {MARKETS}, got {market!r}")
    minutes = obj.get("interval_minutes")
    if type(minutes) is not int or minutes not in (5, 60):
        raise DecodeError(f"interval_minutes must be 5 or 60, got {minutes!r}")
    parts = {k: _required_number(obj, k) for k in ("lmp", "mec", "mcc", "mlc")}
    return Price(
        _timestamp(obj.get("ts")),
        market,
        _text(obj, "node"),
        _text(obj, "location_type"),
        minutes,
        **parts,
    )


def decode_alert(value: bytes | None) -> Alert:
    obj = _object(value)
    severity = obj.get("severity")
    if severity not in SEVERITIES:
        raise DecodeError(f"severity must be one of {SEVERITIES}, got {severity!r}")
    detail = obj.get("detail") or {}
    if not isinstance(detail, dict):
        raise DecodeError("detail must be an object")
    _no_nul_within(detail, "detail")
    return Alert(
        _timestamp(obj.get("ts")),
        _text(obj, "id"),
        _text(obj, "asset"),
        _text(obj, "kind"),
        severity,
        _text(obj, "message"),
        detail,
    )


def _iso(ts: datetime) -> str:
    if ts.tzinfo is None:
        raise ValueError("event time must be timezone-aware")
    return ts.isoformat().replace("+00:00", "Z")


def _object(value: bytes | None) -> dict[str, Any]:
    if not value:
        raise DecodeError("empty message")
    if len(value) > MAX_MESSAGE_BYTES:
        raise DecodeError(
            f"message of {len(value):,} bytes is over the {MAX_MESSAGE_BYTES:,}-byte limit"
        )
    try:
        obj = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise DecodeError(f"not JSON: {exc}") from exc
    if not isinstance(obj, dict):
        raise DecodeError(f"expected a JSON object, got {type(obj).__name__}")
    if type(obj.get("v")) is not int or obj["v"] != SCHEMA_VERSION:
        raise DecodeError(f"unsupported schema version {obj.get('v')!r}")
    return obj


def _text(obj: dict[str, Any], name: str) -> str:
    raw = obj.get(name)
    if not isinstance(raw, str) or not raw:
        raise DecodeError(f"{name} must be a non-empty string")
    _no_nul(raw, name)
    return raw


def _no_nul(text: str, name: str) -> None:
    """PostgreSQL text and jsonb cannot hold U+0000: such a row would fail the whole COPY."""
    if "\x00" in text:
        raise DecodeError(f"{name} contains a NUL character (U+0000), which bronze cannot store")


def _no_nul_within(value: object, name: str, depth: int = 0) -> None:
    if depth > MAX_DETAIL_DEPTH:
        raise DecodeError(f"{name} is nested deeper than {MAX_DETAIL_DEPTH} levels")
    if isinstance(value, str):
        _no_nul(value, name)
    elif isinstance(value, dict):
        for k, v in value.items():
            _no_nul(k, f"a key of {name}")
            _no_nul_within(v, f"{name}.{k}", depth + 1)
    elif isinstance(value, list):
        for v in value:
            _no_nul_within(v, name, depth + 1)


def _timestamp(raw: object) -> datetime:
    if not isinstance(raw, str):
        raise DecodeError("ts must be an ISO-8601 string")
    try:
        ts = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise DecodeError(f"ts {raw!r} is not ISO-8601") from exc
    if ts.tzinfo is None:
        raise DecodeError(f"ts {raw!r} has no UTC offset")
    return ts


def _number(raw: object, name: str) -> float | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise DecodeError(f"{name} must be a finite number, got {raw!r}")
    return float(raw)


def _required_number(obj: dict[str, Any], name: str) -> float:
    value = _number(obj.get(name), name)
    if value is None:
        raise DecodeError(f"{name} is required")
    return value
