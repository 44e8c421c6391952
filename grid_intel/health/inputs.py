"""What the equipment-health scores read from the warehouse for one UTC day.

Each query returns a polars frame; the scoring in `fleet` stays pure. History
tables that were never built (no maintenance or outage archive loaded yet)
read as empty, and `missing` says which, so the asset can report it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import polars as pl
import psycopg

HISTORY_DAYS = 365
TRAILING_DAYS = 30
WARM_UP = timedelta(hours=24)  # hours before the day that only warm the thermal model up

TRANSFORMER_HOURS = """
select asset, hour, measurement, mean_value, max_value
from gold.hourly_station_stats
where asset_kind = 'transformer' and hour >= %(warm)s and hour < %(end)s
  and measurement in ('load_mva', 'ambient_temp_c', 'top_oil_temp_c', 'hot_spot_temp_c')
"""
GASES = """
select asset, hour, replace(measurement, '_ppm', '') as gas, mean_value
from gold.hourly_station_stats
where asset_kind = 'transformer' and measurement like '%%\\_ppm'
  and hour >= %(start)s and hour < %(end)s and mean_value is not null
"""
PEAK_LOAD = """
select asset, max(max_value) as peak
from gold.hourly_station_stats
where measurement = %(measurement)s and hour >= %(trail)s and hour < %(end)s
group by asset
"""
AGEING_TOTALS = """
select asset, min(hour) as first_hour, count(*) as hours,
       sum(faa_mean) as faa_hours, sum(iec_relative_ageing_mean) as iec_hours
from gold.transformer_ageing_hourly
where hour < %(end)s
group by asset
"""
AGEING_DAYS = """
select asset, date_trunc('day', hour, 'UTC') as day,
       avg(faa_mean) as faa, avg(iec_relative_ageing_mean) as iec
from gold.transformer_ageing_hourly
where hour >= %(trail)s and hour < %(end)s
group by 1, 2
"""
BREAKER_DAY = """
select asset, max(max_value) as operation_count, max(max_value) - min(min_value) as operations
from gold.hourly_station_stats
where asset_kind = 'breaker' and measurement = 'operation_count'
  and hour >= %(start)s and hour < %(end)s
group by asset
"""
LINE_DAY = """
select asset,
       max(max_value) filter (where hour >= %(start)s) as peak_conductor_c,
       count(*) filter (where max_value > %(design_c)s) as hours_over_design
from gold.hourly_station_stats
where asset_kind = 'line' and measurement = 'conductor_temp_c'
  and hour >= %(trail)s and hour < %(end)s
group by asset
"""
CORRECTIVE = """
select asset, count(*) as n
from silver.maintenance
where kind = 'corrective_repair' and ts >= %(history)s and ts < %(end)s
group by asset
"""
OUTAGES = """
select asset, count(*) as n from (
    select protected_asset as asset from silver.outages
    where cause <> 'planned' and start_utc >= %(history)s and start_utc < %(end)s
    union all
    select breaker from silver.outages
    where cause <> 'planned' and start_utc >= %(history)s and start_utc < %(end)s
) as o
group by asset
"""
EQUIPMENT = "select * from silver.equipment order by asset"


@dataclass
class HealthInputs:
    """Every frame the day's scores need, and which source tables were not there."""

    start: datetime
    end: datetime
    equipment: pl.DataFrame
    transformer_hours: pl.DataFrame
    gases: pl.DataFrame
    peak_load: pl.DataFrame
    peak_current: pl.DataFrame
    ageing_totals: pl.DataFrame
    ageing_days: pl.DataFrame
    breakers: pl.DataFrame
    lines: pl.DataFrame
    corrective: pl.DataFrame
    outages: pl.DataFrame
    missing: list[str] = field(default_factory=list)


def _frame(
    conn: psycopg.Connection, query: str, params: dict[str, object], table: str, missing: list[str]
) -> pl.DataFrame:
    (exists,) = conn.execute("select to_regclass(%s) is not null", (table,)).fetchone()
    if not exists:
        missing.append(table)
        return pl.DataFrame()
    with conn.cursor() as cur:
        cur.execute(query, params)
        names = [d.name for d in cur.description or []]
        return pl.DataFrame(cur.fetchall(), schema=names, orient="row", infer_schema_length=None)


def read_inputs(
    conn: psycopg.Connection, start: datetime, end: datetime, design_c: float
) -> HealthInputs:
    """The day [start, end) and the windows behind it, read in one snapshot."""
    params = {
        "start": start,
        "end": end,
        "warm": start - WARM_UP,
        "trail": end - timedelta(days=TRAILING_DAYS),
        "history": end - timedelta(days=HISTORY_DAYS),
        "design_c": design_c,
    }
    missing: list[str] = []
    stats = "gold.hourly_station_stats"
    ageing = "gold.transformer_ageing_hourly"
    with conn.transaction():
        conn.execute("set transaction isolation level repeatable read, read only")
        return HealthInputs(
            start=start,
            end=end,
            equipment=_frame(conn, EQUIPMENT, {}, "silver.equipment", missing),
            transformer_hours=_frame(conn, TRANSFORMER_HOURS, params, stats, missing),
            gases=_frame(conn, GASES, params, stats, missing),
            peak_load=_frame(
                conn, PEAK_LOAD, {**params, "measurement": "load_mva"}, stats, missing
            ),
            peak_current=_frame(
                conn, PEAK_LOAD, {**params, "measurement": "current_a"}, stats, missing
            ),
            ageing_totals=_frame(conn, AGEING_TOTALS, params, ageing, missing),
            ageing_days=_frame(conn, AGEING_DAYS, params, ageing, missing),
            breakers=_frame(conn, BREAKER_DAY, params, stats, missing),
            lines=_frame(conn, LINE_DAY, params, stats, missing),
            corrective=_frame(conn, CORRECTIVE, params, "silver.maintenance", missing),
            outages=_frame(conn, OUTAGES, params, "silver.outages", missing),
            missing=sorted(set(missing)),
        )
