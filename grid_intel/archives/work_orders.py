"""Maintenance work orders as an asset-management system exports them: one CSV per UTC day.

One row per work order: the asset (transformer, breaker or line) and where it
is, the kind of work, status, priority (1 emergency … 4 routine), when it was
scheduled, opened (crew on site) and completed (UTC), crew hours, the outage it
answers, the breakers held open for the work (`;`-separated) and the crew's
notes. `work_orders_YYYYMMDD.csv` holds those opened, or for cancelled work
scheduled, on that UTC day.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from grid_intel.archives import tables
from grid_intel.archives.parsed import Parsed
from grid_intel.grid.records import WORK_ORDER_KINDS, WORK_ORDER_STATUSES

KINDS = WORK_ORDER_KINDS
STATUSES = WORK_ORDER_STATUSES
ASSET_KINDS = ("transformer", "breaker", "line")
EXPORT = tables.DailyExport(
    "work_orders",
    "work_order_id str, asset str, asset_kind str, substation str, region str, kind str,"
    " status str, priority int, planned_start_utc utc?, opened_utc utc?,"
    " completed_utc utc?, crew_hours float, outage_id str?, breakers_opened list,"
    " notes str?",
)
COLUMNS = EXPORT.columns
file_name, render = EXPORT.file_name, EXPORT.render


def check(row: dict[str, object]) -> None:
    """A work order row makes sense: known codes, and times in order for its status."""
    for column, allowed in (("kind", KINDS), ("status", STATUSES), ("asset_kind", ASSET_KINDS)):
        if row[column] not in allowed:
            raise ValueError(f"{column} {row[column]!r} is not one of {', '.join(allowed)}")
    if not 1 <= row["priority"] <= 4:  # type: ignore[operator]
        raise ValueError(f"priority {row['priority']} is not 1-4")
    opened, completed = row["opened_utc"], row["completed_utc"]
    if row["status"] == "completed":
        if opened is None or completed is None:
            raise ValueError("completed work order without opened_utc and completed_utc")
        if completed < opened:  # type: ignore[operator]
            raise ValueError("completed_utc is before opened_utc")
    elif completed is not None:
        raise ValueError(f"{row['status']} work order with completed_utc")
    if row["crew_hours"] < 0:  # type: ignore[operator]
        raise ValueError("crew_hours is negative")


def parse(path: Path) -> Parsed:
    """Read a work-order export leniently: bad rows come back as rejects."""
    return tables.parse(path, COLUMNS, "work orders", check)


def read(path: Path) -> pl.DataFrame:
    """Read a work-order export; ArchiveError on the first bad row."""
    return parse(path).strict()
