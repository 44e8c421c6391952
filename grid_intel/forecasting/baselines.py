"""Statistical baselines every model's skill is measured against.

- Seasonal naive: the value one week earlier (one day when less than two weeks
  of history exist).
- MSTL (Bandara, Hyndman & Bergmeir): the day's and the week's seasons taken out by
  STL in turn, each carried forward, plus an exponentially smoothed level of what
  they leave: the strong classical multi-seasonal baseline for demand.
- MSTL on the log of the series: the same on a multiplicative scale, where a day's
  swing grows with its level, as demand's does (on Taylor's England and Wales
  demand it cut day-ahead MAPE from 1.00 % to 0.95 % over 111 origins).
- Seasonal profiles: medians per slot of the day and of the week over six weeks
  plus a smoothed level; cruder than MSTL but robust to a few odd days.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from grid_intel.forecasting.prediction import Covariates, Prediction
from grid_intel.forecasting.series import ForecastInputError, Series

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


def seasonal_naive(
    s: Series, steps: int, levels: Sequence[float] = (), covariates: Covariates = None
) -> Prediction:
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


def _ses(x: np.ndarray, alphas: tuple[float, ...] = ALPHAS) -> tuple[float, float]:
    """Last level of simple exponential smoothing and its alpha, chosen by one-step error."""
    best, level_best, alpha_best = np.inf, float(x[-1]), 1.0
    for a in alphas:
        level, sse = float(x[0]), 0.0
        for v in x[1:]:
            sse += (v - level) ** 2
            level += a * (v - level)
        if sse < best:
            best, level_best, alpha_best = sse, level, a
    return level_best, alpha_best


@dataclass
class SeasonalLevel:
    """A fitted decomposition: one cycle of the seasons, carried forward from the end of
    the fitted history, and a smoothed level that later observations keep updating, so
    yesterday's fit forecasts from this hour's data at the cost of a few additions."""

    end_us: int  # the fitted history's last timestamp
    step_us: int
    cycle: np.ndarray  # the seasons of the points after end_us, one (longest) period
    level: float
    alpha: float
    steps: int
    log: bool = False

    def _season(self, ts_us: np.ndarray) -> np.ndarray:
        return self.cycle[((ts_us - self.end_us) // self.step_us - 1) % self.cycle.size]

    def predict(self, s: Series, covariates: Covariates = None) -> Prediction:
        if s.step_us != self.step_us or s.ts[-1] < self.end_us:
            raise ForecastInputError(
                "a fitted decomposition forecasts from histories at its own step that run "
                "at least to the end of the one it was fitted on; refit it"
            )
        new = s.ts > self.end_us
        y = s.y[new]
        if self.log:
            y = np.log(np.clip(y, 1e-9, None))
        level = self.level
        for v in y - self._season(s.ts[new]):
            level += self.alpha * (v - level)
        point = self._season(s.future(self.steps)) + level
        return Prediction(np.exp(point) if self.log else point)


def _stl(x: np.ndarray, period: int, window: int) -> np.ndarray:
    """STL's seasonal with R's `stl` defaults, jumps included: each loess is evaluated at
    every tenth point of its window and interpolated between, which costs a tenth as
    much and, on Taylor's demand, changed day-ahead MAPE by 0.001 points."""
    from statsmodels.tsa.seasonal import STL  # imported on use: statsmodels is slow to load

    trend = math.ceil(1.5 * period / (1 - 1.5 / window))
    trend += trend % 2 == 0
    low_pass = period + (period % 2 == 0)
    return (
        STL(
            x,
            period=period,
            seasonal=window,
            seasonal_deg=0,
            seasonal_jump=math.ceil(window / 10),
            trend_jump=math.ceil(trend / 10),
            low_pass_jump=math.ceil(low_pass / 10),
        )
        .fit()
        .seasonal
    )


def fit_mstl(s: Series, steps: int, log: bool = False) -> SeasonalLevel:
    """MSTL: STL for the day, then the week, twice round; each season carried forward
    from its last cycle, the seasonally adjusted rest by exponential smoothing.
    With `log`, all of it on the log of the series (multiplicative seasons)."""
    week = s.per(WEEK)
    periods = [p for p in (s.per(DAY), week) if s.y.size >= 2 * p]
    n = min(s.y.size, MSTL_WEEKS * week, max(MSTL_POINTS, 2 * week))
    x = s.y[-n:]
    if log:
        if np.min(x) <= 0:
            raise ForecastInputError("mstl_log needs a positive series; use mstl")
        x = np.log(x)
    seasonal = np.zeros((len(periods), n))
    adjusted = x.copy()
    for _ in range(2 if len(periods) > 1 else 1):
        for i, period in enumerate(periods):
            adjusted += seasonal[i]
            seasonal[i] = _stl(adjusted, period, WINDOWS[i])
            adjusted -= seasonal[i]
    lead = np.arange(max(periods))
    cycle = sum(seasonal[i][n - p + lead % p] for i, p in enumerate(periods))
    level, alpha = _ses(adjusted[-min(n, 2 * week) :])
    return SeasonalLevel(int(s.ts[-1]), s.step_us, cycle, level, alpha, steps, log)


def mstl(s: Series, steps: int, log: bool = False) -> Prediction:
    return fit_mstl(s, steps, log).predict(s)


def fit_profiles(s: Series, steps: int) -> SeasonalLevel:
    """Median profiles leave more noise in what remains, so its level is smoothed harder."""
    day, week = s.per(DAY), s.per(WEEK)
    n = min(s.y.size, PROFILE_WEEKS * week)
    y = s.y[-n:]
    weekly_too = s.y.size >= 2 * week
    idx = np.arange(s.y.size - n, s.y.size + (week if weekly_too else day))
    tod = idx % day
    daily = _profile(y, tod[:n], day)
    rest = y - daily[tod[:n]]
    cycle = daily[tod[n:]]
    if weekly_too:
        tow = idx % week
        weekly = _profile(rest, tow[:n], week)
        weekly -= weekly.mean()
        rest = rest - weekly[tow[:n]]
        cycle = cycle + weekly[tow[n:]]
    level, alpha = _ses(rest[-min(rest.size, 2 * week) :], ALPHAS[:-3])
    return SeasonalLevel(int(s.ts[-1]), s.step_us, cycle, level, alpha, steps)
