"""Features for the direct multi-horizon models: calendar, Manitoba holidays, daily and
weekly seasonality, lags never shorter than the lead they serve, and covariates.

Lags are counted in steps back from the *target* time; a model for leads up to L
uses only lags ≥ L, so at forecast time every feature is already known.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from grid_intel.grid.calendar import is_holiday

LOCAL_OFFSET = timedelta(hours=-6)  # Manitoba standard time: holidays by local date


def calendar(ts_us: np.ndarray) -> dict[str, np.ndarray]:
    """Time of day and week as smooth cycles, day of week, weekend and holiday flags."""
    seconds = ts_us // 1_000_000
    tod = (seconds % 86_400) / 86_400
    dow = ((seconds // 86_400) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    local_days = (seconds + int(LOCAL_OFFSET.total_seconds())) // 86_400
    unique = np.unique(local_days)
    holiday_days = {
        d for d in unique if is_holiday(datetime.fromtimestamp(int(d) * 86_400, UTC).date())
    }
    week = (dow + tod) / 7
    return {
        "tod_sin": np.sin(2 * np.pi * tod),
        "tod_cos": np.cos(2 * np.pi * tod),
        "week_sin": np.sin(2 * np.pi * week),
        "week_cos": np.cos(2 * np.pi * week),
        "day_of_week": dow.astype(float),
        "weekend": (dow >= 5).astype(float),
        "holiday": np.isin(local_days, list(holiday_days)).astype(float),
    }


def lag_set(lead: int, day: int, available: int) -> list[int]:
    """Lags (in steps) for a model serving leads up to `lead`: the nearest ones at or
    beyond it, and the same time one and two days and one and two weeks back."""
    wanted = {lead, lead + 1, lead + 2}
    for k in (day, 2 * day, 7 * day, 14 * day):
        while k < lead:
            k += day
        wanted |= {k, k + 1} if k > lead else {k}
    return sorted(lag for lag in wanted if lag <= available)


def design(
    y: np.ndarray,
    ts_us: np.ndarray,
    lead: int,
    day: int,
    covariates: dict[str, np.ndarray],
    lags: list[int],
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """(X, names, base) for every time of the extended series `y` (history then NaN for
    the future); base is the mean of the day before the nearest lag, which the model
    predicts the target relative to, so trees follow level shifts."""
    n = y.size
    cols: dict[str, np.ndarray] = dict(calendar(ts_us))
    shifted = {lag: np.concatenate([np.full(lag, np.nan), y[: n - lag]]) for lag in lags}
    csum = np.concatenate([[0.0], np.nancumsum(y)])
    end = np.arange(n) - lead + 1  # exclusive end of the window ending `lead` steps back
    start = end - day
    ok = start >= 0
    base = np.full(n, np.nan)
    base[ok] = (csum[end[ok]] - csum[start[ok]]) / day
    for lag in lags:
        cols[f"lag_{lag}"] = shifted[lag] - base
    cols["base"] = base
    for name, values in covariates.items():
        cols[name] = values
    names = list(cols)
    return np.column_stack([cols[c] for c in names]), names, base
