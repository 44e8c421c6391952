"""Day-ahead accuracy on real demand series, on one published protocol.

The protocol (the one `grid_intel_tests/data/README.md` gives for the PJM series, so
figures compare): a day-ahead forecast from each day boundary after the first eight
weeks, from history only, scored by MAPE averaged over the origins; seasonal naive
(a week back) and MSTL (day and week) on the same origins beside `auto`. A model
choice judged on one series is tuned to it: `SERIES` holds two.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from grid_intel.forecasting.backtest import mape_pct
from grid_intel.forecasting.series import prepare
from grid_intel.settings import project_root

DATA = project_root() / "grid_intel_tests" / "data"  # the series ship with the test data
WARMUP = timedelta(weeks=8)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class RealSeries:
    name: str
    file: str  # under the test data folder
    step: timedelta
    source: str

    def load(self, folder: Path) -> pl.DataFrame:
        """`ts` (UTC) and `demand_mw` of the series."""
        path = folder / self.file
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: it ships with the repository's test data")
        if path.suffix == ".csv":
            return pl.read_csv(path, try_parse_dates=True).select(
                pl.col("ts").dt.convert_time_zone("UTC"), pl.col("demand_mw").cast(pl.Float64)
            )
        values = [float(v) for v in path.read_text().split()]
        start = datetime(2000, 6, 5, tzinfo=UTC)  # Taylor's series: Monday 5 June 2000
        return pl.DataFrame(
            {"ts": [start + i * self.step for i in range(len(values))], "demand_mw": values}
        )


SERIES = (
    RealSeries(
        "taylor_england_wales_2000",
        "taylor_half_hourly_mw.txt",
        timedelta(minutes=30),
        "England and Wales, half-hourly, summer 2000 (Taylor 2003)",
    ),
    RealSeries(
        "pjm_aep_winter_2005",
        "pjm_aep_winter_2005.csv",
        timedelta(hours=1),
        "PJM AEP zone, hourly, winter 2005-06",
    ),
)


def origins(points: int, step: timedelta, every: int = 1) -> list[int]:
    """Indices of the day boundaries after the warm-up whose next day is in the series;
    with `every`, each every-th counting back from the last (a sample across the whole
    span, the small size a unit test affords, rather than its last days alone)."""
    per_day = int(DAY / step)
    first = int(WARMUP / step)
    out = list(range(first, points - per_day + 1, per_day))
    return out[::-1][::every][::-1]


def day_ahead(
    series: pl.DataFrame,
    step: timedelta,
    models: dict[str, Callable[[pl.DataFrame, int], np.ndarray]],
    at: Sequence[int],
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, dict[str, float]]:
    """Per model: day-ahead MAPE (%) averaged over the origins `at`, and its mean seconds
    per call."""
    per_day = int(DAY / step)
    y = series["demand_mw"].to_numpy()
    apes: dict[str, list[float]] = {m: [] for m in models}
    seconds: dict[str, float] = dict.fromkeys(models, 0.0)
    for n, o in enumerate(at, 1):
        history = series.head(o)
        for name, predict in models.items():
            t0 = time.perf_counter()
            yhat = predict(history, per_day)
            seconds[name] += time.perf_counter() - t0
            actual = y[o : o + per_day]
            apes[name].append(mape_pct(actual, actual - yhat))
        progress(
            f"origin {n}/{len(at)}: "
            + ", ".join(f"{m} {np.mean(v):.2f} %" for m, v in apes.items())
        )
    return {
        m: {"mape_pct": round(float(np.mean(apes[m])), 3), "seconds_per_call": seconds[m] / len(at)}
        for m in models
    }


def standard_models() -> dict[str, Callable[[pl.DataFrame, int], np.ndarray]]:
    """`auto` (what `forecast()` does by default) and the two baselines of the protocol."""
    from grid_intel.forecasting.api import forecast
    from grid_intel.forecasting.baselines import mstl, seasonal_naive

    return {
        "auto": lambda h, steps: forecast(h, steps)["yhat"].to_numpy(),
        "mstl": lambda h, steps: mstl(prepare(h, "demand_mw"), steps).point,
        "seasonal_naive": lambda h, steps: seasonal_naive(prepare(h, "demand_mw"), steps).point,
    }
