"""What the hourly anomaly assets read from the warehouse: an hour of raw scans as a
block (scans x points), the hour's frequency samples, trailing gas means and hourly
stats. Raw bronze, because the faults to find (stuck, spikes, dropouts) are exactly
what validation would smooth away."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np
import polars as pl
import psycopg

from grid_intel.anomaly.physical import Block
from grid_intel.grid.equipment import Point

SCAN_S = 4
READINGS = """
select extract(epoch from ts)::float8 as epoch, point_id, value
from bronze.sensor_readings where ts >= %s and ts < %s
"""
FREQUENCY = """
select ts, region, frequency_hz as hz from bronze.grid_frequency
where ts >= %s and ts < %s order by ts
"""
GAS_MEANS = """
select point_id, date_trunc('hour', ts, 'UTC') as hour, avg(value)
from bronze.sensor_readings
where ts >= %s and ts < %s and point_id like '%%\\_ppm' and value is not null
group by 1, 2
"""
STATS = """
select point_id, date_trunc('hour', ts, 'UTC') as hour, avg(value), min(value), max(value)
from bronze.sensor_readings where ts >= %s and ts < %s and value is not null
group by 1, 2
"""


def block(
    conn: psycopg.Connection, start: datetime, end: datetime, points: Sequence[Point]
) -> Block | None:
    """The readings of [start, end) on the 4-second scan grid, NaN where none arrived
    (a dropout, or a gap); None when the hour holds no readings at all."""
    rows = conn.execute(READINGS, (start, end)).fetchall()
    if not rows:
        return None
    epoch = np.arange(start.timestamp(), end.timestamp(), SCAN_S)
    column = {p.id: j for j, p in enumerate(points)}
    values = np.full((epoch.size, len(points)), np.nan)
    reported = np.zeros(values.shape, dtype=bool)
    for t, pid, v in rows:
        j = column.get(pid)
        if j is not None:
            i = int((t - epoch[0]) // SCAN_S)
            reported[i, j] = True
            if v is not None:
                values[i, j] = v
    return (epoch, values), reported


def frequency(conn: psycopg.Connection, start: datetime, end: datetime) -> pl.DataFrame:
    rows = conn.execute(FREQUENCY, (start, end)).fetchall()
    return pl.DataFrame(
        rows,
        schema={"ts": pl.Datetime("us", "UTC"), "region": pl.String, "hz": pl.Float64},
        orient="row",
    )


def gas_means(conn: psycopg.Connection, end: datetime, hours: int) -> pl.DataFrame:
    """Hourly means of every transformer gas over the `hours` hours up to `end`, from
    the raw scans (what gases.detect and the hourly stats both take)."""
    rows = conn.execute(GAS_MEANS, (end - timedelta(hours=hours), end)).fetchall()
    return pl.DataFrame(
        [
            (pid.rpartition(".")[0], hour, pid.rpartition(".")[2].removesuffix("_ppm"), v)
            for pid, hour, v in rows
        ],
        schema={
            "asset": pl.String,
            "hour": pl.Datetime("us", "UTC"),
            "gas": pl.String,
            "mean_value": pl.Float64,
        },
        orient="row",
    )


def hourly_stats(
    conn: psycopg.Connection, start: datetime, end: datetime, points: Sequence[Point]
) -> pl.DataFrame:
    """Mean, min and max per point and hour from the raw scans, with the point's asset,
    kind and measurement: the layout of gold.hourly_station_stats, without waiting for
    the dbt models."""
    by_id = {p.id: p for p in points}
    rows = [
        (hour, p.asset, p.asset_kind, p.measurement, mean, lo, hi)
        for pid, hour, mean, lo, hi in conn.execute(STATS, (start, end)).fetchall()
        if (p := by_id.get(pid)) is not None
    ]
    return pl.DataFrame(
        rows,
        schema={
            "hour": pl.Datetime("us", "UTC"),
            "asset": pl.String,
            "asset_kind": pl.String,
            "measurement": pl.String,
            "mean_value": pl.Float64,
            "min_value": pl.Float64,
            "max_value": pl.Float64,
        },
        orient="row",
    )
