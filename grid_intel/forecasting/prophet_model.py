"""Prophet with daily and weekly seasonality and Manitoba's statutory holidays.

It is fitted on the last weeks only (Prophet's cost grows with the points, and
demand's seasonal shape drifts with the seasons anyway); its uncertainty interval
gives the quantiles, assuming a normal spread around the median. Fit and sampling
are seeded, so the same history always gives the same forecast.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from statistics import NormalDist
from typing import TYPE_CHECKING

import numpy as np

from grid_intel.forecasting.prediction import Prediction
from grid_intel.forecasting.series import Series
from grid_intel.grid.calendar import statutory_holidays

if TYPE_CHECKING:
    import pandas as pd

FIT_WEEKS = 6
INTERVAL = 0.8
# Prophet samples its interval with numpy's global generator and lets cmdstan pick
# an optimizer seed: both are pinned so a re-issued forecast repeats its rows.
SEED = 20260101


def _holidays(first: datetime, last: datetime) -> pd.DataFrame:
    import pandas as pd

    days = sorted(d for y in range(first.year, last.year + 1) for d in statutory_holidays(y))
    return pd.DataFrame({"holiday": "statutory", "ds": pd.to_datetime(days)})


def fit_predict(
    s: Series,
    steps: int,
    levels: Sequence[float],
    covariates: dict[str, np.ndarray] | None = None,
) -> Prediction:
    import pandas as pd  # imported on use, as Prophet is: run processes skip ~1 s of import
    from prophet import Prophet  # imported on use: it loads cmdstan

    logging.getLogger("cmdstanpy").setLevel(logging.WARNING)
    logging.getLogger("prophet").setLevel(logging.WARNING)
    n = min(s.y.size, FIT_WEEKS * s.per(timedelta(days=7)))
    ts = np.concatenate([s.ts[-n:], s.future(steps)])
    ds = pd.to_datetime(ts, unit="us")  # naive UTC, as Prophet wants
    weekly = s.y.size >= 2 * s.per(timedelta(days=7))
    model = Prophet(
        daily_seasonality=True,
        weekly_seasonality=weekly,
        yearly_seasonality=False,
        interval_width=INTERVAL,
        holidays=_holidays(
            datetime.fromtimestamp(ts[0] / 1e6, UTC), datetime.fromtimestamp(ts[-1] / 1e6, UTC)
        ),
        uncertainty_samples=200,
    )
    history = pd.DataFrame({"ds": ds[:n], "y": s.y[-n:]})
    future = pd.DataFrame({"ds": ds[n:]})
    for name, values in (covariates or {}).items():
        model.add_regressor(name)
        v = np.asarray(values, dtype=float)[-(n + steps) :]
        history[name], future[name] = v[:n], v[n:]
    model.fit(history, seed=SEED)
    saved = np.random.get_state()
    np.random.seed(SEED)
    try:
        out = model.predict(future)
    finally:
        np.random.set_state(saved)
    point = out["yhat"].to_numpy()
    sigma = (out["yhat_upper"] - out["yhat_lower"]).to_numpy() / (
        2 * NormalDist().inv_cdf(0.5 + INTERVAL / 2)
    )
    quant = point[:, None] + np.outer(sigma, [NormalDist().inv_cdf(q) for q in levels])
    return Prediction(point, np.sort(quant, axis=1))
