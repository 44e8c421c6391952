"""Equipment health as daily assets: per-asset scores and the fleet heat map.

Thin wiring: the SQL lives in `grid_intel.health.inputs`, the standards and
scoring in `grid_intel.health`; a day is replaced whole, so a re-run of a
partition gives the same rows.
"""

import time
from collections import Counter

import dagster as dg

from grid_intel.defs.automation import HISTORY, follows_upstream
from grid_intel.defs.partitions import daily
from grid_intel.defs.resources import WarehouseResource
from grid_intel.health.tables import HEALTH, HEATMAP, HEATMAP_SQL
from grid_intel.warehouse.writer import replace_window

HEALTH_KEY = dg.AssetKey(["gold", "equipment_health"])
DEPS = [
    dg.AssetKey(["gold", "hourly_station_stats"]),
    dg.AssetKey(["gold", "transformer_ageing_hourly"]),
    dg.AssetKey(["silver", "equipment"]),
    dg.AssetKey(["silver", "maintenance"]),
    dg.AssetKey(["silver", "outages"]),
]


@dg.asset(
    key=HEALTH_KEY,
    deps=DEPS,
    partitions_def=daily,
    group_name="gold",
    kinds={"python", "postgres"},
    owners=["team:asset-management"],
    automation_condition=follows_upstream(HISTORY),
    backfill_policy=dg.BackfillPolicy.multi_run(7),
    description="Health of every transformer, breaker and line for one UTC day: index "
    "0-100 and band from weighted condition factors (IEEE C57.91 ageing and hot spot, "
    "cooling against the thermal model, DGA by IEEE C57.104 and Duval, loading, age, "
    "repairs, outages), CNAIM failure probability per year and remaining useful life.",
    metadata={"table": HEALTH.qualified, "partition_column": "day"},
)
def equipment_health(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    from grid_intel.health.breakers_lines import CONDUCTOR_DESIGN_C
    from grid_intel.health.fleet import assess_fleet, worst
    from grid_intel.health.inputs import read_inputs

    began = time.perf_counter()
    counts: Counter[str] = Counter()
    worst_assets: list[dict[str, object]] = []
    missing: list[str] = []
    with warehouse.connection() as conn:
        for day in daily.get_partition_keys_in_range(
            dg.PartitionKeyRange(*context.partition_key_range)
        ):
            start, end = daily.time_window_for_partition_key(day)
            inputs = read_inputs(conn, start, end, CONDUCTOR_DESIGN_C)
            if inputs.equipment.is_empty():
                raise dg.Failure(
                    description="silver.equipment is empty: load the asset registry "
                    "(bronze/asset_registry) and build the reference models first.",
                )
            scored = assess_fleet(inputs)
            replace_window(conn, HEALTH, (s.row(start) for s in scored), start, end)
            counts.update(s.assessment.band for s in scored)
            worst_assets = worst(scored)
            missing = inputs.missing
            context.log.info(
                f"equipment health {day}: {len(scored)} assets, "
                f"{sum(s.assessment.band in ('poor', 'very poor') for s in scored)} poor or worse"
            )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": sum(counts.values()),
            "bands": dict(counts),
            "worst_assets": dg.MetadataValue.json(worst_assets),
            "sources_missing": missing,
            "seconds": round(time.perf_counter() - began, 2),
        }
    )


@dg.asset(
    key=["gold", "equipment_health_heatmap"],
    deps=[HEALTH_KEY],
    partitions_def=daily,
    group_name="gold",
    kinds={"postgres"},
    owners=["team:asset-management"],
    automation_condition=follows_upstream(),
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="The fleet heat map for the dashboard: each asset's health index per UTC "
    "day, its change from the day before and its percentile within its kind (0 = worst).",
    metadata={"table": HEATMAP.qualified, "partition_column": "day"},
)
def equipment_health_heatmap(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    start, end = context.partition_time_window
    with warehouse.connection() as conn:
        rows = conn.execute(HEATMAP_SQL, (start, end)).fetchall()
        written = replace_window(conn, HEATMAP, rows, start, end)
    return dg.MaterializeResult(metadata={"dagster/row_count": written.inserted})


defs = dg.Definitions(assets=[equipment_health, equipment_health_heatmap])
