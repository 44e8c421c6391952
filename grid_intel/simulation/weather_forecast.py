"""Day-ahead weather forecasts of the simulated weather, as a numerical weather
prediction issues them: once a day (the 12 UTC run), per region, hourly for LEADS hours.

Error model (documented in docs/forecasting.md): forecast = truth + sigma(lead) * z,
where z is smooth, unit-variance noise along the valid time, drawn afresh for each
issue, 0.8 of it shared by every region (a weather system arriving early or late
misses everywhere at once) and 0.6 local (0.8² + 0.6² = 1). sigma grows linearly
with lead, SIGMA0_C at lead 0 plus SIGMA_PER_DAY_C a day: 1.5 °C a day ahead, 3.2 °C
at five days, 4.0 °C at seven, about what published verification reports for 2 m
temperature over the Prairies in winter. Wind speed gets a 15 % log-normal error
that grows the same way. Every value depends only on (seed, issue, region, hour),
like the rest of the simulator.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import polars as pl

from grid_intel.archives.weather_forecasts import COLUMNS, ISSUE_HOUR, LEADS
from grid_intel.grid.regions import REGIONS, Region
from grid_intel.simulation.noise import epoch_hours, smooth_noise
from grid_intel.simulation.observations import HUB_TO_10M, wind_chill
from grid_intel.simulation.weather import temperature_c, wind_ms

SIGMA0_C = 1.1
SIGMA_PER_DAY_C = 0.42
WIND_LOG_SIGMA = 0.15
ERROR_KNOT_HOURS = 18.0  # forecast errors persist for about a day of valid time
SHARED, LOCAL = 0.8, 0.6


def sigma_c(lead_hours: np.ndarray) -> np.ndarray:
    """The temperature error's standard deviation at each lead, °C."""
    return SIGMA0_C + SIGMA_PER_DAY_C * np.asarray(lead_hours, dtype=float) / 24.0


def _error(seed: int, issued_at: datetime, region: Region, hours: np.ndarray) -> np.ndarray:
    issue = f"{issued_at:%Y%m%d%H}"
    shared = smooth_noise(seed, f"fc/{issue}", hours, ERROR_KNOT_HOURS)
    local = smooth_noise(seed, f"fc/{issue}/{region.id}", hours, ERROR_KNOT_HOURS)
    return SHARED * shared + LOCAL * local


def issue(
    seed: int, issued_at: datetime, regions: tuple[Region, ...] = REGIONS, leads: int = LEADS
) -> pl.DataFrame:
    """The forecast issued at `issued_at` (UTC, on the hour) in the export's columns."""
    lead = np.arange(1, leads + 1)
    ts = (
        np.datetime64(issued_at.replace(tzinfo=None), "h") + lead.astype("timedelta64[h]")
    ).astype("datetime64[s]")
    hours = epoch_hours(ts)
    sigma = sigma_c(lead)
    growth = sigma / sigma_c(np.array([24]))
    frames = []
    for r in regions:
        z = _error(seed, issued_at, r, hours)
        temp = temperature_c(seed, r, ts) + sigma * z
        wind = wind_ms(seed, r, ts) * HUB_TO_10M * 3.6 * np.exp(WIND_LOG_SIGMA * growth * z)
        frames.append(
            pl.DataFrame(
                {
                    "valid_utc": ts.astype("datetime64[us]"),
                    "lead_hours": lead,
                    "region": r.id,
                    "temp_c": np.round(temp, 1),
                    "wind_speed_kmh": np.round(wind, 1),
                    "wind_chill": np.round(wind_chill(temp, wind), 1),
                },
                nan_to_null=True,
            )
        )
    return (
        pl.concat(frames)
        .with_columns(
            pl.col("valid_utc").dt.replace_time_zone("UTC"),
            issued_utc=pl.lit(issued_at).cast(pl.Datetime("us", "UTC")),
        )
        .select(name for name, _ in COLUMNS)
    )


def daily_issues(
    seed: int, start: datetime, end: datetime, regions: tuple[Region, ...] = REGIONS
) -> pl.DataFrame:
    """The 12 UTC issue of every UTC day of [start, end), as the landing files hold them."""
    first = start.replace(hour=ISSUE_HOUR, minute=0, second=0, microsecond=0)
    if first < start:
        first += timedelta(days=1)
    out, issued = [], first
    while issued < end:
        out.append(issue(seed, issued, regions))
        issued += timedelta(days=1)
    return pl.concat(out)
