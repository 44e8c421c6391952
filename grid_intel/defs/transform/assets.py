"""grid_intel_dbt embedded as hourly-partitioned assets; dbt tests become asset checks."""

import json
import os
from collections.abc import Iterator

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from grid_intel.defs.partitions import hourly
from grid_intel.defs.resources import WarehouseResource
from grid_intel.defs.transform.project import dbt_project
from grid_intel.defs.transform.translator import GridDbtTranslator


def window_vars(window: dg.TimeWindow) -> str:
    return json.dumps(
        {"window_start": window.start.isoformat(), "window_end": window.end.isoformat()}
    )


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=GridDbtTranslator(),
    partitions_def=hourly,
    backfill_policy=dg.BackfillPolicy.single_run(),
    name="grid_intel_dbt",
)
def grid_intel_dbt_assets(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[object]:
    # A single-run backfill hands dbt the whole range as one window.
    lane = warehouse.lane()
    # dbt runs as a subprocess of this run and reads its connection from these.
    os.environ.update(warehouse.dbt_env())
    args = ["build", "--vars", window_vars(context.partition_time_window), "--target", lane]
    yield from dbt.cli(args, context=context).stream()


defs = dg.Definitions(assets=[grid_intel_dbt_assets])
