"""Statistical baselines every model's skill is measured against.

- Seasonal naive: the value one week earlier (one day when less than two weeks
  of history exist).
- Multi-seasonal decomposition: daily and weekly profiles (medians per slot of
  the day and of the week, MSTL-style) with an exponentially smoothed level of
  what they leave, the strong classical baseline for demand.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from grid_intel.forecasting.prediction import Prediction
from grid_intel.forecasting.series import Series

DAY = timedelta(days=1)
WEEK = timedelta(days=7)
PROFILE_WEEKS = 6
ALPHAS = (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5)


def season(s: Series) -> int:
    """The longest season the history holds twice: a week, else a day."""
    return s.per(WEEK) if s.y.size >= 2 * s.per(WEEK) else s.per(DAY)


def seasonal_naive(s: Series, steps: int) -> Prediction:
    period = season(s)
    lead = np.arange(steps)
    src = s.y.size + lead - period * (lead // period + 1)
    return Prediction(s.y[src])


def _profile(values: np.ndarray, slots: np.ndarray, n_slots: int) -> np.ndarray:
    prof = np.zeros(n_slots)
    for k in range(n_slots):
        v = values[slots == k]
        prof[k] = np.median(v) if v.size else 0.0
    return prof


def _ses(x: np.ndarray) -> float:
    """Last level of simple exponential smoothing, alpha chosen by one-step error."""
    best, level_best = np.inf, float(x[-1])
    for a in ALPHAS:
        level, sse = float(x[0]), 0.0
        for v in x[1:]:
            sse += (v - level) ** 2
            level += a * (v - level)
        if sse < best:
            best, level_best = sse, level
    return level_best


def decomposition(s: Series, steps: int) -> Prediction:
    day, week = s.per(DAY), s.per(WEEK)
    n = min(s.y.size, PROFILE_WEEKS * week)
    y = s.y[-n:]
    idx = np.arange(s.y.size - n, s.y.size + steps)
    tod = idx % day
    daily = _profile(y, tod[:n], day)
    rest = y - daily[tod[:n]]
    seasonal_future = daily[tod[n:]]
    if s.y.size >= 2 * week:
        tow = idx % week
        weekly = _profile(rest, tow[:n], week)
        weekly -= weekly.mean()
        rest = rest - weekly[tow[:n]]
        seasonal_future = seasonal_future + weekly[tow[n:]]
    recent = rest[-min(rest.size, 2 * week) :]
    return Prediction(seasonal_future + _ses(recent))
