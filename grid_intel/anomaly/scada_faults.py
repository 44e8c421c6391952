"""Sensor and breaker faults in one block of SCADA scans: stuck sensors, spikes,
dropouts and breaker chatter, as events per asset.

The block is what an hourly partition holds (scans x points, NaN for a missing
reading); the detectors need no history beyond it, so each hour is judged alone
and a re-run gives the same events.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np

from grid_intel.anomaly.events import Event, merge
from grid_intel.anomaly.patterns import chatter, flatline, spikes
from grid_intel.grid.equipment import Point

SENSOR_KINDS = ("stuck_sensor", "spike", "dropout", "breaker_chatter")
FLAT_SCANS = 15  # a minute of identical 4-second readings: live noise never repeats so long
CHATTER_WINDOW = 75  # five minutes of scans
CHATTER_CHANGES = 4  # a trip and a reclose (or two) are operations; more is chatter
GAP_SCANS = 3  # flagged runs this close are one event
SPIKE_RATIO = 0.5  # a one-scan jump of half the level: no live signal (nor a unit trip's
# frequency dip) moves so far in four seconds and straight back


def detect(
    epoch_s: np.ndarray,
    values: np.ndarray,
    points: Sequence[Point],
    reported: np.ndarray | None = None,
) -> list[Event]:
    """Events of SENSOR_KINDS in a block (`values[:, j]` is `points[j]` at `epoch_s`).
    `reported` marks the readings whose scan arrived: a missing value in a scan that
    arrived is a dropout, a scan that never came (a gap) is the stream's to report."""
    ts = [datetime.fromtimestamp(float(e), UTC) for e in epoch_s]
    out: list[Event] = []
    for j, p in enumerate(points):
        x = values[:, j]
        where = {"point": p.id}
        if p.asset_kind == "breaker" and p.measurement == "status":
            flags = chatter(x, CHATTER_WINDOW, CHATTER_CHANGES)
            out += merge(flags, ts, p.asset, "breaker_chatter", gap=GAP_SCANS, evidence=where)
            continue
        if not p.measured_analog:
            continue
        missing = np.isnan(x) if reported is None else np.isnan(x) & reported[:, j]
        out += merge(missing, ts, p.asset, "dropout", gap=GAP_SCANS, evidence=where)
        stuck = flatline(x, FLAT_SCANS) & (x != 0)  # a de-energized line reads 0, steadily
        out += merge(stuck, ts, p.asset, "stuck_sensor", evidence=where)
        jumps = spikes(x, ratio=SPIKE_RATIO)
        out += merge(jumps, ts, p.asset, "spike", gap=GAP_SCANS * 50, evidence=where)
    return sorted(out, key=lambda e: (e.start, e.kind, e.asset))
