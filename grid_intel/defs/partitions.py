"""Time-window partitions shared by every layer (UTC)."""

import dagster as dg

PARTITIONS_START = "2026-01-01-00:00"

hourly = dg.HourlyPartitionsDefinition(start_date=PARTITIONS_START, timezone="UTC")

# Archives and rollups by UTC day, from the same first day as the hours.
daily = dg.DailyPartitionsDefinition(start_date=hourly.start, timezone="UTC")
