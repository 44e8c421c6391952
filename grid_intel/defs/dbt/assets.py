"""grid_intel_dbt embedded as Dagster assets, one `@dbt_assets` per partitioning.

Reference models and seeds are unpartitioned; staging, marts and metrics run
per hour or per UTC day (their dbt tag), with the partition's time window passed
in the environment (`window_env`). A backfill of many partitions is one dbt run over
the whole range.
dbt tests become asset checks. Silver and gold are separate ops, so silver's
blocking checks (dbt's error tests and the quality catalog's ERROR checks) run
between them and a failure stops gold for that partition.
The assets are what dagster-dbt's `@dbt_assets` would make, built without importing
it (`translator.py`); a run imports it to run dbt (`runtime.py`).
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from grid_intel.defs.dbt.parse_state import keep_parse_state
from grid_intel.defs.dbt.project import MANIFEST_PATH, TARGET_DIR, GridDbtResource
from grid_intel.defs.dbt.translator import SELECT_TAG, ManifestSpecs, read_specs
from grid_intel.defs.partitions import daily, hourly
from grid_intel.defs.resources import WarehouseResource

WINDOW_ENV = ("GRID_INTEL_WINDOW_START", "GRID_INTEL_WINDOW_END")


def window_env(window: dg.TimeWindow | None) -> dict[str, str]:
    """The run's window as the variables `macros/window.sql` reads while executing. Not
    `--vars`: dbt re-parses the whole project whenever its vars change, i.e. every run."""
    if window is None:
        return {}
    return dict(zip(WINDOW_ENV, (window.start.isoformat(), window.end.isoformat()), strict=True))


@contextmanager
def one_build_at_a_time(warehouse: WarehouseResource, lane: str, group: str) -> Iterator[None]:
    """Builds of one group take turns on the warehouse (a session advisory lock). Two
    runs of the same models over different hours, started together on a fresh
    warehouse, both found a model's table missing and both created it ("duplicate key
    ... pg_type_typname_nsp_index"); the second now starts after the first committed and
    finds it. The TimescaleDB lane's server serves one connection at a time, so builds
    there cannot overlap, and a second connection held open would stall dbt's."""
    if lane != "postgres":
        yield
        return
    with warehouse.connection() as conn:
        conn.autocommit = True
        conn.execute("select pg_advisory_lock(hashtextextended(%s, 0))", (f"dbt:{group}",))
        try:
            yield
        finally:
            conn.execute("select pg_advisory_unlock(hashtextextended(%s, 0))", (f"dbt:{group}",))


def run_dbt(
    context: dg.AssetExecutionContext,
    dbt: GridDbtResource,
    warehouse: WarehouseResource,
    window: dg.TimeWindow | None,
    specs: ManifestSpecs,
) -> Iterator[object]:
    """`dbt build` of the selected models on the warehouse's lane (postgres or timescaledb)."""
    # dbt runs in this run's process and reads its connection and window from these.
    os.environ.update(warehouse.dbt_env())
    for name in WINDOW_ENV:
        os.environ.pop(name, None)
    os.environ.update(window_env(window))
    # A test between two models runs with whichever is built last ("buildable"):
    # never before both exist, as dbt's default ("eager") would.
    lane = warehouse.lane()
    args = ["build", "--target", lane, "--indirect-selection", "buildable"]
    with one_build_at_a_time(warehouse, lane, context.op_execution_context.op.name):
        invocation = dbt.build(args, context=context, specs=specs)
        yield from invocation.stream()
    if not keep_parse_state(invocation.target_path, TARGET_DIR):
        context.log.info("dbt's parse state was not handed back to the project folder")


def build_dbt_assets(
    manifest: ManifestSpecs,
    tag: str,
    partitions_def: dg.TimeWindowPartitionsDefinition | None,
    layer: str | None = None,
) -> dg.AssetsDefinition:
    """The models and seeds tagged `tag` (in schema `layer` if given), run per partition
    (or whole when unpartitioned). Its runs use the manifest it was built from, even
    if `dbt parse` rewrites the file meanwhile (the runner is replaced before the next
    launch)."""
    specs, check_specs = manifest.select(tag, layer)

    @dg.multi_asset(
        name=f"grid_intel_dbt_{tag}_{layer}" if layer else f"grid_intel_dbt_{tag}",
        specs=specs,
        check_specs=check_specs,
        can_subset=True,
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run() if partitions_def else None,
        # dagster-dbt's selection reads the group's dbt selection from here.
        op_tags={SELECT_TAG: f"tag:{tag},config.schema:{layer}" if layer else f"tag:{tag}"},
        allow_arbitrary_check_specs=True,
    )
    def _assets(
        context: dg.AssetExecutionContext, dbt: GridDbtResource, warehouse: WarehouseResource
    ) -> Iterator[object]:
        window = context.partition_time_window if partitions_def else None
        yield from run_dbt(context, dbt, warehouse, window, manifest)

    return _assets


MANIFEST = read_specs(MANIFEST_PATH)
dbt_reference_assets = build_dbt_assets(MANIFEST, "reference", None)
# Each partitioned group as (silver, gold): materialize both for the whole layer stack.
dbt_hourly_assets = tuple(
    build_dbt_assets(MANIFEST, "hourly", hourly, layer) for layer in ("silver", "gold")
)
dbt_daily_assets = tuple(
    build_dbt_assets(MANIFEST, "daily", daily, layer) for layer in ("silver", "gold")
)

DBT_ASSETS = (dbt_reference_assets, *dbt_hourly_assets, *dbt_daily_assets)

defs = dg.Definitions(assets=list(DBT_ASSETS))
