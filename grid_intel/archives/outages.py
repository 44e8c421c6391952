"""Outage records as an outage-management system exports them: one CSV per UTC day.

One row per interruption: when it started and was restored (UTC), the breaker
that opened and what it protects, where, how many customers lost supply, the
customer-minutes, the cause, and whether it was momentary (under 5 minutes,
IEEE 1366's MAIFI; sustained ones count in SAIFI and SAIDI). `outages_YYYYMMDD.csv`
holds the outages that started on that UTC day.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from grid_intel.archives import tables
from grid_intel.archives.parsed import Parsed
from grid_intel.grid.records import MOMENTARY_S, OUTAGE_CAUSES

CAUSES = OUTAGE_CAUSES
MOMENTARY_MIN = MOMENTARY_S / 60
EXPORT = tables.DailyExport(
    "outages",
    "outage_id str, start_utc utc, end_utc utc, duration_min float, breaker str,"
    " protected_asset str, substation str, region str, customers_affected int,"
    " customer_minutes float, cause str, momentary bool",
)
COLUMNS = EXPORT.columns
file_name, render = EXPORT.file_name, EXPORT.render


def check(row: dict[str, object]) -> None:
    """An outage row makes sense: restored after it started, duration and flags agree."""
    start, end = row["start_utc"], row["end_utc"]
    minutes = (end - start).total_seconds() / 60  # type: ignore[operator]
    if minutes <= 0:
        raise ValueError("end_utc is not after start_utc")
    if abs(minutes - row["duration_min"]) > 0.01:  # type: ignore[operator]
        raise ValueError(f"duration_min {row['duration_min']} but the times span {minutes:.2f}")
    if row["cause"] not in CAUSES:
        raise ValueError(f"cause {row['cause']!r} is not one of {', '.join(CAUSES)}")
    if row["customers_affected"] < 0:  # type: ignore[operator]
        raise ValueError("customers_affected is negative")
    if row["momentary"] != (minutes < MOMENTARY_MIN):
        raise ValueError(f"momentary is {row['momentary']} for {minutes:.2f} minutes")


def parse(path: Path) -> Parsed:
    """Read an outage export leniently: bad rows come back as rejects."""
    return tables.parse(path, COLUMNS, "outage records", check)


def read(path: Path) -> pl.DataFrame:
    """Read an outage export; ArchiveError on the first bad row."""
    return parse(path).strict()
