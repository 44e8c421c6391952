"""Tracer bullet: Kafka → bronze (partitioned Dagster asset) → silver (dbt), on both lanes."""

import uuid
from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest
from kafka import TopicPartition

from grid_intel.broker.codec import FrequencyReading, encode_frequency
from grid_intel.broker.topics import GRID_FREQUENCY
from grid_intel.broker.windows import to_ms
from grid_intel.defs.resources import build_resources
from grid_intel.settings import Settings
from grid_intel.warehouse.connection import connect
from grid_intel.warehouse.migrate import hypertables

READINGS = 90  # one region, every 40 s for an hour
# What one published hour leaves: every message once in bronze (the duplicate delivery
# included), once per instant in silver, the bad message quarantined.
TRACED = {
    "bronze": READINGS + 1,
    "bronze_distinct_offsets": READINGS + 1,
    "silver": READINGS,
    "quarantined": 1,
}


def publish_hour(settings: Settings, hour: datetime, region: str) -> None:
    """The region's readings (one duplicated, as a producer retry would), plus one bad message."""
    readings = [
        FrequencyReading(hour + timedelta(seconds=40 * i), region, 60.0 + i / 1e4, 0.0)
        for i in range(READINGS)
    ]
    with settings.kafka_producer() as p:
        for r in [*readings, readings[7]]:
            p.send(
                GRID_FREQUENCY.name,
                key=region.encode(),
                value=encode_frequency(r),
                timestamp_ms=to_ms(r.ts),
            )
        p.send(
            GRID_FREQUENCY.name,
            key=region.encode(),
            value=b'{"v":1,"region":"' + region.encode() + b'"}',
            timestamp_ms=to_ms(hour + timedelta(minutes=30)),
        )


def materialize(settings: Settings, partition: str) -> dg.ExecuteInProcessResult:
    from grid_intel.defs.bronze.assets import BRONZE_ASSETS
    from grid_intel.defs.dbt.assets import dbt_hourly_assets

    return dg.materialize(
        [BRONZE_ASSETS["grid.frequency"], *dbt_hourly_assets],
        selection=[
            dg.AssetKey(["bronze", "grid_frequency"]),
            dg.AssetKey(["silver", "clean_frequency"]),
        ],
        partition_key=partition,
        resources=build_resources(settings),
    )


def counts(settings: Settings, region: str, hour: datetime) -> dict[str, int]:
    end = hour + timedelta(hours=1)
    with connect(settings.warehouse) as conn:

        def one(sql: str) -> int:
            return conn.execute(sql, (region, hour, end)).fetchone()[0]

        return {
            "bronze": one(
                "select count(*) from bronze.grid_frequency "
                "where region = %s and ts >= %s and ts < %s"
            ),
            "bronze_distinct_offsets": one(
                "select count(distinct (kafka_partition, kafka_offset)) from bronze.grid_frequency"
                " where region = %s and ts >= %s and ts < %s"
            ),
            "silver": one(
                "select count(*) from silver.clean_frequency "
                "where region = %s and ts >= %s and ts < %s"
            ),
            "quarantined": one(
                "select count(*) from bronze.quarantine where convert_from("
                "value, 'UTF8') like '%%' || %s || '%%' "
                "and record_ts >= %s and record_ts < %s"
            ),
        }


def run_tracer(settings: Settings, hour: datetime) -> None:
    region = f"test-{uuid.uuid4().hex[:8]}"
    publish_hour(settings, hour, region)
    partition = hour.strftime("%Y-%m-%d-%H:%M")

    first = materialize(settings, partition)
    assert first.success
    (mat,) = [
        m
        for m in first.get_asset_materialization_events()
        if m.asset_key == dg.AssetKey(["bronze", "grid_frequency"])
    ]
    meta = mat.materialization.metadata
    assert meta["quarantined"].value >= 1
    assert set(meta["offset_ranges"].value) == {"0", "1", "2"}
    checks = first.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks)
    assert counts(settings, region, hour) == TRACED

    again = materialize(settings, partition)
    assert again.success
    assert counts(settings, region, hour) == TRACED  # a re-run changes nothing

    # Lag is committed for the consumer group after the database commit.
    with settings.kafka_admin() as admin:
        committed = admin.list_group_offsets({"grid-intel-bronze": None})["grid-intel-bronze"]
    tps = {TopicPartition(GRID_FREQUENCY.name, p) for p in range(GRID_FREQUENCY.partitions)}
    assert tps & set(committed)


def closed_hour(hours_ago: int) -> datetime:
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return now - timedelta(hours=hours_ago)


def test_tracer_on_postgres(test_db: Settings, dbt_manifest):
    run_tracer(test_db, closed_hour(5))


@pytest.mark.timescale
def test_tracer_on_timescaledb(timescale_db: Settings, dbt_manifest):
    with connect(timescale_db.warehouse) as conn:
        assert "bronze.grid_frequency" in hypertables(conn)
    run_tracer(timescale_db, closed_hour(6))
