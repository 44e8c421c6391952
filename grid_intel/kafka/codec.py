"""Message codecs: JSON payloads with a schema version and the event time.

`grid.frequency` is decoded here for bronze; the bronze issue adds the other topics and
a bulk decoder. Decoding never guesses: a message that does not match the
schema raises `DecodeError` with the reason, and the caller quarantines it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime

SCHEMA_VERSION = 1


class DecodeError(ValueError):
    """A message that cannot be decoded or fails validation; the text says why."""


@dataclass(frozen=True)
class FrequencyReading:
    ts: datetime
    region: str
    frequency_hz: float
    rocof_hz_per_s: float | None = None


def encode_frequency(reading: FrequencyReading) -> bytes:
    if reading.ts.tzinfo is None:
        raise ValueError("event time must be timezone-aware")
    payload = {
        "v": SCHEMA_VERSION,
        "ts": reading.ts.isoformat(),
        "region": reading.region,
        "hz": reading.frequency_hz,
        "rocof": reading.rocof_hz_per_s,
    }
    return json.dumps(payload, separators=(",", ":")).encode()


def decode_frequency(value: bytes | None) -> FrequencyReading:
    if not value:
        raise DecodeError("empty message")
    try:
        obj = json.loads(value)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DecodeError(f"not JSON: {exc}") from exc
    if not isinstance(obj, dict):
        raise DecodeError(f"expected a JSON object, got {type(obj).__name__}")
    if obj.get("v") != SCHEMA_VERSION:
        raise DecodeError(f"unsupported schema version {obj.get('v')!r}")
    ts = _timestamp(obj.get("ts"))
    region = obj.get("region")
    if not isinstance(region, str) or not region:
        raise DecodeError("region must be a non-empty string")
    hz = _number(obj.get("hz"), "hz")
    if hz is None or not 0 < hz < 120:
        raise DecodeError(f"frequency {hz!r} Hz is not a physical reading")
    return FrequencyReading(ts, region, hz, _number(obj.get("rocof"), "rocof"))


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
