"""The export/import signals judged on a simulated month: the simulator gives load,
hydro, wind and MISO's day-ahead price, the forecasting toolkit the price forecast,
and `grid_intel.market.backtest` scores the signals against the naive strategies."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl

from grid_intel.forecasting import forecast_report
from grid_intel.grid.hydro import hydro_available
from grid_intel.market.costs import reservoir_state
from grid_intel.simulation.demand import demand
from grid_intel.simulation.dispatch import WIND, WIND_AVAILABILITY, wind_power_fraction
from grid_intel.simulation.market import lmp
from grid_intel.simulation.weather import weather

HISTORY_DAYS = 28  # price history before the month, so its first day can be forecast
FORECAST_MODEL = "mstl"  # the forecasting toolkit's model; ~0.3 s an issue


@dataclass(frozen=True)
class SimulatedMonth:
    """Signal inputs for a simulated span and the prices they settle at."""

    hours: pl.DataFrame  # signals' INPUT_COLUMNS + day_of_year, storage
    actual_lmp: pl.DataFrame  # hour, lmp: day-ahead LMP at MHEB, from HISTORY_DAYS before
    forecaster: str


def _day_ahead_forecasts(actual: pl.DataFrame, start: datetime, days: int) -> pl.DataFrame:
    """p10/p50/p90 issued at each day's 00:00 UTC for its 24 hours, from the prior
    HISTORY_DAYS of prices only."""
    parts = []
    for d in range(days):
        issue = start + timedelta(days=d)
        history = actual.filter(
            pl.col("hour") >= issue - timedelta(days=HISTORY_DAYS), pl.col("hour") < issue
        ).select(pl.col("hour").alias("ts"), "lmp")
        report = forecast_report(history, 24, target="lmp", model=FORECAST_MODEL)
        parts.append(
            report.frame.select(
                pl.col("ts").alias("hour"),
                pl.col("yhat_p10").alias("lmp_p10"),
                pl.col("yhat_p50").alias("lmp_p50"),
                pl.col("yhat_p90").alias("lmp_p90"),
            )
        )
    return pl.concat(parts)


def simulated_month(
    seed: int = 7, start: datetime = datetime(2026, 1, 1, tzinfo=UTC), days: int = 30
) -> SimulatedMonth:
    """Hourly signal inputs from the simulator: Manitoba load from the demand model,
    hydro available as dispatch sees it (fleet x availability x water factor), wind
    from the farms' power curve, and the day-ahead LMP at MHEB; the price forecast is
    the toolkit's MSTL, issued daily from earlier prices only. Load is taken as known
    (a day-ahead load forecast errs by ~3 %, the same for every strategy)."""
    first = start - timedelta(days=HISTORY_DAYS)
    end = start + timedelta(days=days)
    w = weather(seed, first, end)
    central = w.filter(pl.col("region") == "central").sort("ts")
    ts = central["ts"].dt.replace_time_zone(None).to_numpy()
    prices = lmp(seed, "DA", ts, central["temp_c"].to_numpy(), central["wind_ms"].to_numpy())
    actual = prices.filter(pl.col("location") == "MHEB").select(
        pl.col("interval_start").alias("hour"), "lmp"
    )
    load = (
        demand(seed, w.filter(pl.col("ts") >= start)).group_by("ts").agg(pl.col("demand_mw").sum())
    )
    wind_fraction = wind_power_fraction(central["wind_ms"].to_numpy())
    wind_mw = sum(s.capacity_mw for s in WIND) * WIND_AVAILABILITY * wind_fraction
    hours = (
        central.select(pl.col("ts").alias("hour"), wind_mw=pl.Series(wind_mw))
        .filter(pl.col("hour") >= start)
        .join(load.select(pl.col("ts").alias("hour"), load_mw="demand_mw"), on="hour")
        .with_columns(day_of_year=pl.col("hour").dt.ordinal_day())
        .sort("hour")
    )
    doy = hours["day_of_year"].to_numpy()
    hours = hours.with_columns(
        hydro_available_mw=pl.Series(hydro_available(doy)),
        storage=pl.Series(reservoir_state(doy), dtype=pl.Float64),
    ).join(_day_ahead_forecasts(actual, start, days), on="hour", how="left")
    if math.isnan(hours["lmp_p50"].fill_null(np.nan).sum()):
        raise ValueError("the day-ahead forecast does not cover every hour of the month")
    return SimulatedMonth(hours, actual, FORECAST_MODEL)
