"""Day-ahead weather forecasts per load region, as a forecast provider's export: one CSV
per UTC day, holding that day's 12 UTC run.

One row per region and valid hour: when it was issued (UTC), the hour it is valid
for, the lead between them in hours (1 to LEADS), the forecast air temperature,
wind speed and wind chill. `weather_forecast_YYYYMMDD.csv` holds the issue of that
day's 12 UTC run. A day's file loads once the day has closed (a daily partition), so
the issue of 12 UTC on day D serves day D+1's demand forecasts: nine days of leads
cover their 7-day horizon from any hour of D+1.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import polars as pl

from grid_intel.archives import tables
from grid_intel.archives.parsed import Parsed
from grid_intel.grid.regions import REGIONS_BY_ID

LEADS = 216  # hours: 12 UTC on D to the end of a 7-day horizon issued at the end of D+1
ISSUE_HOUR = 12
EXPORT = tables.DailyExport(
    "weather_forecast",
    "issued_utc utc, valid_utc utc, lead_hours int, region str, temp_c float,"
    " wind_speed_kmh float, wind_chill float?",
)
COLUMNS = EXPORT.columns
file_name, render = EXPORT.file_name, EXPORT.render


def check(row: dict[str, object]) -> None:
    """A forecast row makes sense: a known region, a lead that matches its times, a
    temperature on Earth."""
    lead = row["valid_utc"] - row["issued_utc"]  # type: ignore[operator]
    if lead != timedelta(hours=row["lead_hours"]):  # type: ignore[arg-type]
        raise ValueError(f"lead_hours {row['lead_hours']} but valid_utc - issued_utc is {lead}")
    if not 1 <= row["lead_hours"] <= LEADS:  # type: ignore[operator]
        raise ValueError(f"lead_hours {row['lead_hours']} is outside 1-{LEADS}")
    if row["region"] not in REGIONS_BY_ID:
        raise ValueError(f"region {row['region']!r} is not one of {', '.join(REGIONS_BY_ID)}")
    if not -70 <= row["temp_c"] <= 50:  # type: ignore[operator]
        raise ValueError(f"temp_c {row['temp_c']} is outside -70-50 °C")


def parse(path: Path) -> Parsed:
    """Read a forecast export leniently: bad rows come back as rejects."""
    return tables.parse(path, COLUMNS, "weather forecasts", check)


def read(path: Path) -> pl.DataFrame:
    """Read a forecast export; ArchiveError on the first bad row."""
    return parse(path).strict()
