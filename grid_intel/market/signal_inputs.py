"""What the hourly signals are computed from, read from gold at an issue instant.

The price is the issue's day-ahead LMP forecast at MHEB. Load is the issue's own
demand forecast for Manitoba when one was issued, else the same hour a day earlier
(persistence), and the row says which. Hydro availability is the fleet's planning
figure (capability x availability x the season's water), since no reservoir or unit
availability telemetry reaches the platform; wind persists from the last hour.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import polars as pl
import psycopg

from grid_intel.grid.hydro import hydro_available as fleet_hydro_available

LOCATION = "MHEB"
STEPS = 24
LMP_SQL = """
select ts as hour, yhat_p10 as lmp_p10, yhat_p50 as lmp_p50, yhat_p90 as lmp_p90
from gold.lmp_forecasts
where issued_at = %(t)s and location = %(location)s and horizon = 'day_ahead'
order by 1
"""
LOAD_FORECAST_SQL = """
select date_trunc('hour', ts) as hour, avg(yhat_p50) as load_mw
from gold.demand_forecasts
where issued_at = %(t)s and region = 'manitoba' and horizon = '24h'
group by 1 order by 1
"""
LOAD_YESTERDAY_SQL = """
select hour + interval '1 day' as hour, sum(demand_mw) as load_mw
from gold.demand_hourly
where hour >= %(t)s - interval '1 day' and hour < %(t)s
group by 1 having count(*) = (select count(distinct region) from gold.demand_hourly
                              where hour >= %(t)s - interval '1 day' and hour < %(t)s)
order by 1
"""
WIND_SQL = """
select generation_mw from gold.generation_mix_hourly
where fuel = 'wind' and hour < %(t)s and hour >= %(t)s - interval '6 hours'
order by hour desc limit 1
"""
HOUR = pl.Datetime("us", "UTC")


def hydro_available(hours: pl.Series) -> np.ndarray:
    """Planning hydro availability per hour (MW): fleet x availability x water factor."""
    return fleet_hydro_available(hours.dt.ordinal_day().to_numpy())


def _frame(conn: psycopg.Connection, sql: str, params: dict, schema: dict) -> pl.DataFrame:
    return pl.DataFrame(conn.execute(sql, params).fetchall(), schema=schema, orient="row")


def read_inputs(conn: psycopg.Connection, issued_at: datetime) -> tuple[pl.DataFrame, str]:
    """The signal inputs of the 24 hours from `issued_at` and the load's source; the
    frame is empty when no LMP forecast was issued then."""
    params = {"t": issued_at, "location": LOCATION}
    prices = _frame(
        conn,
        LMP_SQL,
        params,
        {"hour": HOUR, "lmp_p10": pl.Float64, "lmp_p50": pl.Float64, "lmp_p90": pl.Float64},
    )
    load_schema = {"hour": HOUR, "load_mw": pl.Float64}
    load, source = _frame(conn, LOAD_FORECAST_SQL, params, load_schema), "demand_forecast"
    if load.height < prices.height:
        load, source = _frame(conn, LOAD_YESTERDAY_SQL, params, load_schema), "yesterday"
    wind = conn.execute(WIND_SQL, params).fetchone()
    return assemble(prices, load, wind[0] if wind else 0.0), source


def assemble(prices: pl.DataFrame, load: pl.DataFrame, wind_mw: float) -> pl.DataFrame:
    """Join the price forecast and load per hour, with hydro and wind availability;
    hours without a load figure are left out rather than guessed."""
    hours = prices.join(load, on="hour", how="inner").sort("hour")
    return hours.with_columns(
        hydro_available_mw=pl.Series(hydro_available(hours["hour"]), dtype=pl.Float64),
        wind_mw=pl.lit(float(wind_mw)),
    )
