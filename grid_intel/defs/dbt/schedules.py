"""The nightly late-data rebuild; everything else follows its upstream.

At 03:00 the previous UTC day is rebuilt through silver and gold as one ranged run per
granularity: readings that reached Kafka after their hour was loaded go to bronze through
the sensors, and this rebuild makes sure every model above sees them even if an
automation tick was missed. Forecasts are not re-issued: an issued forecast is history.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import dagster as dg

from grid_intel.defs.dbt.assets import dbt_daily_assets, dbt_hourly_assets
from grid_intel.defs.partitions import daily, hourly, range_tags

if TYPE_CHECKING:
    from dagster._core.definitions.unresolved_asset_job_definition import (
        UnresolvedAssetJobDefinition,
    )

# The hourly gold carbon intensity is Python, not dbt, but reads the hourly silver these
# rebuild; it is named by key, not imported from its domain.
CARBON_INTENSITY = dg.AssetKey(["gold", "carbon_intensity"])

late_hours_job = dg.define_asset_job(
    "late_data_hours",
    selection=dg.AssetSelection.assets(*dbt_hourly_assets, CARBON_INTENSITY),
    partitions_def=hourly,
    description="Silver and gold hourly models over a range of hours (ranged, single run).",
)
late_days_job = dg.define_asset_job(
    "late_data_days",
    selection=dg.AssetSelection.assets(*dbt_daily_assets),
    partitions_def=daily,
    description="Silver and gold daily models for one day.",
)


def previous_day(scheduled: datetime) -> tuple[datetime, datetime]:
    """The UTC day before the tick's own day."""
    end = scheduled.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return end - timedelta(days=1), end


def hours_request(scheduled: datetime) -> dg.RunRequest:
    """One run over the previous day's 24 hourly partitions (the models are single-run)."""
    start, end = previous_day(scheduled)
    keys = hourly.get_partition_keys_in_time_window(dg.TimeWindow(start, end))
    return dg.RunRequest(
        run_key=f"late-hours-{start:%Y-%m-%d}",
        tags={**range_tags(keys[0], keys[-1]), "grid_intel/purpose": "late-data"},
    )


def days_request(scheduled: datetime) -> dg.RunRequest:
    start, _ = previous_day(scheduled)
    key = daily.get_partition_key_for_timestamp(start.timestamp())
    return dg.RunRequest(
        run_key=f"late-days-{key}", partition_key=key, tags={"grid_intel/purpose": "late-data"}
    )


def rebuild(
    name: str,
    job: UnresolvedAssetJobDefinition,
    cron: str,
    request: Callable[[datetime], dg.RunRequest],
    description: str,
) -> dg.ScheduleDefinition:
    """A nightly schedule (UTC, running by default) requesting `request(tick time)`."""
    return dg.ScheduleDefinition(
        name=name,
        job=job,
        cron_schedule=cron,
        execution_timezone="UTC",
        default_status=dg.DefaultScheduleStatus.RUNNING,
        execution_fn=lambda context: request(context.scheduled_execution_time),
        description=description,
    )


late_data_hours_nightly = rebuild(
    "late_data_hours_nightly",
    late_hours_job,
    "0 3 * * *",
    hours_request,
    "Yesterday's hours through silver and gold again, to absorb late readings.",
)
late_data_days_nightly = rebuild(
    "late_data_days_nightly",
    late_days_job,
    "30 3 * * *",
    days_request,
    "Yesterday's daily rollups again, after the hours they read were rebuilt.",
)


defs = dg.Definitions(
    jobs=[late_hours_job, late_days_job],
    schedules=[late_data_hours_nightly, late_data_days_nightly],
)
