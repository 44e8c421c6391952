"""The code location: per-domain definitions plus cross-cutting policy."""

import dagster as dg

from grid_intel import log
from grid_intel.defs.automation import automation_sensor
from grid_intel.defs.ingestion import assets as ingestion
from grid_intel.defs.ingestion import sensors as ingestion_sensors
from grid_intel.defs.intelligence import anomalies, carbon, forecasts, health, market
from grid_intel.defs.ops import schedules
from grid_intel.defs.quality import checks as quality
from grid_intel.defs.reference import assets as reference
from grid_intel.defs.reference import sensors as reference_sensors
from grid_intel.defs.resources import build_resources
from grid_intel.defs.transform import assets as transform
from grid_intel.settings import get_settings

# Run processes load this module, not the CLI: their records are structured and redacted too.
log.configure(get_settings().log_level, get_settings().log_format)

defs = dg.Definitions.merge(
    ingestion.defs,
    ingestion_sensors.defs,
    reference.defs,
    reference_sensors.defs,
    transform.defs,
    quality.defs,
    health.defs,
    forecasts.defs,
    anomalies.defs,
    market.defs,
    carbon.defs,
    schedules.defs,
    dg.Definitions(
        sensors=[automation_sensor],
        resources=build_resources(get_settings()),
        # A run's steps go one after another in the run's own process: a process per
        # step loaded the code location again for each (20-30 s of a one-hour run), and
        # the two cores are already shared by the queue's two runs.
        executor=dg.in_process_executor,
    ),
)
