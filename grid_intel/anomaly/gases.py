"""Fault gases from an online DGA monitor's hourly means: dga_fault_gas events when the
total dissolved combustible gas rises faster than IEEE C57.104's action rate.

A healthy unit's gases creep up by ppm a year; an incipient fault makes them grow by
tens of ppm a day, so the rate of rise, not the level, tells a fault from an old
unit (old oil sits in TDCG condition 2 for years). The rate is a least-squares slope
over a few trailing hours, so one noisy hour cannot raise an alarm, and the gases'
increase since the rise began names the fault on the Duval triangle.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from grid_intel.anomaly.events import Event, merge
from grid_intel.health import dga

RATE_ALARM_PPM_DAY = 30.0  # IEEE C57.104 TDCG rate calling for action (10 is "caution")
WINDOW_H = 4  # trailing hours in each slope: the first full hour of a fault shows
MIN_HOURS = 3  # hours with all six gases needed in a window for a slope
HOUR = timedelta(hours=1)


def tdcg_hourly(gases: pl.DataFrame) -> pl.DataFrame:
    """One row per asset and hour with every gas of `dga.GASES` as a column and their
    TDCG (hours missing a gas are dropped: a partial sum would read as a fall)."""
    wide = (
        gases.filter(pl.col("gas").is_in(dga.GASES))
        .pivot(on="gas", index=["asset", "hour"], values="mean_value", aggregate_function="mean")
        .drop_nulls()
    )
    if wide.is_empty() or not set(dga.GASES) <= set(wide.columns):
        return pl.DataFrame(
            schema={"asset": pl.String, "hour": gases.schema["hour"]}
            | {g: pl.Float64 for g in (*dga.GASES, "tdcg")}
        )
    totals = [dga.tdcg(row) for row in wide.select(dga.GASES).iter_rows(named=True)]
    return wide.with_columns(tdcg=pl.Series(totals, dtype=pl.Float64)).sort("asset", "hour")


def rates(hours: list[datetime], tdcg: np.ndarray) -> np.ndarray:
    """TDCG rate of rise (ppm/day) at each hour over the WINDOW_H hours up to it; NaN
    where the window holds fewer than MIN_HOURS readings."""
    t = np.array([(h - hours[0]).total_seconds() / 86400 for h in hours])
    out = np.full(len(hours), np.nan)
    for i in range(len(hours)):
        rows = (t > t[i] - WINDOW_H / 24 + 1e-9) & (t <= t[i])
        if rows.sum() >= MIN_HOURS:
            out[i] = dga.rate_of_rise(t[rows], tdcg[rows])
    return out


def _diagnosis(before: dict[str, float], after: dict[str, float]) -> dict[str, object]:
    """Condition of the oil now, and the fault the gases' increase points to."""
    rise = {g: max(after[g] - before[g], 0.0) for g in dga.GASES}
    out: dict[str, object] = {
        "tdcg_ppm": round(dga.tdcg(after), 1),
        "tdcg_condition": dga.tdcg_condition(dga.tdcg(after)),
    }
    if rise["ch4"] + rise["c2h4"] + rise["c2h2"] > 0:
        zone = dga.duval_triangle_1(rise["ch4"], rise["c2h4"], rise["c2h2"])
        out |= {"duval_zone": zone, "fault": dga.DUVAL_MEANING[zone]}
    ratios = dga.rogers_ratios(rise["h2"], rise["ch4"], rise["c2h2"], rise["c2h4"], rise["c2h6"])
    return out | {"rogers_case": dga.rogers_case(ratios)}


def detect(gases: pl.DataFrame) -> list[Event]:
    """dga_fault_gas events from hourly gas means: columns asset, hour (hour start),
    gas (h2, ch4, c2h2, c2h4, c2h6, co) and mean_value in ppm, as the warehouse's hourly
    stats give them. An event covers the hours whose trailing slope reaches
    RATE_ALARM_PPM_DAY (severity: the largest rate, ppm/day). The first MIN_HOURS - 1
    hours given only start a slope: pass WINDOW_H - 1 hours before the first hour to
    be judged."""
    out: list[Event] = []
    wide = tdcg_hourly(gases)
    for (asset,), rows in wide.group_by(["asset"], maintain_order=True):
        hours = rows["hour"].to_list()
        grid = [hours[0] + i * HOUR for i in range(int((hours[-1] - hours[0]) / HOUR) + 1)]
        at = {h: i for i, h in enumerate(grid)}
        rate = np.full(len(grid), np.nan)
        rate[[at[h] for h in hours]] = rates(hours, rows["tdcg"].to_numpy())
        with np.errstate(invalid="ignore"):
            flags = rate >= RATE_ALARM_PPM_DAY
        ppm = dict(zip(hours, rows.select(dga.GASES).iter_rows(named=True), strict=True))
        for e in merge(flags, grid, str(asset), "dga_fault_gas", rate):
            last = max(h for h in hours if h < e.end)
            first = [h for h in hours if h > e.start - WINDOW_H * HOUR]
            evidence = {
                "rate_ppm_day": round(e.severity, 1),
                **_diagnosis(ppm[first[0]], ppm[last]),
            }
            out.append(replace(e, severity=round(e.severity, 1), evidence=evidence))
    return sorted(out, key=lambda e: (e.start, e.asset))
