"""Carbon-intensity forecast for the next 24 hours, on the forecasting toolkit.

Manitoba's intensity sits near hydro's 24 g/kWh and rises in the hours Brandon
runs or MISO power is imported, which follow load and the day's shape: the
forecast is of the consumption-based series, the one a customer shifting load
experiences, and backtests its candidates like the demand and LMP forecasts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl
import psycopg

from grid_intel.forecasting import ForecastReport, forecast_report

STEPS = 24
HISTORY = timedelta(days=28)
CANDIDATES = ("seasonal_naive", "profiles", "mstl", "xgboost")
QUANTILES = (0.1, 0.5, 0.9)
FOLDS = 3
INTENSITY_SQL = """
select hour as ts, consumption_g_kwh from gold.carbon_intensity
where hour >= %(start)s and hour < %(end)s and consumption_g_kwh is not null
  and consumption_g_kwh <> 'NaN'
order by 1
"""


def read_intensity(
    conn: psycopg.Connection, end: datetime, span: timedelta = HISTORY
) -> pl.DataFrame:
    """Hourly consumption-based intensity over [end - span, end)."""
    rows = conn.execute(INTENSITY_SQL, {"start": end - span, "end": end}).fetchall()
    return pl.DataFrame(
        rows,
        schema={"ts": pl.Datetime("us", "UTC"), "consumption_g_kwh": pl.Float64},
        orient="row",
    )


def issue(history: pl.DataFrame, folds: int = FOLDS) -> ForecastReport:
    """The next 24 hours' intensity from `history` (ts, consumption_g_kwh)."""
    return forecast_report(
        history,
        STEPS,
        target="consumption_g_kwh",
        quantiles=QUANTILES,
        candidates=CANDIDATES,
        folds=folds,
    )
