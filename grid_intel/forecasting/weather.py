"""Weather covariates for demand forecasts: temperature as it was known at an origin.

Manitoba's load follows temperature (electric heating below a 16 °C balance point),
so the demand models may learn from it. What a forecast from origin `o` may know:
observed hours that had ended by `o`, and for everything later (and any hour not
observed) the latest weather forecast available at `o`. An issue is available once
its UTC day has closed, when its daily partition loads: the pipeline's own rule. Backtests ask for
the covariates as of each fold's origin, so a model is never scored with weather it
could not have had. The system total uses the regions' temperatures weighted by
their load shares.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import polars as pl

from grid_intel.archives.weather_forecasts import LEADS
from grid_intel.grid.regions import REGIONS

if TYPE_CHECKING:
    import psycopg

BALANCE_POINT_C = 16.0  # the electric-heating balance point demand rises below
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
NAMES = ("temp_c", "heating_degrees")
OBSERVED_SQL = """
select ts, region, temp_c
from silver.weather_hourly
where ts >= %(start)s and ts < %(end)s and temp_c is not null and region is not null
"""
FORECASTS_SQL = """
select issued_utc, valid_utc, region, temp_c
from silver.weather_forecasts
where issued_utc >= %(issued_from)s and issued_utc < %(end)s and valid_utc >= %(start)s
"""
LONGEST_LEAD = timedelta(hours=LEADS)
SHARES = {r.id: r.load_share for r in REGIONS}

_TS = pl.Datetime("us", "UTC")
OBSERVED_SCHEMA = {"ts": _TS, "region": pl.String, "temp_c": pl.Float64}
FORECASTS_SCHEMA = {"issued_utc": _TS, "valid_utc": _TS, "region": pl.String, "temp_c": pl.Float64}


@dataclass
class Weather:
    """Observed hours and forecast issues of the regions over a span."""

    observed: pl.DataFrame  # ts, region, temp_c
    forecasts: pl.DataFrame  # issued_utc, valid_utc, region, temp_c
    # Every region's temperatures by (origin, start, end): an hourly issue asks the same
    # span for each of its 32 series, a card's backtest the same fold origins per region.
    _known: dict[tuple[datetime, datetime, datetime], pl.DataFrame] = field(
        default_factory=dict, repr=False, compare=False
    )

    def temperatures(self, origin: datetime, start: datetime, end: datetime) -> pl.DataFrame:
        """Hourly `ts, region, temp_c` over [start, end) as known at `origin`: observed
        where the hour had ended, else the latest issue available then."""
        key = (origin, start, end)
        if key not in self._known:
            self._known[key] = self._temperatures(origin, start, end)
        return self._known[key]

    def _temperatures(self, origin: datetime, start: datetime, end: datetime) -> pl.DataFrame:
        issued = (
            self.forecasts.filter(
                (pl.col("issued_utc").dt.truncate("1d") + DAY <= origin)
                & (pl.col("valid_utc") >= start)
                & (pl.col("valid_utc") < end)
            )
            .sort("issued_utc")
            .group_by("region", "valid_utc")
            .last()
            .select(pl.col("valid_utc").alias("ts"), "region", "temp_c")
        )
        seen = self.observed.filter(
            (pl.col("ts") >= start) & (pl.col("ts") + HOUR <= min(origin, end))
        )
        return (
            pl.concat([seen.with_columns(rank=0), issued.with_columns(rank=1)])
            .sort("rank")
            .group_by("region", "ts")
            .first()
            .drop("rank")
            .sort("region", "ts")
        )

    def covariates(
        self, region: str, origin: datetime, start: datetime, end: datetime, step: timedelta
    ) -> pl.DataFrame | None:
        """`ts`, temp_c and heating_degrees for `region` (or the system total) on a
        `step` grid over [start, end) as known at `origin`; None when an hour after the
        origin has no forecast (the model then forecasts without weather)."""
        temps = self.temperatures(origin, start - HOUR, end)
        if region in SHARES:
            hourly = temps.filter(pl.col("region") == region).select("ts", "temp_c")
        else:  # the system total: load-weighted over the regions every hour has
            hourly = (
                temps.with_columns(w=pl.col("region").replace_strict(SHARES, default=None))
                .drop_nulls("w")
                .group_by("ts")
                .agg((pl.col("temp_c") * pl.col("w")).sum() / pl.col("w").sum(), n=pl.len())
                .filter(pl.col("n") == len(SHARES))
                .select("ts", "temp_c")
            )
        grid = pl.DataFrame(
            {"ts": pl.datetime_range(start, end - step, step, time_zone="UTC", eager=True)}
        ).with_columns(pl.col("ts").cast(_TS))
        hours = hourly.sort("ts").with_columns(pl.col("ts").cast(_TS))
        future_hours = int((end - origin) / HOUR)
        if hours.filter(pl.col("ts") >= origin).height < future_hours:
            return None
        frame = (
            grid.join(hours, on="ts", how="full", coalesce=True)
            .sort("ts")
            .with_columns(pl.col("temp_c").interpolate().forward_fill().backward_fill())
            .filter((pl.col("ts") >= start) & (pl.col("ts") < end))
        )
        if frame["temp_c"].null_count():
            return None
        return frame.join(grid, on="ts", how="semi").with_columns(
            heating_degrees=(BALANCE_POINT_C - pl.col("temp_c")).clip(lower_bound=0.0)
        )


def _read(conn: psycopg.Connection, sql: str, params: dict, table: str, schema: dict):
    (exists,) = conn.execute("select to_regclass(%s) is not null", (table,)).fetchone()
    rows = conn.execute(sql, params).fetchall() if exists else []
    return pl.DataFrame(rows, schema=schema, orient="row")


def read_weather(conn: psycopg.Connection, start: datetime, end: datetime) -> Weather | None:
    """Observations and forecast issues for [start, end); None when no forecast was ever
    loaded (a deployment without a forecast feed forecasts from load alone)."""
    params = {"start": start, "end": end, "issued_from": start - LONGEST_LEAD}
    forecasts = _read(conn, FORECASTS_SQL, params, "silver.weather_forecasts", FORECASTS_SCHEMA)
    if forecasts.is_empty():
        return None
    observed = _read(conn, OBSERVED_SQL, params, "silver.weather_hourly", OBSERVED_SCHEMA)
    return Weather(observed, forecasts)
