"""Each bronze load leaves its ops row, and the exporter's collector reads it back.

A real grid.frequency hour (with one malformed message) is loaded by the bronze asset
into a database of this module's own; a load whose broker is unreachable records a
failed row and still fails with the broker's error.
"""

from collections.abc import Iterator
from datetime import datetime, timedelta

import dagster as dg
import pytest

from grid_intel.broker.client import KafkaUnavailable, partitions
from grid_intel.defs.bronze.assets import BRONZE_ASSETS, BronzeConfig
from grid_intel.defs.resources import KafkaResource, WarehouseResource, build_resources
from grid_intel.observability.ingestion import IngestionCollector, broker_offsets
from grid_intel.settings import Settings
from grid_intel.simulation.feeds import Feeds
from grid_intel.stack.proc import free_port
from grid_intel_tests.conftest import fresh_warehouse, query_frame
from grid_intel_tests.hours import hour_ago

TOPIC = "grid.frequency"


@pytest.fixture(scope="module")
def warehouse(stack: Settings) -> Iterator[Settings]:
    yield from fresh_warehouse(stack, "grid_intel_ingest_runs")


@pytest.fixture(scope="module")
def hour() -> datetime:
    return hour_ago(14)  # test_bronze's hours are 3 and 8-13


@pytest.fixture(scope="module")
def loaded(warehouse: Settings, hour: datetime) -> tuple[dg.ExecuteInProcessResult, str]:
    """Two simulated minutes of frequency and one malformed message, loaded by the asset."""
    start = hour + timedelta(minutes=17)
    messages = [
        m for m in Feeds(41).messages(start, start + timedelta(minutes=2)) if m.topic == TOPIC
    ]
    assert messages
    with warehouse.kafka_producer() as p:
        for m in messages:
            p.send(TOPIC, key=m.key, value=m.value, timestamp_ms=m.timestamp_ms)
        p.send(TOPIC, key=b"winnipeg", value=b"{not json", timestamp_ms=messages[0].timestamp_ms)
    key = hour.strftime("%Y-%m-%d-%H:%M")
    result = dg.materialize(
        [BRONZE_ASSETS[TOPIC]], partition_key=key, resources=build_resources(warehouse)
    )
    assert result.success
    return result, key


def test_a_bronze_load_records_its_ops_row_and_offsets(warehouse: Settings, hour, loaded):
    result, key = loaded
    (mat,) = result.asset_materializations_for_node(BRONZE_ASSETS[TOPIC].op.name)
    meta = {k: v.value for k, v in mat.metadata.items()}
    runs = query_frame(
        warehouse,
        "select asset, partition_key, window_start, status, rows_loaded, rows_quarantined,"
        " messages, duration_s, run_id, error from ops.ingestion_runs where topic = %(t)s",
        {"t": TOPIC},
    )
    assert runs.height == 1
    run = runs.row(0, named=True)
    in_bronze = query_frame(
        warehouse,
        "select count(*) as n from bronze.grid_frequency where ts >= %(a)s and ts < %(b)s",
        {"a": hour, "b": hour + timedelta(hours=1)},
    )["n"][0]
    assert run["status"] == "ok" and run["error"] is None
    assert run["asset"] == "bronze/grid_frequency" and run["partition_key"] == key
    assert run["window_start"] == hour and run["run_id"] == result.run_id
    assert run["rows_loaded"] == meta["dagster/row_count"] == in_bronze > 0
    assert run["rows_quarantined"] == meta["quarantined"] >= 1
    assert run["messages"] == meta["messages"] and 0 < run["duration_s"] < 120

    # One past the highest offset the window put in bronze, rows or quarantine, per partition.
    highest = query_frame(
        warehouse,
        "select kafka_partition, max(kafka_offset) + 1 as next from ("
        " select kafka_partition, kafka_offset from bronze.grid_frequency"
        " union all select kafka_partition, kafka_offset from bronze.quarantine"
        " where topic = %(t)s) as o group by 1",
        {"t": TOPIC},
    )
    offsets = query_frame(
        warehouse,
        "select kafka_partition, next_offset as next from ops.ingestion_offsets"
        " where topic = %(t)s",
        {"t": TOPIC},
    )
    assert dict(offsets.iter_rows()) == dict(highest.iter_rows())


def test_the_collector_serves_the_row_and_the_lag_past_it(warehouse: Settings, loaded):
    ingested = dict(
        query_frame(
            warehouse,
            "select kafka_partition, next_offset from ops.ingestion_offsets where topic = %(t)s",
            {"t": TOPIC},
        ).iter_rows()
    )
    collector = IngestionCollector(
        warehouse.warehouse, warehouse.kafka_bootstrap, warehouse.kafka_security
    )
    try:
        with warehouse.kafka_consumer() as c:
            before, _ = broker_offsets(c, [TOPIC])
            snap = collector.snapshot()
            after, _ = broker_offsets(c, [TOPIC])
            n_partitions = len(partitions(c, TOPIC))
    finally:
        collector.close()
    assert snap.up == {"warehouse": True, "kafka": True}
    loads = snap.loads[TOPIC]
    rows = query_frame(
        warehouse,
        "select rows_loaded, rows_quarantined, duration_s from ops.ingestion_runs"
        " where topic = %(t)s",
        {"t": TOPIC},
    ).row(0)
    assert (loads.ok, loads.failed) == (1, 0)
    assert (loads.rows, loads.quarantined, loads.last_duration_s) == rows
    assert 0 <= loads.since_success_s < 600
    assert (
        snap.loads["market.prices"].ok == 0 and snap.loads["market.prices"].last_success_ts is None
    )
    lag = {p: n for (t, p), n in snap.lag.items() if t == TOPIC}
    assert len(lag) == n_partitions
    for p, n in lag.items():  # the broker may take more records while the scrape runs
        assert before[(TOPIC, p)] - ingested[p] <= n <= after[(TOPIC, p)] - ingested[p]
    assert all(n >= 0 for n in snap.lag.values())


def test_a_failed_load_is_recorded_and_fails_with_its_own_error(warehouse: Settings, hour):
    key = (hour + timedelta(hours=2)).strftime("%Y-%m-%d-%H:%M")
    asset = BRONZE_ASSETS[TOPIC]
    dead = KafkaResource(bootstrap_servers=f"127.0.0.1:{free_port()}", timeout_s=1)
    with pytest.raises(KafkaUnavailable, match="cannot reach Kafka"):
        asset(
            context=dg.build_asset_context(partition_key=key),
            config=BronzeConfig(),
            kafka=dead,
            warehouse=WarehouseResource(url=warehouse.warehouse),
        )
    failed = query_frame(
        warehouse,
        "select status, rows_loaded, error from ops.ingestion_runs"
        " where topic = %(t)s and partition_key = %(k)s",
        {"t": TOPIC, "k": key},
    )
    assert failed.height == 1
    status, rows, error = failed.row(0)
    assert status == "failed" and rows == 0
    assert error.startswith("KafkaUnavailable: cannot reach Kafka")
