"""One hour's batch detection: every block detector over the hour's scans and
frequency, and the dissolved-gas check over the trailing hourly means. The hourly
asset and the evaluation both call this, so what is scored is what runs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl

from grid_intel.anomaly import frequency, gases, physical, scada_faults
from grid_intel.anomaly.events import Event
from grid_intel.grid.equipment import Point
from grid_intel.grid.registry import Registry

GAS_HOURS = 4  # the trailing slope gases.detect fits; pass this many hours of means
BATCH_KINDS = (
    *scada_faults.SENSOR_KINDS,
    *physical.PHYSICAL_KINDS,
    "dga_fault_gas",
    "frequency_excursion",
    "frequency_oscillation",
)


def detect_hour(
    block: physical.Block,
    points: Sequence[Point],
    registry: Registry,
    previous: physical.Block | None = None,
    freq: pl.DataFrame | None = None,
    gas_means: pl.DataFrame | None = None,
    reported: np.ndarray | None = None,
) -> list[Event]:
    """Events of one hour: sensor faults and physical faults from its scans (`previous`
    is the hour before, for a line's normal temperature), frequency events from its
    samples (ts, region, hz), and gas events whose hour is the last of `gas_means`.
    `reported` marks the readings whose scan arrived (default: all)."""
    epoch_s, values = block
    out = scada_faults.detect(epoch_s, values, points, reported)
    out += physical.detect(epoch_s, values, points, registry, previous)
    if freq is not None and not freq.is_empty():
        out += frequency.detect(freq)
    if gas_means is not None and not gas_means.is_empty():
        last = gas_means["hour"].max()  # earlier hours were judged by earlier runs
        known = last + timedelta(hours=1)  # an hour's means exist once it has ended
        out += [
            replace(e, start=max(e.start, last), end=known, detected=known)
            for e in gases.detect(gas_means)
            if e.end > last
        ]
    return sorted(out, key=lambda e: (e.start, e.kind, e.asset))


def join_touching(events: Sequence[Event], gap: timedelta = timedelta(seconds=8)) -> list[Event]:
    """One event per fault across hourly blocks: events of one asset, kind and point
    that touch (within `gap`) are joined, keeping the first one's detection time."""
    out: list[Event] = []
    last: dict[tuple[str, str, object], int] = {}
    for e in sorted(events, key=lambda e: (e.start, e.kind, e.asset)):
        key = (e.asset, e.kind, e.evidence.get("point"))
        i = last.get(key)
        if i is not None and e.start - out[i].end <= gap:
            prev = out[i]
            out[i] = replace(
                prev, end=max(prev.end, e.end), severity=max(prev.severity, e.severity)
            )
            continue
        last[key] = len(out)
        out.append(e)
    return out


def gas_means(block: physical.Block, points: Sequence[Point]) -> pl.DataFrame:
    """The hour's mean per transformer gas (asset, hour, gas, mean_value), as the
    warehouse's hourly stats hold them."""
    epoch_s, values = block
    cols = [
        j
        for j, p in enumerate(points)
        if p.asset_kind == "transformer" and p.measurement.endswith("_ppm")
    ]
    hour = datetime.fromtimestamp(float(epoch_s[0]) // 3600 * 3600, UTC)
    with np.errstate(all="ignore"):
        means = np.nanmean(values[:, cols], axis=0) if cols else np.array([])
    return pl.DataFrame(
        {
            "asset": [points[j].asset for j in cols],
            "hour": [hour] * len(cols),
            "gas": [points[j].measurement.removesuffix("_ppm") for j in cols],
            "mean_value": means,
        },
        schema={
            "asset": pl.String,
            "hour": pl.Datetime("us", "UTC"),
            "gas": pl.String,
            "mean_value": pl.Float64,
        },
    ).drop_nans()
