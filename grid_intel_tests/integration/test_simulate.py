"""The simulator's producers against the real broker: what is read back is what was sent."""

from collections import Counter
from datetime import UTC, datetime, timedelta

from kafka import TopicPartition

from grid_intel.broker.client import read_ranges
from grid_intel.broker.topics import TOPICS_BY_NAME
from grid_intel.broker.windows import OffsetRange
from grid_intel.settings import Settings
from grid_intel.simulation.feeds import Feeds
from grid_intel.simulation.producer import history

TOPICS = ("sensor.readings", "grid.frequency", "market.prices")


def end_offsets(settings: Settings) -> dict[tuple[str, int], int]:
    with settings.kafka_consumer() as c:
        tps = [TopicPartition(t, p) for t in TOPICS for p in range(TOPICS_BY_NAME[t].partitions)]
        return {(tp.topic, tp.partition): o for tp, o in c.end_offsets(tps).items()}


def test_history_is_read_back_exactly(stack: Settings):
    start = datetime(2026, 11, 20, 6, 58, tzinfo=UTC)  # spans an hour boundary
    end = start + timedelta(minutes=3)
    before = end_offsets(stack)
    said: list[str] = []
    with stack.kafka_producer(bulk=True) as p:
        stats = history(p, Feeds(seed=21), start, end, said.append)
    after = end_offsets(stack)

    assert said and "readings/s" in said[-1]  # progress per simulated hour
    assert sum(stats.messages.values()) == sum(stats.partitions.values())
    for (topic, part), sent in stats.partitions.items():
        assert after[(topic, part)] - before[(topic, part)] == sent
    # Keys spread over the partitions (market.prices has two nodes for three partitions).
    used = {tp for tp, n in stats.partitions.items() if n}
    assert {tp for tp in before if tp[0] != "market.prices"} <= used

    read: Counter[tuple[str, int]] = Counter()
    keys_by_partition: dict[tuple[str, int], set[bytes]] = {}
    with stack.kafka_consumer() as c:
        for topic in TOPICS:
            ranges = [
                OffsetRange(p, before[(topic, p)], after[(topic, p)])
                for p in range(TOPICS_BY_NAME[topic].partitions)
            ]
            for rec in read_ranges(c, topic, ranges):
                read[(topic, rec.partition)] += 1
                keys_by_partition.setdefault((topic, rec.partition), set()).add(rec.key)
                assert start.timestamp() * 1000 <= rec.timestamp_ms < end.timestamp() * 1000
    assert read == stats.partitions
    # One key always lands in one partition (per-key ordering).
    for topic in TOPICS:
        seen: dict[bytes, int] = {}
        for (t, part), keys in keys_by_partition.items():
            if t == topic:
                for k in keys:
                    assert seen.setdefault(k, part) == part


def test_bench_simulate_reports_figures_beside_baselines(stack: Settings):
    from grid_intel.bench import bench_simulate, table

    said: list[str] = []
    report = bench_simulate(stack, minutes=1, scales=[1], progress=said.append)
    (run,) = report["runs"]
    assert run["readings"] > 20_000  # 15 scan rounds x ~2,000 points, plus frequency and prices
    for key in (
        "generate_readings_per_s",
        "raw_producer_readings_per_s",
        "simulate_to_kafka_readings_per_s",
        "ratio_vs_raw_producer",
    ):
        assert run[key] > 0
    assert "readings/s into Kafka" in said[0]
    assert "simulate_to_kafka_readings_per_s" in table(report)


def test_live_mode_is_paced_to_the_clock(stack: Settings):
    import time

    from grid_intel.simulation.producer import live

    start = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    feeds = Feeds(seed=21)
    t0 = time.perf_counter()
    with stack.kafka_producer(bulk=True) as p:
        stats = live(p, feeds, start, timedelta(minutes=1), speed=30.0, progress=lambda _m: None)
    wall = time.perf_counter() - t0
    assert wall >= 60 / 30 * 0.9  # a simulated minute takes about two seconds at x30
    registry = feeds.scada.registry
    assert stats.messages["sensor.readings"] == 15 * len(registry.rtus)
    assert stats.messages["grid.frequency"] == 30 * len(registry.regions)
    assert sum(stats.partitions.values()) == sum(stats.messages.values())
