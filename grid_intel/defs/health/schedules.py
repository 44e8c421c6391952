"""Health scoring runs nightly (01:15 UTC) on the closed day."""

import dagster as dg

from grid_intel.defs.health.assets import equipment_health, equipment_health_heatmap
from grid_intel.defs.partitions import daily

health_scoring_job = dg.define_asset_job(
    "health_scoring_daily",
    selection=dg.AssetSelection.assets(equipment_health, equipment_health_heatmap),
    partitions_def=daily,
)
health_scoring_schedule = dg.build_schedule_from_partitioned_job(
    health_scoring_job,
    hour_of_day=1,
    minute_of_hour=15,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

defs = dg.Definitions(jobs=[health_scoring_job], schedules=[health_scoring_schedule])
