"""Bronze assets, one per topic: an hourly window read by Kafka offsets, replaced at once."""

import time

import dagster as dg
from pydantic import Field

from grid_intel.broker.client import commit_lag, group_lag
from grid_intel.broker.windows import OffsetRange, Window
from grid_intel.defs.partitions import HOURLY_BACKFILL, hourly
from grid_intel.defs.resources import KafkaResource, WarehouseResource
from grid_intel.ingestion.load import load_window
from grid_intel.ingestion.runs import LoadRecord, record, record_failure
from grid_intel.ingestion.tables import BRONZE_TOPICS, BronzeTopic
from grid_intel.settings import get_settings

LAG_GROUP = "grid-intel-bronze"
ROW_UNIT = {"sensor.readings": "point of an RTU scan"}


class OffsetRangeConfig(dg.Config):
    partition: int = Field(ge=0)
    start: int = Field(ge=0)
    stop: int = Field(ge=0)


class BronzeConfig(dg.Config):
    """Offsets to read, as the topic's sensor decided; empty reads the window from Kafka's
    time index to the end offsets (manual runs and backfills)."""

    ranges: list[OffsetRangeConfig] = Field(default_factory=list)


def op_name(bronze: BronzeTopic) -> str:
    """The asset's op, which run config addresses: its key joined by `__`."""
    return f"bronze__{bronze.asset_name}"


def build_bronze_asset(bronze: BronzeTopic) -> dg.AssetsDefinition:
    topic = bronze.topic
    asset = f"bronze/{bronze.asset_name}"

    @dg.asset(
        key=["bronze", bronze.asset_name],
        partitions_def=hourly,
        group_name="bronze",
        kinds={"kafka", "postgres"},
        owners=["team:data-platform"],
        backfill_policy=HOURLY_BACKFILL,
        # A broker or database restart mid-run: the window is replaced whole, so retry.
        retry_policy=dg.RetryPolicy(max_retries=3, delay=10, backoff=dg.Backoff.EXPONENTIAL),
        description=f"`{topic.name}` messages of one UTC hour ({topic.content}), exactly "
        f"as published, one row per {ROW_UNIT.get(topic.name, 'message')}.",
        metadata={
            "kafka_topic": topic.name,
            "table": bronze.table.qualified,
            "partition_column": bronze.table.time_column,
        },
    )
    def _bronze(
        context: dg.AssetExecutionContext,
        config: BronzeConfig,
        kafka: KafkaResource,
        warehouse: WarehouseResource,
    ) -> dg.MaterializeResult:
        window = Window(*context.partition_time_window)
        ranges = [OffsetRange(r.partition, r.start, r.stop) for r in config.ranges] or None
        keys = context.partition_key_range
        key = keys.start if keys.start == keys.end else f"{keys.start}...{keys.end}"
        run_id = context.op_execution_context.run_id
        began = time.perf_counter()
        try:
            with kafka.consumer() as consumer, warehouse.connection() as conn:
                lateness = bronze.topic.allowed_lateness if get_settings().bounded_reads else None
                report = load_window(consumer, conn, bronze, window, ranges, lateness)
                # Progress reaches the consumer group only once the rows are committed.
                with kafka.admin() as admin:
                    commit_lag(admin, LAG_GROUP, topic.name, report.ranges)
                    lag = group_lag(admin, consumer, LAG_GROUP, topic.name)
                seconds = time.perf_counter() - began
                ok = LoadRecord.ok(asset, topic.name, key, window, report, seconds, run_id)
                record(conn, ok)
        except Exception as exc:  # recorded for monitoring, then raised as it was
            seconds = time.perf_counter() - began
            failed = LoadRecord.failed(asset, topic.name, key, window, exc, seconds, run_id)
            record_failure(warehouse.connection, failed)
            raise
        context.log.info(
            f"{topic.name} {window.start:%Y-%m-%d %H:%M}: {report.rows} rows from "
            f"{report.messages} messages, {report.quarantined} quarantined, {report.late} late, "
            f"{report.replaced} replaced, {report.rows_per_s:,.0f} rows/s"
        )
        return dg.MaterializeResult(
            metadata={
                **report.metadata(),
                "offsets_from": "sensor" if ranges else "time index",
                # A backfill run loads many hours at once: per-hour figures divide by this.
                "window_hours": (window.end - window.start).total_seconds() / 3600,
                "consumer_lag": lag,
            }
        )

    return _bronze


bronze_assets = [build_bronze_asset(b) for b in BRONZE_TOPICS]
BRONZE_ASSETS = dict(zip((b.topic.name for b in BRONZE_TOPICS), bronze_assets, strict=True))

defs = dg.Definitions(assets=bronze_assets)
