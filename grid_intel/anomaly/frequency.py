"""System frequency disturbances from per-region frequency series: one
frequency_excursion event per disturbance (asset "system"), and sustained oscillation.

A disturbance is system-wide, so the regions' median is judged: a single region's
sensor cannot raise one. A unit trip is told from governor wander by its rate of
change (RoCoF): wander changes by a few mHz/s, a trip falls by tens. The RoCoF alarm
starts the event and the deviation from the block's robust level (beyond three sigma)
says how long it lasts; a deviation with no fast fall in it is wander.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import numpy as np
import polars as pl

from grid_intel.anomaly.events import Event, merge
from grid_intel.anomaly.patterns import oscillation, runs
from grid_intel.anomaly.spc import Baseline, western_electric

ROCOF_ALARM_HZ_S = 0.015  # simulated trips fall at 30-40 mHz/s, wander stays under 6 mHz/s
GAP_S = 20.0  # deviations this close to each other are one disturbance
OSCILLATION_WINDOW_S = 120.0  # four full swings within two minutes ...
OSCILLATION_CYCLES = 4
OSCILLATION_HZ = 0.05  # ... of 50 mHz peak to peak ...
OSCILLATION_HOLD_S = 30.0  # ... held for half a minute: wander meets all three for a scan or two


def system_series(frame: pl.DataFrame, value: str = "hz") -> tuple[list[datetime], np.ndarray]:
    """The regions' median frequency at each instant (columns ts, region, `value`)."""
    system = frame.group_by("ts").agg(pl.col(value).median()).sort("ts")
    return system["ts"].to_list(), system[value].to_numpy().astype(float)


def _seconds(ts: list[datetime]) -> np.ndarray:
    return np.array([t.timestamp() for t in ts])


def _rows(seconds: np.ndarray, e: Event) -> slice:
    """The samples an event covers."""
    lo, hi = np.searchsorted(seconds, [e.start.timestamp(), e.end.timestamp()])
    return slice(int(lo), int(hi))


def rocof(ts: list[datetime], hz: np.ndarray) -> np.ndarray:
    """Rate of change of frequency (Hz/s) into each sample; 0 for the first."""
    out = np.zeros(hz.size)
    if hz.size > 1:
        out[1:] = np.diff(hz) / np.diff(_seconds(ts))
    return out


def excursions(ts: list[datetime], hz: np.ndarray) -> list[Event]:
    """frequency_excursion events: runs beyond three robust sigmas of the block's level
    that hold a RoCoF alarm (severity: the largest deviation, Hz)."""
    if hz.size < 3 or np.isfinite(hz).sum() < 2:
        return []
    base = Baseline.robust(hz)
    roc = rocof(ts, hz)
    trigger = np.abs(roc) >= ROCOF_ALARM_HZ_S
    flags = western_electric(hz, base)["rule1"] | trigger
    seconds = _seconds(ts)
    gap = int(GAP_S / (seconds[1] - seconds[0]))
    out = []
    for e in merge(flags, ts, "system", "frequency_excursion", hz - base.mean, gap=gap):
        rows = _rows(seconds, e)
        if not trigger[rows].any():
            continue
        dev = (hz - base.mean)[rows]
        evidence = {
            "extreme_hz": round(float(hz[rows][np.argmax(np.abs(dev))]), 4),
            "level_hz": round(base.mean, 4),
            "rocof_hz_s": round(float(roc[rows][np.argmax(np.abs(roc[rows]))]), 4),
        }
        out.append(replace(e, severity=round(e.severity, 4), evidence=evidence))
    return out


def oscillations(ts: list[datetime], hz: np.ndarray) -> list[Event]:
    """frequency_oscillation events: sustained swings (severity: peak-to-peak, Hz)."""
    if len(ts) < 2:
        return []
    seconds = _seconds(ts)
    step = float(seconds[1] - seconds[0])
    window = int(OSCILLATION_WINDOW_S / step)
    flags = oscillation(hz, window, OSCILLATION_CYCLES, OSCILLATION_HZ)
    for a, b in runs(flags):
        if (b - a) * step < OSCILLATION_HOLD_S:
            flags[a:b] = False
    out = []
    for e in merge(flags, ts, "system", "frequency_oscillation"):
        rows = _rows(seconds, e)
        swing = hz[max(0, rows.start - window + 1) : rows.stop]  # with the window it began in
        out.append(replace(e, severity=round(float(np.nanmax(swing) - np.nanmin(swing)), 4)))
    return out


def detect(frame: pl.DataFrame, value: str = "hz") -> list[Event]:
    """Excursion and oscillation events in a block of per-region frequency samples
    (columns ts, region and `value` in Hz, on a regular grid, e.g. 2 s)."""
    ts, hz = system_series(frame, value)
    return sorted(excursions(ts, hz) + oscillations(ts, hz), key=lambda e: (e.start, e.kind))
