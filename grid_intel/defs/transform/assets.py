"""grid_intel_dbt embedded as Dagster assets, one `@dbt_assets` per partitioning.

Reference models and seeds are unpartitioned; staging, marts and metrics run
per hour or per UTC day (their dbt tag), with the partition's time window passed
as `--vars`. A backfill of many partitions is one dbt run over the whole range.
dbt tests become asset checks. Silver and gold are separate ops, so silver's
blocking checks (dbt's error tests and the quality catalog's ERROR checks) run
between them and a failure stops gold for that partition.
"""

import json
import os
from collections.abc import Iterator

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from grid_intel.defs.partitions import daily, hourly
from grid_intel.defs.resources import WarehouseResource
from grid_intel.defs.transform.project import dbt_project
from grid_intel.defs.transform.translator import GridDbtTranslator


def window_vars(window: dg.TimeWindow) -> str:
    return json.dumps(
        {"window_start": window.start.isoformat(), "window_end": window.end.isoformat()}
    )


def run_dbt(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    window: dg.TimeWindow | None,
) -> Iterator[object]:
    """`dbt build` of the selected models on the warehouse's lane (postgres or timescaledb)."""
    # dbt runs as a subprocess of this run and reads its connection from these.
    os.environ.update(warehouse.dbt_env())
    # A test between two models runs with whichever is built last ("buildable"):
    # never before both exist, as dbt's default ("eager") would.
    args = ["build", "--target", warehouse.lane(), "--indirect-selection", "buildable"]
    if window is not None:
        args += ["--vars", window_vars(window)]
    yield from dbt.cli(args, context=context).stream()


def build_dbt_assets(
    tag: str, partitions_def: dg.TimeWindowPartitionsDefinition | None, layer: str | None = None
) -> dg.AssetsDefinition:
    """The models and seeds tagged `tag` (in schema `layer` if given), run per partition
    (or whole when unpartitioned)."""

    @dbt_assets(
        manifest=dbt_project.manifest_path,
        project=dbt_project,
        dagster_dbt_translator=GridDbtTranslator(),
        select=f"tag:{tag},config.schema:{layer}" if layer else f"tag:{tag}",
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run() if partitions_def else None,
        name=f"grid_intel_dbt_{tag}_{layer}" if layer else f"grid_intel_dbt_{tag}",
    )
    def _assets(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
    ) -> Iterator[object]:
        window = context.partition_time_window if partitions_def else None
        yield from run_dbt(context, dbt, warehouse, window)

    return _assets


dbt_reference_assets = build_dbt_assets("reference", None)
# Each partitioned group as (silver, gold): materialize both for the whole layer stack.
dbt_hourly_assets = tuple(build_dbt_assets("hourly", hourly, layer) for layer in ("silver", "gold"))
dbt_daily_assets = tuple(build_dbt_assets("daily", daily, layer) for layer in ("silver", "gold"))

DBT_ASSETS = (dbt_reference_assets, *dbt_hourly_assets, *dbt_daily_assets)

defs = dg.Definitions(assets=list(DBT_ASSETS))
