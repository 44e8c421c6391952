"""Injected faults with ground truth, so detectors can be scored per event.

Faults are planned per UTC day from the seed (the same seed gives the same
faults), applied either to point values (overheating, fault gases, stuck
sensors, spikes, dropouts, breaker chatter, line overload) or to the message
stream (gaps, late, duplicated and malformed messages). Each is a `Fault`
label: kind, asset, start, end and what was done.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from grid_intel.grid.equipment import Point
from grid_intel.grid.registry import Registry

VALUE_FAULTS = (  # physical faults first, then what the sensor does to their reading
    "transformer_overheating",
    "dga_fault_gas",
    "breaker_chatter",
    "line_overload",
    "spike",
    "stuck_sensor",
    "dropout",
)
STREAM_FAULTS = ("data_gap", "late_message", "duplicate_message", "malformed_message")
KINDS = (*VALUE_FAULTS, *STREAM_FAULTS)
# (min, max) duration in minutes per kind.
DURATION_MIN = {
    "transformer_overheating": (120, 480),
    "dga_fault_gas": (1440, 4320),
    "stuck_sensor": (60, 360),
    "spike": (10, 10),
    "dropout": (5, 30),
    "breaker_chatter": (2, 10),
    "line_overload": (30, 120),
    "data_gap": (5, 30),
    "late_message": (1, 5),
    "duplicate_message": (1, 5),
    "malformed_message": (1, 1),
}


@dataclass(frozen=True)
class Fault:
    kind: str
    asset: str
    start: datetime
    end: datetime
    points: tuple[str, ...] = ()
    detail: dict[str, float] = field(default_factory=dict)

    def covers(self, ts: datetime) -> bool:
        return self.start <= ts < self.end

    def label(self) -> dict[str, object]:
        row = asdict(self)
        row["start"], row["end"] = self.start.isoformat(), self.end.isoformat()
        row["points"] = list(self.points)
        return row


def _u(seed: int, *key: object) -> float:
    digest = hashlib.sha256("/".join(map(str, (seed, *key))).encode()).digest()
    return int.from_bytes(digest[:8], "little") / 2**64


def _candidates(registry: Registry, kind: str) -> list[tuple[str, tuple[Point, ...]]]:
    by_asset: dict[str, list[Point]] = {}
    for p in registry.points:
        by_asset.setdefault(p.asset, []).append(p)

    def pick(kind_of: str, measures: Iterable[str]) -> list[tuple[str, tuple[Point, ...]]]:
        wanted = set(measures)
        return [
            (a, tuple(p for p in pts if p.measurement in wanted))
            for a, pts in sorted(by_asset.items())
            if pts[0].asset_kind == kind_of and any(p.measurement in wanted for p in pts)
        ]

    if kind == "transformer_overheating":
        return pick("transformer", ("top_oil_temp_c", "hot_spot_temp_c"))
    if kind == "dga_fault_gas":
        return pick("transformer", ("h2_ppm", "ch4_ppm", "c2h4_ppm", "c2h6_ppm"))
    if kind == "breaker_chatter":
        return pick("breaker", ("status", "operation_count"))
    if kind == "line_overload":
        return pick("line", ("current_a", "active_power_mw", "conductor_temp_c"))
    if kind in ("stuck_sensor", "spike", "dropout"):
        analog = [p for p in registry.points if p.measured_analog]
        return [(p.asset, (p,)) for p in analog]
    return [(r.id, ()) for r in registry.rtus]  # stream faults act on an RTU's messages


def checked_kinds(kinds: Iterable[str]) -> tuple[str, ...]:
    """The kinds asked for, or a ValueError naming the unknown ones and the known ones."""
    kinds = tuple(kinds)
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {', '.join(KINDS)}")
    return kinds


def plan(
    seed: int,
    registry: Registry,
    start: datetime,
    end: datetime,
    kinds: Iterable[str] = KINDS,
    per_day: float = 2.0,
) -> list[Fault]:
    """The faults overlapping [start, end): about `per_day` of each kind a day."""
    kinds = checked_kinds(kinds)
    out: list[Fault] = []
    day = (
        (start - timedelta(days=3))
        .astimezone(UTC)
        .replace(hour=0, minute=0, second=0, microsecond=0)
    )
    while day < end:
        for kind in kinds:
            cands = _candidates(registry, kind)
            n = int(per_day) + (_u(seed, kind, day.date(), "extra") < per_day % 1)
            for i in range(n):
                asset, points = cands[int(_u(seed, kind, day.date(), i, "asset") * len(cands))]
                lo, hi = DURATION_MIN[kind]
                t0 = day + timedelta(seconds=int(_u(seed, kind, day.date(), i, "t") * 86400))
                t0 = t0.replace(second=t0.second - t0.second % 4)
                dur = timedelta(minutes=lo + (hi - lo) * _u(seed, kind, day.date(), i, "d"))
                fault = Fault(
                    kind,
                    asset,
                    t0,
                    t0 + dur,
                    tuple(p.id for p in points),
                    {"magnitude": round(0.5 + _u(seed, kind, day.date(), i, "m"), 3)},
                )
                if fault.end > start and fault.start < end:
                    out.append(fault)
        day += timedelta(days=1)
    return _observable(sorted(out, key=lambda f: (f.start, f.kind, f.asset)))


_ONE_AT_A_TIME = {k: "stream" for k in STREAM_FAULTS} | {
    k: "sensor" for k in ("stuck_sensor", "spike", "dropout")
}


def _observable(faults: list[Fault]) -> list[Fault]:
    """Drop a fault that starts while another of its family holds the same RTU (stream
    faults) or point (sensor faults): an RTU in a data gap sends no malformed message,
    a dropped-out sensor shows no spike, so its label would describe nothing."""
    busy: dict[tuple[str, object], datetime] = {}
    out = []
    for f in faults:
        family = _ONE_AT_A_TIME.get(f.kind)
        if family is None:
            out.append(f)
            continue
        key = (family, f.asset if family == "stream" else f.points)
        if busy.get(key, f.start) > f.start:
            continue
        busy[key] = f.end
        out.append(f)
    return out


def apply_to_values(
    values: np.ndarray,
    epoch_s: np.ndarray,
    columns: dict[str, int],
    faults: Iterable[Fault],
    held: dict[tuple[str, str, datetime], float] | None = None,
) -> np.ndarray:
    """Point values (scans x points) with the value faults applied; NaN is a dropout.

    `held` carries stuck sensors' frozen values from one hour to the next.
    """
    out = values.copy()
    held = {} if held is None else held  # stuck values, kept across hours
    order = {k: i for i, k in enumerate(VALUE_FAULTS)}
    for f in sorted(faults, key=lambda f: order.get(f.kind, -1)):
        if f.kind not in VALUE_FAULTS:
            continue
        t0, t1 = f.start.timestamp(), f.end.timestamp()
        rows = (epoch_s >= t0) & (epoch_s < t1)
        if not rows.any():
            continue
        ramp = np.clip((epoch_s[rows] - t0) / min(1800.0, t1 - t0), 0, 1)
        mag = f.detail.get("magnitude", 1.0)
        for pid in f.points:
            j = columns[pid]
            col = out[rows, j]
            if f.kind == "transformer_overheating":  # cooling failure: +15-45 °C
                extra = 30.0 * mag * ramp * (1.3 if pid.endswith("hot_spot_temp_c") else 1.0)
                out[rows, j] = col + extra
            elif f.kind == "dga_fault_gas":  # thermal fault above 700 °C: ethylene leads
                growth = {"c2h4_ppm": 40.0, "ch4_ppm": 12.0, "h2_ppm": 6.0, "c2h6_ppm": 3.0}
                days = (epoch_s[rows] - t0) / 86400.0
                out[rows, j] = col * (1 + growth.get(pid.rsplit(".", 1)[1], 0) * mag * days)
            elif f.kind == "stuck_sensor":
                key = (f.asset, pid, f.start)
                if key not in held:
                    held[key] = float(out[np.flatnonzero(rows)[0], j])
                out[rows, j] = held[key]
            elif f.kind == "spike":
                idx = np.flatnonzero(rows)[:: max(1, rows.sum() // 3)][:3]
                out[idx, j] = out[idx, j] * (3.0 + mag) + (
                    5.0 if abs(out[idx, j]).max() < 1 else 0.0
                )
            elif f.kind == "dropout":
                out[rows, j] = np.nan
            elif f.kind == "breaker_chatter":
                if pid.endswith(".status"):
                    out[rows, j] = (np.arange(rows.sum()) % 2).astype(float)
                else:
                    out[rows, j] = col + np.arange(1, rows.sum() + 1)
            elif f.kind == "line_overload":
                factor = 1.5 + 0.3 * mag
                out[rows, j] = (
                    col + 45.0 * ramp
                    if pid.endswith("conductor_temp_c")
                    else col * (1 + (factor - 1) * ramp)
                )
    return out
