"""Time-window partitions shared by every layer (UTC)."""

import dagster as dg

PARTITIONS_START = "2026-01-01-00:00"

hourly = dg.HourlyPartitionsDefinition(start_date=PARTITIONS_START, timezone="UTC")
