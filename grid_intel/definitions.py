"""The code location: each domain's definitions (`grid_intel/defs/<domain>/`) and the
policy they share: resources, the automation sensor and the in-process executor."""

import dagster as dg

from grid_intel import log
from grid_intel.defs.anomaly import assets as anomaly
from grid_intel.defs.automation import automation_sensor
from grid_intel.defs.bronze import assets as bronze
from grid_intel.defs.bronze import sensors as bronze_sensors
from grid_intel.defs.carbon import assets as carbon
from grid_intel.defs.dbt import assets as dbt
from grid_intel.defs.dbt import schedules as dbt_schedules
from grid_intel.defs.forecasting import assets as forecasting
from grid_intel.defs.forecasting import schedules as forecasting_schedules
from grid_intel.defs.health import assets as health
from grid_intel.defs.health import schedules as health_schedules
from grid_intel.defs.landing import assets as landing
from grid_intel.defs.landing import sensors as landing_sensors
from grid_intel.defs.market import assets as market
from grid_intel.defs.quality import checks as quality
from grid_intel.defs.resources import build_resources
from grid_intel.settings import get_settings

# Run processes load this module, not the CLI: their records are structured and redacted too.
log.configure_at_first_record(get_settings().log_level, get_settings().log_format)

DOMAINS = (
    bronze,
    bronze_sensors,
    landing,
    landing_sensors,
    dbt,
    dbt_schedules,
    quality,
    health,
    health_schedules,
    forecasting,
    forecasting_schedules,
    anomaly,
    market,
    carbon,
)

defs = dg.Definitions.merge(
    *(domain.defs for domain in DOMAINS),
    dg.Definitions(
        sensors=[automation_sensor],
        resources=build_resources(get_settings()),
        # A run's steps go one after another in the run's own process: a process per
        # step loaded the code location again for each (20-30 s of a one-hour run), and
        # the two cores are already shared by the queue's two runs.
        executor=dg.in_process_executor,
    ),
)
