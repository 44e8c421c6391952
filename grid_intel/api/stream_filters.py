"""What a WebSocket client asked for, and the JSON it is sent: pure, no I/O.

A client filters with query parameters; every given filter must match a message
for it to be sent, and a filter on a field a message type does not have (`region`
on an alert) excludes that type. A scan is sent as one "reading" holding only the
points that match, so a client watching three points gets three values per scan,
not the RTU's hundred.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import orjson

from grid_intel.broker.codec import SEVERITIES, Alert, FrequencyReading, Scan

TYPES = ("reading", "frequency", "alert")
HEARTBEAT_RANGE = (1, 60)  # seconds a client may ask between heartbeats
BUFFER_RANGE = (1, 1000)  # messages a client may ask to be buffered before it is dropped
# Which message types each filter can match; a filter must apply to a requested type.
APPLIES_TO = {
    "asset": ("reading", "alert"),
    "kind": ("alert",),
    "region": ("frequency",),
    "min_severity": ("alert",),
    "points": ("reading",),
}
PARAMS = ("types", *APPLIES_TO, "heartbeat", "buffer")
MAX_VALUES = 500
_ID = re.compile(r"^[A-Za-z0-9_.:\-]{1,128}$")

Event = Scan | FrequencyReading | Alert


class FilterError(ValueError):
    """A query the stream cannot serve; the text says why (sent as the close reason)."""


@dataclass(frozen=True)
class StreamFilter:
    types: frozenset[str] = frozenset(TYPES)
    assets: frozenset[str] | None = None
    kinds: frozenset[str] | None = None
    regions: frozenset[str] | None = None
    min_severity: str | None = None
    points: frozenset[str] | None = None

    def select(self, event: Event) -> Event | None:
        """The event as this client should see it (a scan narrowed to its points), or None."""
        if isinstance(event, Scan):
            return self._scan(event)
        if isinstance(event, FrequencyReading):
            ok = "frequency" in self.types and self.assets is None and self.kinds is None
            ok = ok and self.min_severity is None and self.points is None
            return event if ok and _within(event.region, self.regions) else None
        ok = "alert" in self.types and self.regions is None and self.points is None
        ok = ok and _within(event.asset, self.assets) and _within(event.kind, self.kinds)
        if self.min_severity is not None:
            ok = ok and SEVERITIES.index(event.severity) >= SEVERITIES.index(self.min_severity)
        return event if ok else None

    def _scan(self, scan: Scan) -> Scan | None:
        if "reading" not in self.types or self.kinds or self.regions or self.min_severity:
            return None
        if self.assets is None and self.points is None:
            return scan
        keep = [
            p
            for p in scan.values
            if _within(p, self.points) and _within(point_asset(p), self.assets)
        ]
        if not keep:
            return None
        return replace(
            scan,
            values={p: scan.values[p] for p in keep},
            quality={p: scan.quality[p] for p in keep if p in scan.quality},
        )


@dataclass(frozen=True)
class StreamOptions:
    heartbeat_s: float
    buffer: int


def point_asset(point_id: str) -> str:
    """The asset a SCADA point belongs to: its id is `<asset>.<measurement>`."""
    asset, _, _ = point_id.rpartition(".")
    return asset or point_id


def parse(
    params: Mapping[str, str], *, heartbeat_s: float, buffer: int
) -> tuple[StreamFilter, StreamOptions]:
    """The filter and options of a query; `heartbeat_s`/`buffer` are the defaults."""
    unknown = sorted(set(params) - set(PARAMS))
    if unknown:
        raise FilterError(f"unknown parameter {unknown[0]!r}; known: {', '.join(PARAMS)}")
    types = _list(params, "types", choices=TYPES) or frozenset(TYPES)
    severity = params.get("min_severity")
    if severity is not None and severity not in SEVERITIES:
        raise FilterError(f"min_severity must be one of {', '.join(SEVERITIES)}")
    flt = StreamFilter(
        types=types,
        assets=_list(params, "asset"),
        kinds=_list(params, "kind"),
        regions=_list(params, "region"),
        min_severity=severity,
        points=_list(params, "points"),
    )
    for name, applies in APPLIES_TO.items():
        if name in params and not types.intersection(applies):
            raise FilterError(f"{name} filters {'/'.join(applies)} messages; none left to filter")
        if name in params:
            types = types.intersection(applies)  # the types this filter can match
    flt = replace(flt, types=types)
    options = StreamOptions(
        heartbeat_s=_bounded(params, "heartbeat", HEARTBEAT_RANGE, heartbeat_s),
        buffer=int(_bounded(params, "buffer", BUFFER_RANGE, buffer, integer=True)),
    )
    return flt, options


def message(event: Event) -> dict[str, Any]:
    """The JSON object a client receives for an event."""
    if isinstance(event, Scan):
        data: dict[str, Any] = {
            "ts": iso(event.ts),
            "rtu": event.rtu,
            "substation": event.substation,
            "seq": event.seq,
            "values": event.values,
            "quality": event.quality,
        }
        return {"type": "reading", "data": data}
    if isinstance(event, FrequencyReading):
        data = {
            "ts": iso(event.ts),
            "region": event.region,
            "frequency_hz": event.frequency_hz,
            "rocof_hz_per_s": event.rocof_hz_per_s,
        }
        return {"type": "frequency", "data": data}
    data = {
        "ts": iso(event.ts),
        "id": event.alert_id,
        "asset": event.asset,
        "kind": event.kind,
        "severity": event.severity,
        "message": event.message,
        "detail": event.detail,
    }
    return {"type": "alert", "data": data}


def heartbeat(now: datetime, *, kafka: bool) -> dict[str, Any]:
    """Sent on connect and every interval: the connection is alive, and whether the
    relay is reading Kafka (false while the broker is unreachable)."""
    ts = iso(now)
    return {"type": "heartbeat", "ts": ts, "data": {"ts": ts, "kafka": kafka}}


def dropped(reason: str, *, queued: int) -> dict[str, Any]:
    return {"type": "dropped", "reason": reason, "data": {"reason": reason, "queued": queued}}


def encode(obj: dict[str, Any]) -> str:
    return orjson.dumps(obj).decode()


def iso(ts: datetime) -> str:
    return ts.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _within(value: str, allowed: frozenset[str] | None) -> bool:
    return allowed is None or value in allowed


def _list(
    params: Mapping[str, str], name: str, choices: tuple[str, ...] | None = None
) -> frozenset[str] | None:
    raw = params.get(name)
    if raw is None:
        return None
    values = [v.strip() for v in raw.split(",") if v.strip()]
    if not values:
        raise FilterError(f"{name} is empty")
    if len(values) > MAX_VALUES:
        raise FilterError(f"{name} lists more than {MAX_VALUES} values")
    for v in values:
        if choices is not None and v not in choices:
            raise FilterError(f"{name} must be a comma list of {', '.join(choices)}; got {v!r}")
        if not _ID.match(v):
            raise FilterError(f"{name} value {v[:40]!r} is not an id")
    return frozenset(values)


def _bounded(
    params: Mapping[str, str],
    name: str,
    bounds: tuple[int, int],
    default: float,
    *,
    integer: bool = False,
) -> float:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        raise FilterError(f"{name} must be {'an integer' if integer else 'a number'}") from None
    lo, hi = bounds
    if not lo <= value <= hi:
        raise FilterError(f"{name} must be between {lo} and {hi}")
    return value
