"""Regional demand driven by temperature, clock time, day type and holidays.

Electric heating dominates: demand rises linearly as temperature falls below a
16 °C balance point, calibrated so that the province draws the record 5,111.5 MW
(reference: 20 January 2025, 08:00, -32.7 °C in Winnipeg) on a weekday morning
at record cold. The base load and hourly shape are modelling assumptions chosen
to give roughly 24 TWh a year of domestic load.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from grid_intel.grid.calendar import statutory_holidays
from grid_intel.grid.regions import REGIONS, REGIONS_BY_ID
from grid_intel.simulation.noise import smooth_noise

RECORD_PEAK_MW = 5111.5
RECORD_TEMP_C = -32.7
RECORD_LOCAL_HOUR = 8
BASE_MW = 2000.0
BALANCE_POINT_C = 16.0
COOLING_START_C = 21.0
COOLING_MW_PER_C = 35.0
WEEKEND_FACTOR = 0.94
HOLIDAY_FACTOR = 0.93
LOCAL_TZ = "America/Winnipeg"

# Weekday shape by local clock hour: night trough, morning and early-evening peaks.
HOURLY_SHAPE = np.array(
    [
        0.86,
        0.83,
        0.82,
        0.82,
        0.84,
        0.90,
        0.99,
        1.06,
        1.08,
        1.06,
        1.04,
        1.03,
        1.02,
        1.01,
        1.00,
        1.01,
        1.05,
        1.10,
        1.11,
        1.09,
        1.06,
        1.02,
        0.96,
        0.90,
    ]
)


def _record_heating_degrees() -> float:
    return sum(
        r.load_share * max(0.0, BALANCE_POINT_C - (RECORD_TEMP_C + r.temp_offset_c))
        for r in REGIONS
    )


HEATING_MW_PER_C = (
    RECORD_PEAK_MW - BASE_MW * HOURLY_SHAPE[RECORD_LOCAL_HOUR]
) / _record_heating_degrees()


def expected_mw(
    temp_c: np.ndarray, local_hour: np.ndarray, day_factor: np.ndarray, share: float
) -> np.ndarray:
    """Noise-free demand of a region with `share` of the province's load."""
    heating = HEATING_MW_PER_C * np.clip(BALANCE_POINT_C - temp_c, 0, None)
    cooling = COOLING_MW_PER_C * np.clip(temp_c - COOLING_START_C, 0, None)
    return share * (BASE_MW * HOURLY_SHAPE[local_hour] * day_factor + heating + cooling)


def demand(seed: int, weather: pl.DataFrame) -> pl.DataFrame:
    """`demand_mw` per region for each row of a weather frame (ts UTC, region, temp_c)."""
    local = weather.with_columns(pl.col("ts").dt.convert_time_zone(LOCAL_TZ).alias("_local"))
    days = local.select(pl.col("_local").dt.date().unique())["_local"].to_list()
    holidays = [d for d in days if d in statutory_holidays(d.year)]
    local = local.with_columns(
        pl.col("_local").dt.hour().alias("_hour"),
        pl.when(pl.col("_local").dt.date().is_in(holidays))
        .then(HOLIDAY_FACTOR)
        .when(pl.col("_local").dt.weekday() >= 6)
        .then(WEEKEND_FACTOR)
        .otherwise(1.0)
        .alias("_day"),
    )
    parts = []
    for region_id, part in local.partition_by("region", as_dict=True).items():
        region = REGIONS_BY_ID[region_id[0]]
        hours = part["ts"].dt.epoch("s").to_numpy() / 3600.0
        noise = 0.015 * smooth_noise(seed, f"load/{region.id}", hours, 6.0) + 0.005 * smooth_noise(
            seed, f"load-fast/{region.id}", hours, 1.0
        )
        mw = expected_mw(
            part["temp_c"].to_numpy(),
            part["_hour"].to_numpy(),
            part["_day"].to_numpy(),
            region.load_share,
        ) * (1 + noise)
        parts.append(part.select("ts", "region").with_columns(demand_mw=pl.Series(mw)))
    return pl.concat(parts).sort("ts", "region")
