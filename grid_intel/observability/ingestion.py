"""Bronze-load metrics for Prometheus, read at each scrape from the warehouse's ops
tables (ops.ingestion_runs, ops.ingestion_offsets) and the broker's end offsets.

The queries are a few index probes per topic (never a scan of a bronze table), so
a scrape stays cheap however large bronze grows. When a source cannot be read its
metrics are left out for that scrape (a counter reported as 0 would look like a
reset) and `grid_intel_exporter_source_up{source}` says which one failed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field

import psycopg
from kafka import KafkaConsumer, TopicPartition
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from grid_intel import log
from grid_intel.broker.client import consumer
from grid_intel.broker.security import KafkaSecurity
from grid_intel.ingestion.tables import BRONZE_TOPICS
from grid_intel.observability.lag import partition_lag
from grid_intel.warehouse.connection import connect

TopicPartitionKey = tuple[str, int]
STATUSES = ("ok", "failed")
SOURCES = ("warehouse", "kafka")
DEFAULT_TOPICS = tuple(b.topic.name for b in BRONZE_TOPICS)
_log = log.get("grid_intel.exporter")

LOADS_SQL = """
select t.topic, coalesce(a.ok, 0), coalesce(a.failed, 0), coalesce(a.rows, 0),
       coalesce(a.quarantined, 0), l.duration_s, extract(epoch from l.finished_at),
       extract(epoch from now() - l.finished_at)
from unnest(%(topics)s::text[]) as t (topic)
cross join lateral (
    select count(*) filter (where r.status = 'ok') as ok,
           count(*) filter (where r.status = 'failed') as failed,
           sum(r.rows_loaded) filter (where r.status = 'ok') as rows,
           sum(r.rows_quarantined) filter (where r.status = 'ok') as quarantined
    from ops.ingestion_runs as r where r.topic = t.topic
) as a
left join lateral (
    select r.duration_s, r.finished_at from ops.ingestion_runs as r
    where r.topic = t.topic and r.status = 'ok' order by r.finished_at desc limit 1
) as l on true
"""
OFFSETS_SQL = (
    "select topic, kafka_partition, next_offset from ops.ingestion_offsets"
    " where topic = any(%(topics)s::text[])"
)


@dataclass(frozen=True)
class TopicLoads:
    """One topic's load history: totals, and its latest successful load (None before one)."""

    topic: str
    ok: int = 0
    failed: int = 0
    rows: int = 0
    quarantined: int = 0
    last_duration_s: float | None = None
    last_success_ts: float | None = None  # unix seconds
    since_success_s: float | None = None


@dataclass(frozen=True)
class Snapshot:
    """What one scrape read; None where a source could not be read."""

    topics: tuple[str, ...]
    loads: dict[str, TopicLoads] | None = None
    lag: dict[TopicPartitionKey, int] | None = None
    up: dict[str, bool] = field(default_factory=dict)
    seconds: float = 0.0


def families(snap: Snapshot) -> list[Metric]:
    """The scrape's metric families. Every family is always present (for `describe`);
    a topic with no load yet reports zero totals, so its first failure is an increase."""
    loads = CounterMetricFamily(
        "grid_intel_ingestion_loads",
        "Bronze load attempts of a topic window, by status (ok, failed).",
        labels=("topic", "status"),
    )
    rows = CounterMetricFamily(
        "grid_intel_ingestion_rows_loaded",
        "Rows written to bronze by successful loads (a window loaded again counts again).",
        labels=("topic",),
    )
    quarantined = CounterMetricFamily(
        "grid_intel_ingestion_rows_quarantined",
        "Messages of successfully loaded windows sent to bronze.quarantine.",
        labels=("topic",),
    )
    duration = GaugeMetricFamily(
        "grid_intel_ingestion_last_load_duration_seconds",
        "Duration of the topic's latest successful load attempt.",
        labels=("topic",),
    )
    last = GaugeMetricFamily(
        "grid_intel_ingestion_last_success_timestamp_seconds",
        "Unix time the topic's latest successful load finished.",
        labels=("topic",),
    )
    since = GaugeMetricFamily(
        "grid_intel_ingestion_seconds_since_last_success",
        "Seconds since the topic's latest successful load finished (database clock).",
        labels=("topic",),
    )
    lag = GaugeMetricFamily(
        "grid_intel_ingestion_kafka_lag_messages",
        "Records on the broker past the highest offset in bronze, by topic and partition.",
        labels=("topic", "partition"),
    )
    up = GaugeMetricFamily(
        "grid_intel_exporter_source_up",
        "1 if the exporter read the source (warehouse, kafka) at this scrape, else 0.",
        labels=("source",),
    )
    took = GaugeMetricFamily(
        "grid_intel_exporter_collect_duration_seconds",
        "Time this scrape spent reading the warehouse and the broker.",
    )
    if snap.loads is not None:
        for topic in snap.topics:
            t = snap.loads.get(topic, TopicLoads(topic))
            loads.add_metric((topic, "ok"), t.ok)
            loads.add_metric((topic, "failed"), t.failed)
            rows.add_metric((topic,), t.rows)
            quarantined.add_metric((topic,), t.quarantined)
            if t.last_success_ts is not None:
                duration.add_metric((topic,), t.last_duration_s or 0.0)
                last.add_metric((topic,), t.last_success_ts)
                since.add_metric((topic,), max(0.0, t.since_success_s or 0.0))
    for (topic, partition), n in sorted((snap.lag or {}).items()):
        lag.add_metric((topic, str(partition)), n)
    for source in SOURCES:
        if source in snap.up:
            up.add_metric((source,), 1.0 if snap.up[source] else 0.0)
    took.add_metric((), snap.seconds)
    return [loads, rows, quarantined, duration, last, since, lag, up, took]


