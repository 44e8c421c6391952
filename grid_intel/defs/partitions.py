"""Time-window partitions shared by every layer (UTC)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import dagster as dg

if TYPE_CHECKING:
    from dagster._core.definitions.unresolved_asset_job_definition import (
        UnresolvedAssetJobDefinition,
    )

PARTITIONS_START = "2026-01-01-00:00"

hourly = dg.HourlyPartitionsDefinition(start_date=PARTITIONS_START, timezone="UTC")

# Archives and rollups by UTC day, from the same first day as the hours.
daily = dg.DailyPartitionsDefinition(start_date=hourly.start, timezone="UTC")

# Backfill runs of hourly Python assets cover up to a day of hours each: a run pays
# its start-up (process, code location, resources: seconds each) 7 times a week
# instead of 168, and a failed run re-does at most one day.
HOURLY_BACKFILL = dg.BackfillPolicy.multi_run(24)

# Run tags that make one run cover a range of partition keys, as single-run backfills do.
RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


def range_tags(first: str, last: str) -> dict[str, str]:
    """One run over the partition keys first..last (inclusive)."""
    return {RANGE_START: first, RANGE_END: last}


def run_hours(context: dg.AssetExecutionContext) -> list[tuple[datetime, datetime]]:
    """Each hour's window in an hourly asset's run, in order: a backfill run covers a range
    of hours, and assets that judge one hour at a time must stamp and replace each alone."""
    keys = hourly.get_partition_keys_in_range(dg.PartitionKeyRange(*context.partition_key_range))
    return [tuple(hourly.time_window_for_partition_key(k)) for k in keys]


ONE_SECOND = timedelta(seconds=1)  # a forecast partition is its one issue instant


def issue_instants(context: dg.AssetExecutionContext) -> list[datetime]:
    """The issue instant of every hour in the run's range: each hour's close."""
    return [end for _, end in run_hours(context)]


def nightly(job: UnresolvedAssetJobDefinition, hour: int, minute: int) -> dg.ScheduleDefinition:
    """`job` run for each UTC day once it has closed, at hour:minute UTC the next day, from
    the moment the code location loads (a deployment needs no click to start it)."""
    return dg.build_schedule_from_partitioned_job(
        job,
        hour_of_day=hour,
        minute_of_hour=minute,
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )
