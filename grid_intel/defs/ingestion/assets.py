"""Bronze assets: one hourly window of a topic, read by offsets, replaced in one transaction."""

import time

import dagster as dg

from grid_intel.defs.partitions import hourly
from grid_intel.defs.resources import KafkaResource, WarehouseResource
from grid_intel.ingestion.frequency import BRONZE_GRID_FREQUENCY, split_window
from grid_intel.kafka.client import commit_lag, read_ranges, window_ranges
from grid_intel.kafka.topics import GRID_FREQUENCY
from grid_intel.kafka.windows import Window
from grid_intel.warehouse.writer import quarantine, replace_window

LAG_GROUP = "grid-intel-bronze"


@dg.asset(
    key=["bronze", "grid_frequency"],
    partitions_def=hourly,
    group_name="bronze",
    kinds={"kafka", "postgres"},
    owners=["team:data-platform"],
    backfill_policy=dg.BackfillPolicy.multi_run(24),
    description="grid.frequency messages of one UTC hour, exactly as published.",
)
def bronze_grid_frequency(
    context: dg.AssetExecutionContext,
    kafka: KafkaResource,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    t0 = time.perf_counter()
    window = Window(*context.partition_time_window)
    with kafka.consumer() as consumer:
        ranges = window_ranges(consumer, GRID_FREQUENCY.name, window)
        batch = split_window(read_ranges(consumer, GRID_FREQUENCY.name, ranges), window)
    t_read = time.perf_counter()
    with warehouse.connection() as conn, conn.transaction():
        written = replace_window(conn, BRONZE_GRID_FREQUENCY, batch.rows, window.start, window.end)
        quarantined = quarantine(conn, batch.rejects)
    with kafka.admin() as admin:
        commit_lag(admin, LAG_GROUP, GRID_FREQUENCY.name, ranges)
    context.log.info(
        f"{GRID_FREQUENCY.name} {window.start:%Y-%m-%d %H:%M}: {written.inserted} rows, "
        f"{quarantined} quarantined, {written.deleted} replaced"
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": written.inserted,
            "rows_replaced": written.deleted,
            "quarantined": quarantined,
            "outside_window": batch.outside,
            "offset_ranges": {str(r.partition): [r.start, r.stop] for r in ranges},
            "read_seconds": round(t_read - t0, 3),
            "write_seconds": round(time.perf_counter() - t_read, 3),
        }
    )


defs = dg.Definitions(assets=[bronze_grid_frequency])