def read_loads(conn: psycopg.Connection, topics: Sequence[str]) -> dict[str, TopicLoads]:
    rows = conn.execute(LOADS_SQL, {"topics": list(topics)}).fetchall()
    return {
        r[0]: TopicLoads(
            r[0],
            int(r[1]),
            int(r[2]),
            int(r[3]),
            int(r[4]),
            r[5],
            None if r[6] is None else float(r[6]),
            None if r[7] is None else float(r[7]),
        )
        for r in rows
    }


def read_ingested(conn: psycopg.Connection, topics: Sequence[str]) -> dict[TopicPartitionKey, int]:
    """Per topic partition, the next offset after the highest one in bronze."""
    rows = conn.execute(OFFSETS_SQL, {"topics": list(topics)}).fetchall()
    return {(t, int(p)): int(o) for t, p, o in rows}


def broker_offsets(
    client: KafkaConsumer, topics: Sequence[str]
) -> tuple[dict[TopicPartitionKey, int], dict[TopicPartitionKey, int]]:
    """(end, beginning) offsets of every partition of the topics that exist."""
    tps = [
        TopicPartition(t, p) for t in topics for p in sorted(client.partitions_for_topic(t) or ())
    ]
    if not tps:
        return {}, {}
    end, begin = client.end_offsets(tps), client.beginning_offsets(tps)
    return (
        {(tp.topic, tp.partition): o for tp, o in end.items()},
        {(tp.topic, tp.partition): o for tp, o in begin.items()},
    )


class IngestionCollector(Collector):
    """Reads a Snapshot at each scrape over long-lived connections, reopened after errors."""

    def __init__(
        self,
        warehouse_url: str,
        bootstrap: str,
        security: KafkaSecurity,
        topics: Sequence[str] = DEFAULT_TOPICS,
        timeout_s: float = 5.0,
    ) -> None:
        self.warehouse_url, self.bootstrap, self.security = warehouse_url, bootstrap, security
        self.topics, self.timeout_s = tuple(topics), timeout_s
        self._lock = threading.Lock()  # scrapes arrive on server threads; clients are not shared
        self._db: ExitStack | None = None
        self._conn: psycopg.Connection | None = None
        self._kafka: ExitStack | None = None
        self._consumer: KafkaConsumer | None = None
        self._was_up: dict[str, bool] = {}

    def describe(self) -> list[Metric]:
        return families(Snapshot(self.topics))

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            snap = self.snapshot()
        yield from families(snap)

    def snapshot(self) -> Snapshot:
        t0 = time.perf_counter()
        loads = ingested = end = begin = None
        up = {}
        try:
            conn = self._warehouse()
            loads, ingested = read_loads(conn, self.topics), read_ingested(conn, self.topics)
            up["warehouse"] = True
        except Exception as exc:  # an unreachable source is a metric, not a failed scrape
            self._close_warehouse()
            up["warehouse"] = False
            self._changed("warehouse", exc)
        try:
            end, begin = broker_offsets(self._broker(), self.topics)
            up["kafka"] = True
        except Exception as exc:
            self._close_broker()
            up["kafka"] = False
            self._changed("kafka", exc)
        for source, ok in up.items():
            if ok:
                self._changed(source, None)
        lag = None
        if end is not None and ingested is not None:
            lag = partition_lag(end, ingested, begin)
        return Snapshot(self.topics, loads, lag, up, time.perf_counter() - t0)

    def close(self) -> None:
        with self._lock:
            self._close_warehouse()
            self._close_broker()

    def _warehouse(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed:
            stack = ExitStack()
            conn = stack.enter_context(
                connect(self.warehouse_url, timeout_s=self.timeout_s, autocommit=True)
            )
            conn.execute(f"set statement_timeout = {int(self.timeout_s * 1000)}")
            self._db, self._conn = stack, conn
        return self._conn

    def _broker(self) -> KafkaConsumer:
        if self._consumer is None:
            stack = ExitStack()
            self._consumer = stack.enter_context(
                consumer(self.bootstrap, timeout_s=self.timeout_s, security=self.security)
            )
            self._kafka = stack
        return self._consumer

    def _close_warehouse(self) -> None:
        _close_quietly(self._db)
        self._db, self._conn = None, None

    def _close_broker(self) -> None:
        _close_quietly(self._kafka)
        self._kafka, self._consumer = None, None

    def _changed(self, source: str, exc: Exception | None) -> None:
        """Log a source going down or coming back once, not at every scrape."""
        up = exc is None
        if self._was_up.get(source) == up:
            return
        self._was_up[source] = up
        if up:
            _log.info("source readable", source=source)
        else:
            _log.warning(
                "source unreadable; its metrics are left out until it answers",
                source=source,
                error=f"{type(exc).__name__}: {exc}",
            )


def _close_quietly(stack: ExitStack | None) -> None:
    """Close a client that may already be broken (closing it can fail again)."""
    if stack is not None:
        with suppress(Exception):
            stack.close()
