"""A history as forecasting models need it: a regular UTC grid, gaps filled, checked.

The interval is inferred (5 minutes to 1 hour); a series whose timestamps do not
sit on one interval, whose target is not numeric, or that is too short to learn
a daily cycle from is refused with an error that says what to change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import polars as pl

MIN_STEP = timedelta(minutes=5)
MAX_STEP = timedelta(hours=1)
MIN_HISTORY = timedelta(days=3)
LONG_GAP = timedelta(hours=2)  # longer gaps take the value a day (or week) before


class ForecastInputError(ValueError):
    """The history or the request cannot be forecast; the message says why and what to do."""


@dataclass(frozen=True)
class Series:
    """A target on a regular grid of UTC timestamps (microseconds), no gaps left."""

    ts: np.ndarray  # int64 epoch microseconds, regular
    y: np.ndarray  # float64
    step: timedelta
    filled: int  # points that were missing and filled

    @property
    def step_us(self) -> int:
        return int(self.step / timedelta(microseconds=1))

    def per(self, span: timedelta) -> int:
        """How many steps make `span`."""
        return int(span / self.step)

    def head(self, n: int) -> Series:
        return Series(self.ts[:n], self.y[:n], self.step, self.filled)

    def future(self, steps: int) -> np.ndarray:
        return self.ts[-1] + self.step_us * np.arange(1, steps + 1, dtype=np.int64)


def infer_step(ts_us: np.ndarray) -> timedelta:
    """The series' interval: the most common spacing, which every spacing must be a
    multiple of (gaps are fine, an off-grid timestamp is not)."""
    diffs = np.diff(ts_us)
    if diffs.size == 0:
        raise ForecastInputError("history has fewer than two timestamps")
    values, counts = np.unique(diffs, return_counts=True)
    step_us = int(values[np.argmax(counts)])
    step = timedelta(microseconds=step_us)
    if not MIN_STEP <= step <= MAX_STEP:
        raise ForecastInputError(
            f"history interval {step} is outside 5 min-1 h: resample it "
            "(e.g. polars group_by_dynamic) to an interval in that range"
        )
    off = diffs[diffs % step_us != 0]
    if off.size:
        raise ForecastInputError(
            f"irregular interval: {off.size} spacings are not multiples of the inferred {step} "
            f"(e.g. {timedelta(microseconds=int(off[0]))}); resample to a regular grid first"
        )
    return step


def steps_of(horizon: timedelta | int, step: timedelta) -> int:
    """A horizon as a number of steps (a timedelta is rounded up to whole steps)."""
    if isinstance(horizon, timedelta):
        if horizon <= timedelta(0):
            raise ForecastInputError(f"horizon must be positive, got {horizon}")
        return int(-(-horizon // step))
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        raise ForecastInputError(
            f"horizon must be a timedelta or a positive step count: {horizon!r}"
        )
    return int(horizon)


def _fill(y: np.ndarray, step: timedelta) -> np.ndarray:
    """Short gaps interpolated linearly; long ones take the value one day earlier (a week
    earlier when that is known and the day is not), then anything left interpolated."""
    y = y.copy()
    missing = ~np.isfinite(y)
    if not missing.any():
        return y
    idx = np.arange(y.size)
    runs = np.split(
        np.flatnonzero(missing), np.flatnonzero(np.diff(np.flatnonzero(missing)) > 1) + 1
    )
    long_steps = int(LONG_GAP / step)
    day, week = int(timedelta(days=1) / step), int(timedelta(days=7) / step)
    for run in runs:
        if run.size > long_steps:
            for i in run:
                for back in (day, week):
                    if i - back >= 0 and np.isfinite(y[i - back]):
                        y[i] = y[i - back]
                        break
    known = np.isfinite(y)
    y[~known] = np.interp(idx[~known], idx[known], y[known])
    return y


def prepare(history: pl.DataFrame, target: str) -> Series:
    """Check and regularise `history` (a `ts` column, timezone-aware, and `target`)."""
    if not isinstance(history, pl.DataFrame):
        raise ForecastInputError(
            f"history must be a polars DataFrame, got {type(history).__name__}"
        )
    for col in ("ts", target):
        if col not in history.columns:
            raise ForecastInputError(f"history has no {col!r} column (columns: {history.columns})")
    dtype = history.schema["ts"]
    if not isinstance(dtype, pl.Datetime) or dtype.time_zone is None:
        raise ForecastInputError(
            f"'ts' must be a timezone-aware datetime, got {dtype}: "
            "use .dt.replace_time_zone('UTC') (or convert_time_zone) first"
        )
    if not history.schema[target].is_numeric():
        raise ForecastInputError(f"target {target!r} is {history.schema[target]}, not numeric")
    frame = (
        history.select(
            pl.col("ts").dt.convert_time_zone("UTC").dt.cast_time_unit("us").cast(pl.Int64),
            pl.col(target).cast(pl.Float64),
        )
        .drop_nulls("ts")
        .unique("ts", keep="last")
        .sort("ts")
    )
    values = frame[target].to_numpy()
    frame = frame.filter(pl.Series(np.isfinite(values)))
    ts = frame["ts"].to_numpy()
    step = infer_step(ts)
    span = timedelta(microseconds=int(ts[-1] - ts[0])) + step
    if span < MIN_HISTORY:
        raise ForecastInputError(
            f"history covers {span}; at least {MIN_HISTORY} is needed to learn a daily cycle"
        )
    step_us = int(step / timedelta(microseconds=1))
    grid = np.arange(ts[0], ts[-1] + 1, step_us, dtype=np.int64)
    y = np.full(grid.size, np.nan)
    y[(ts - ts[0]) // step_us] = frame[target].to_numpy()
    filled = int((~np.isfinite(y)).sum())
    return Series(grid, _fill(y, step), step, filled)
