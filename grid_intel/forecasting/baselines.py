"""Statistical baselines every model's skill is measured against.

- Seasonal naive: the value one week earlier (one day when less than two weeks
  of history exist).
- MSTL (Bandara, Hyndman & Bergmeir): the day's and the week's seasons taken out by
  STL in turn, each carried forward, plus an exponentially smoothed level of what
  they leave: the strong classical multi-seasonal baseline for demand.
- Seasonal profiles: medians per slot of the day and of the week over six weeks
  plus a smoothed level; cruder than MSTL but robust to a few odd days.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from grid_intel.forecasting.prediction import Prediction
from grid_intel.forecasting.series import Series

DAY = timedelta(days=1)
WEEK = timedelta(days=7)
PROFILE_WEEKS = 6
MSTL_WEEKS = 10
MSTL_POINTS = 3360  # STL's cost grows with points x period: 5-min series fit on 2 weeks
WINDOWS = (11, 15)  # STL seasonal windows (cycles) of the day and the week, as R's mstl
ALPHAS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.7, 0.85, 1.0)


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


def _ses(x: np.ndarray, alphas: tuple[float, ...] = ALPHAS) -> float:
    """Last level of simple exponential smoothing, alpha chosen by one-step error."""
    best, level_best = np.inf, float(x[-1])
    for a in alphas:
        level, sse = float(x[0]), 0.0
        for v in x[1:]:
            sse += (v - level) ** 2
            level += a * (v - level)
        if sse < best:
            best, level_best = sse, level
    return level_best


def mstl(s: Series, steps: int) -> Prediction:
    """MSTL: STL for the day, then the week, twice round; each season carried forward
    from its last cycle, the seasonally adjusted rest by exponential smoothing."""
    from statsmodels.tsa.seasonal import STL  # imported on use: statsmodels is slow to load

    week = s.per(WEEK)
    periods = [p for p in (s.per(DAY), week) if s.y.size >= 2 * p]
    n = min(s.y.size, MSTL_WEEKS * week, max(MSTL_POINTS, 2 * week))
    x = s.y[-n:]
    seasonal = np.zeros((len(periods), n))
    adjusted = x.copy()
    for _ in range(2 if len(periods) > 1 else 1):
        for i, period in enumerate(periods):
            adjusted += seasonal[i]
            fit = STL(adjusted, period=period, seasonal=WINDOWS[i], seasonal_deg=0).fit()
            seasonal[i] = fit.seasonal
            adjusted -= seasonal[i]
    lead = np.arange(steps)
    future = sum(seasonal[i][n - p + lead % p] for i, p in enumerate(periods))
    return Prediction(future + _ses(adjusted[-min(n, 2 * week) :]))


def profiles(s: Series, steps: int) -> Prediction:
    """Median profiles leave more noise in what remains, so its level is smoothed harder."""
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
    return Prediction(seasonal_future + _ses(recent, ALPHAS[:-3]))
