"""The code location: per-domain definitions plus cross-cutting policy."""

import dagster as dg

from grid_intel.defs.ingestion.assets import defs as ingestion_defs
from grid_intel.defs.resources import build_resources
from grid_intel.defs.transform.assets import defs as transform_defs
from grid_intel.settings import get_settings

defs = dg.Definitions.merge(
    ingestion_defs,
    transform_defs,
    dg.Definitions(
        resources=build_resources(get_settings()),
        executor=dg.multiprocess_executor.configured({"max_concurrent": 2}),
    ),
)
