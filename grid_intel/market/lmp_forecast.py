"""LMP forecasts at the Manitoba interface and the MINN hub, on the forecasting toolkit.

Two horizons: `next_hours` forecasts the real-time price (the hourly mean of the
5-minute LMPs) six hours ahead, what a real-time trader re-offers against;
`day_ahead` forecasts the day-ahead LMP for the next 24 hours, what the day-ahead
offer is built on. Each issue backtests the candidates over rolling origins, like
demand, and issues the best; prices go negative, so no log-scale model is tried.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl
    import psycopg

    from grid_intel.forecasting import ForecastReport

LOCATIONS = ("MHEB", "MINN.HUB")
CANDIDATES = ("seasonal_naive", "profiles", "mstl", "xgboost")
QUANTILES = (0.1, 0.5, 0.9)
HISTORY = timedelta(days=28)
FOLDS = 3


@dataclass(frozen=True)
class LmpHorizon:
    name: str
    column: str  # in gold.prices_hourly
    steps: int  # hours


HORIZONS = (LmpHorizon("next_hours", "rt_lmp", 6), LmpHorizon("day_ahead", "da_lmp", 24))

PRICES_SQL = """
select hour as ts, location, da_lmp, rt_lmp
from gold.prices_hourly
where hour >= %(start)s and hour < %(end)s and location = any(%(locations)s)
order by 1, 2
"""


def read_prices(conn: psycopg.Connection, end: datetime, span: timedelta = HISTORY) -> pl.DataFrame:
    """Hourly DA and RT LMPs per location over [end - span, end)."""
    import polars as pl

    rows = conn.execute(
        PRICES_SQL, {"start": end - span, "end": end, "locations": list(LOCATIONS)}
    ).fetchall()
    return pl.DataFrame(
        rows,
        schema={
            "ts": pl.Datetime("us", "UTC"),
            "location": pl.String,
            "da_lmp": pl.Float64,
            "rt_lmp": pl.Float64,
        },
        orient="row",
    )


def history_of(prices: pl.DataFrame, location: str, horizon: LmpHorizon) -> pl.DataFrame:
    """One location's hourly series of the horizon's price, as the toolkit reads it."""
    import polars as pl

    return (
        prices.filter(pl.col("location") == location, pl.col(horizon.column).is_not_null())
        .select("ts", pl.col(horizon.column).alias("lmp"))
        .sort("ts")
    )


def issue(
    prices: pl.DataFrame, location: str, horizon: LmpHorizon, folds: int = FOLDS
) -> ForecastReport:
    """Backtest the candidates on the location's history and forecast with the best."""
    from grid_intel.forecasting import forecast_report

    return forecast_report(
        history_of(prices, location, horizon),
        horizon.steps,
        target="lmp",
        quantiles=QUANTILES,
        candidates=CANDIDATES,
        folds=folds,
    )
