"""The pure parts behind the metrics: lag maths, the exporter's mapping from what it
read to samples, and the stream processor's metric helpers."""

from kafka import TopicPartition
from prometheus_client import CollectorRegistry, generate_latest

from grid_intel.broker.security import KafkaSecurity
from grid_intel.observability.ingestion import (
    IngestionCollector,
    Snapshot,
    TopicLoads,
    families,
)
from grid_intel.observability.lag import partition_lag
from grid_intel.streaming.metrics import StreamMetrics

TOPICS = ("sensor.readings", "market.prices")


def samples(snap: Snapshot) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in families(snap)
        for s in family.samples
    }


def test_lag_is_the_end_minus_the_next_offset_needed():
    end = {0: 100, 1: 50, 2: 10, 3: 40}
    done = {0: 90, 1: 50, 2: 12}  # 2: an end read before the position moved on
    assert partition_lag(end, done) == {0: 10, 1: 0, 2: 0, 3: 40}


def test_lag_counts_from_the_retained_start():
    end, begin = {0: 100, 1: 100}, {0: 30, 1: 30}
    # Never ingested: all that is retained; behind retention: what is still there.
    assert partition_lag(end, {1: 10}, begin) == {0: 70, 1: 70}
    assert partition_lag(end, {0: 60, 1: 100}, begin) == {0: 40, 1: 0}


def test_lag_keys_can_be_kafka_topic_partitions():
    tp = TopicPartition("sensor.readings", 3)
    assert partition_lag({tp: 7}, {tp: 5}) == {tp: 2}


def test_loads_map_to_counters_and_freshness_gauges():
    snap = Snapshot(
        TOPICS,
        loads={
            "sensor.readings": TopicLoads(
                "sensor.readings",
                ok=3,
                failed=1,
                rows=1200,
                quarantined=2,
                last_duration_s=4.5,
                last_success_ts=1_760_000_000.0,
                since_success_s=90.0,
            )
        },
        lag={("sensor.readings", 0): 12, ("sensor.readings", 1): 0},
        up={"warehouse": True, "kafka": True},
        seconds=0.02,
    )
    got = samples(snap)
    readings, prices = (("topic", "sensor.readings"),), (("topic", "market.prices"),)
    assert got[("grid_intel_ingestion_loads_total", (("status", "ok"), *readings))] == 3
    assert got[("grid_intel_ingestion_loads_total", (("status", "failed"), *readings))] == 1
    assert got[("grid_intel_ingestion_rows_loaded_total", readings)] == 1200
    assert got[("grid_intel_ingestion_rows_quarantined_total", readings)] == 2
    assert got[("grid_intel_ingestion_last_load_duration_seconds", readings)] == 4.5
    assert got[("grid_intel_ingestion_last_success_timestamp_seconds", readings)] == 1.76e9
    assert got[("grid_intel_ingestion_seconds_since_last_success", readings)] == 90
    # A topic never loaded: zero totals (its first failure must be an increase), no
    # freshness (there is none to report).
    assert got[("grid_intel_ingestion_loads_total", (("status", "failed"), *prices))] == 0
    assert got[("grid_intel_ingestion_rows_loaded_total", prices)] == 0
    assert ("grid_intel_ingestion_seconds_since_last_success", prices) not in got
    lag = (("partition", "0"), ("topic", "sensor.readings"))
    assert got[("grid_intel_ingestion_kafka_lag_messages", lag)] == 12
    assert got[("grid_intel_exporter_source_up", (("source", "kafka"),))] == 1
    assert got[("grid_intel_exporter_collect_duration_seconds", ())] == 0.02


def test_an_unreadable_warehouse_leaves_its_metrics_out_rather_than_zero():
    got = samples(Snapshot(TOPICS, loads=None, lag=None, up={"warehouse": False, "kafka": True}))
    assert not [k for k in got if k[0].startswith("grid_intel_ingestion_")]
    assert got[("grid_intel_exporter_source_up", (("source", "warehouse"),))] == 0
    assert got[("grid_intel_exporter_source_up", (("source", "kafka"),))] == 1


class _Fixed(IngestionCollector):
    def __init__(self, snap: Snapshot) -> None:
        super().__init__("postgresql://unused/x", "unused:9092", snap.topics)
        self.snap = snap

    def snapshot(self) -> Snapshot:
        return self.snap


def test_the_collector_exposes_prometheus_text():
    snap = Snapshot(TOPICS, {"market.prices": TopicLoads("market.prices", ok=1, rows=24)}, {}, {})
    registry = CollectorRegistry(auto_describe=True)
    registry.register(_Fixed(snap))
    text = generate_latest(registry).decode()
    assert 'grid_intel_ingestion_rows_loaded_total{topic="market.prices"} 24.0' in text
    assert 'grid_intel_ingestion_loads_total{status="failed",topic="sensor.readings"} 0.0' in text
    assert "# TYPE grid_intel_ingestion_loads_total counter" in text


def test_stream_metrics_start_at_zero_and_forget_revoked_partitions():
    m = StreamMetrics()
    m.watch_topic("sensor.readings")
    value = m.registry.get_sample_value
    assert value("grid_intel_stream_records_total", {"topic": "sensor.readings"}) == 0
    dropped = {"topic": "sensor.readings", "reason": "malformed"}
    assert value("grid_intel_stream_messages_dropped_total", dropped) == 0
    assert value("grid_intel_stream_failures_total", {"stage": "publish"}) == 0
    m.set_lag({("sensor.readings", 0): 5, ("sensor.readings", 1): 0})
    assert (
        value(
            "grid_intel_stream_consumer_lag_messages",
            {"topic": "sensor.readings", "partition": "0"},
        )
        == 5
    )
    m.forget_partition("sensor.readings", 0)
    m.forget_partition("sensor.readings", 9)  # never reported: no error
    assert (
        value(
            "grid_intel_stream_consumer_lag_messages",
            {"topic": "sensor.readings", "partition": "0"},
        )
        is None
    )
    assert (
        value(
            "grid_intel_stream_consumer_lag_messages",
            {"topic": "sensor.readings", "partition": "1"},
        )
        == 0
    )


def test_an_alert_the_broker_refuses_counts_as_a_publish_failure():
    from kafka.errors import KafkaTimeoutError
    from kafka.future import Future

    from grid_intel.streaming.processor import Processor, StreamConfig

    proc = Processor(StreamConfig("unused:9092", "postgresql://unused/x", KafkaSecurity()), {})
    sent = Future()
    sent.add_errback(proc._not_acked, "alert-1")  # wired as _publish wires it
    sent.failure(KafkaTimeoutError("no ack in 30 s"))
    failures = proc.metrics.registry.get_sample_value
    assert failures("grid_intel_stream_failures_total", {"stage": "publish"}) == 1
    assert failures("grid_intel_stream_failures_total", {"stage": "run"}) == 0
