"""Health scoring runs nightly (01:15 UTC) on the closed day."""

import dagster as dg

from grid_intel.defs.health.assets import equipment_health, equipment_health_heatmap
from grid_intel.defs.partitions import daily, nightly

health_scoring_job = dg.define_asset_job(
    "health_scoring_daily",
    selection=dg.AssetSelection.assets(equipment_health, equipment_health_heatmap),
    partitions_def=daily,
)
health_scoring_schedule = nightly(health_scoring_job, hour=1, minute=15)

defs = dg.Definitions(jobs=[health_scoring_job], schedules=[health_scoring_schedule])
