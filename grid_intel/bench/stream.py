"""`bench stream`: the stream processor's readings/s and end-to-end alert latency.

Each scale gets topics of its own and a recent stretch of the simulated grid with
faults injected at a high rate (old event times would fall to the topics'
retention). Throughput: a bare consumer fetches the published records without
decoding them (the baseline), then the processor works through the same records;
each is timed from opening its clients to its last record. Latency: a processor
service (`grid-intel stream`, its own process as in production) resumes caught up
and idle, and a further stretch is produced PACE times faster than real time while
one consumer notes when each record and each alert becomes readable. An alert's
latency runs from producing the record that confirmed it (its RTU's record at its
`detected_at`) to the alert arriving; the records' own produce-to-readable time is
the broker's share, measured alongside.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from itertools import groupby
from typing import IO

import numpy as np
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition

from grid_intel import log
from grid_intel.broker.client import (
    ensure_topics,
    group_lag,
    partitions,
)
from grid_intel.broker.codec import Alert, decode_alert
from grid_intel.broker.topics import GRID_ALERTS, GRID_FREQUENCY, SENSOR_READINGS
from grid_intel.settings import Settings
from grid_intel.simulation.feeds import Feeds
from grid_intel.simulation.messages import Message
from grid_intel.streaming import store
from grid_intel.streaming.points import point_info
from grid_intel.streaming.processor import Processor, StreamConfig, StreamStats
from grid_intel.warehouse.connection import connect

Progress = Callable[[str], None]
FAULTS = (
    "stuck_sensor",
    "spike",
    "dropout",
    "breaker_chatter",
    "data_gap",
    "duplicate_message",
    "malformed_message",
)  # late messages are left out: by definition their alert comes long after the record
FAULTS_PER_DAY = 1440  # of each kind: several alerts every simulated minute
LIVE = timedelta(minutes=10)
PACE = 20.0  # simulated seconds per wall second while latency is measured
TIMEOUT_S = 300.0


@dataclass(frozen=True)
class Topics:
    readings: str
    frequency: str
    alerts: str

    @property
    def rename(self) -> dict[str, str]:
        """The simulator's topic -> the bench's copy, for the processor's inputs."""
        return {SENSOR_READINGS.name: self.readings, GRID_FREQUENCY.name: self.frequency}

    @property
    def names(self) -> list[str]:
        return [self.readings, self.frequency, self.alerts]


@dataclass
class Live:
    """What the paced phase saw: when each record was produced, when records and
    alerts became readable (monotonic seconds)."""

    sent: dict[tuple[str, int], float] = field(default_factory=dict)  # (key, event ms)
    instants: dict[int, float] = field(default_factory=dict)  # event ms -> first send
    readable: list[float] = field(default_factory=list)  # per record: readable - produced
    alerts: list[tuple[float, Alert]] = field(default_factory=list)


def event_times(
    minutes: float, now: datetime, live: timedelta = LIVE
) -> tuple[datetime, datetime, datetime]:
    """Bulk stretch [t0, t1) then the live one [t1, t2), ending an hour before now."""
    t2 = now.astimezone(UTC).replace(second=0, microsecond=0) - timedelta(hours=1)
    t1 = t2 - live
    return t1 - timedelta(minutes=minutes), t1, t2


def alert_latencies_ms(live: Live, point_rtu: Mapping[str, str]) -> list[float]:
    """Per alert whose confirming record was produced in the live phase: milliseconds
    from producing that record to the alert being readable. The record is the alert's
    RTU's at `detected_at`; a silent RTU (a data gap) is confirmed by whichever record
    moved its partition on, so the instant's first send stands in."""
    out = []
    for arrived, alert in live.alerts:
        ms = int(datetime.fromisoformat(alert.detail["detected_at"]).timestamp() * 1000)
        point = str(alert.detail.get("point") or alert.asset)
        produced = live.sent.get((point_rtu.get(point, point), ms), live.instants.get(ms))
        if produced is not None:
            out.append((arrived - produced) * 1000)
    return out


def percentile(values: Sequence[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 1) if values else 0.0


@contextmanager
def _quiet(settings: Settings) -> Iterator[None]:
    """Warnings only while the processor runs in this process: it logs every alert."""
    log.configure("WARNING", settings.log_format)
    try:
        yield
    finally:
        log.configure(settings.log_level, settings.log_format)


def _create_topics(settings: Settings, tag: str) -> Topics:
    specs = [
        replace(s, name=f"bench.{s.name}.{tag}")
        for s in (SENSOR_READINGS, GRID_FREQUENCY, GRID_ALERTS)
    ]
    with settings.kafka_admin() as admin:
        ensure_topics(admin, specs)
    return Topics(*(s.name for s in specs))


def _inputs(messages: Iterable[Message], topics: Topics) -> Iterator[Message]:
    return (replace(m, topic=topics.rename[m.topic]) for m in messages if m.topic in topics.rename)


def _publish(settings: Settings, messages: Iterable[Message]) -> tuple[int, int]:
    count = readings = 0
    with settings.kafka_producer(bulk=True) as p:
        for m in messages:
            p.send(m.topic, key=m.key, value=m.value, timestamp_ms=m.timestamp_ms)
            count += 1
            readings += m.readings
    return count, readings


def _raw_consumer_seconds(settings: Settings, topics: Topics, records: int) -> float:
    """The baseline: a bare consumer fetching every input record, decoding nothing."""
    t0 = time.perf_counter()
    with settings.kafka_consumer() as c:
        tps = partitions(c, topics.readings) + partitions(c, topics.frequency)
        c.assign(tps)
        c.seek_to_beginning(*tps)
        seen, deadline = 0, time.monotonic() + TIMEOUT_S
        while seen < records:
            seen += sum(len(batch) for batch in c.poll(timeout_ms=250).values())
            if time.monotonic() > deadline:
                raise RuntimeError(f"raw consumer read {seen} of {records} records")
        return time.perf_counter() - t0


def _process(settings: Settings, cfg: StreamConfig, feeds: Feeds, records: int) -> StreamStats:
    """The processor, in this process, until it has processed every input record."""
    registry = feeds.scada.registry
    proc = Processor(cfg, point_info(registry.points), registry)
    deadline = time.monotonic() + TIMEOUT_S
    with _quiet(settings):
        stats = proc.run(lambda: proc.stats.records >= records or time.monotonic() > deadline)
    if stats.records != records:
        raise RuntimeError(f"processor read {stats.records} of {records} records")
    return stats


def _service(
    settings: Settings, scale: int, topics: Topics, group: str, err: IO[bytes]
) -> subprocess.Popen:
    """`grid-intel stream` on the bench's topics and group, quiet but for warnings."""
    env = os.environ | settings.kafka_env()
    env |= {"GRID_INTEL_WAREHOUSE_URL": settings.warehouse, "GRID_INTEL_LOG_LEVEL": "WARNING"}
    args = [sys.executable, "-m", "grid_intel", "stream", "--group", group, "--scale", str(scale)]
    args += ["--topics", ",".join(topics.names), "--idle-exit", str(int(TIMEOUT_S))]
    return subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=err)


def _failed(err: IO[bytes], what: str) -> RuntimeError:
    err.seek(0)
    return RuntimeError(f"{what}; processor service said: {err.read().decode()[-2000:]}")


def _wait_joined(settings: Settings, group: str, service: subprocess.Popen, err: IO[bytes]) -> None:
    """Until the service holds its partitions, plus a second to resume from them."""
    deadline = time.monotonic() + 60
    with settings.kafka_admin() as admin:
        while admin.describe_groups([group])[group]["group_state"] != "Stable":
            if service.poll() is not None or time.monotonic() > deadline:
                raise _failed(err, "the processor service did not join its group")
            time.sleep(0.2)
    time.sleep(1.0)


def _watch(c: KafkaConsumer, live: Live, alerts: str, until: float) -> None:
    """Note what becomes readable before `until` (monotonic seconds)."""
    while (left := until - time.monotonic()) > 0:
        for tp, batch in c.poll(timeout_ms=max(1, int(left * 1000))).items():
            now = time.monotonic()
            if tp.topic == alerts:
                live.alerts += [(now, decode_alert(r.value)) for r in batch]
                continue
            for r in batch:
                produced = live.sent.get((r.key.decode(), r.timestamp))
                if produced is not None:
                    live.readable.append((now - produced) * 1000)


def _paced(
    p: KafkaProducer, c: KafkaConsumer, messages: list[Message], live: Live, alerts: str
) -> None:
    """Produce each event instant's records on its paced wall time, watching between."""
    w0, ts0 = time.monotonic(), messages[0].timestamp_ms
    for ts, group in groupby(messages, key=lambda m: m.timestamp_ms):
        _watch(c, live, alerts, w0 + (ts - ts0) / 1000 / PACE)
        live.instants[ts] = time.monotonic()
        for m in group:
            live.sent.setdefault((m.key.decode(), ts), time.monotonic())
            p.send(m.topic, key=m.key, value=m.value, timestamp_ms=ts)
        p.flush()


def _caught_up(admin: KafkaAdminClient, c: KafkaConsumer, group: str, topics: Topics) -> bool:
    """The service has checkpointed every record, so it has sent every alert."""
    return all(group_lag(admin, c, group, t) == 0 for t in (topics.readings, topics.frequency))


def _live(
    settings: Settings, scale: int, topics: Topics, group: str, messages: list[Message]
) -> Live:
    """The paced phase against a processor service resumed from the bench's group."""
    live = Live()
    with tempfile.TemporaryFile() as err:
        service = _service(settings, scale, topics, group, err)
        try:
            _wait_joined(settings, group, service, err)
            with (
                settings.kafka_admin() as admin,
                settings.kafka_consumer() as c,
                settings.kafka_producer() as p,
            ):
                tps = [TopicPartition(topics.alerts, 0)]
                tps += partitions(c, topics.readings) + partitions(c, topics.frequency)
                c.assign(tps)
                c.seek_to_end(*tps)
                for tp in tps:
                    c.position(tp)  # resolve the end now, before anything is produced
                _paced(p, c, messages, live, topics.alerts)
                deadline = time.monotonic() + TIMEOUT_S
                while not _caught_up(admin, c, group, topics):
                    if service.poll() is not None or time.monotonic() > deadline:
                        raise _failed(err, "the processor service fell behind")
                    _watch(c, live, topics.alerts, time.monotonic() + 0.5)
                _watch(c, live, topics.alerts, time.monotonic() + 2.0)  # its last alerts
        finally:
            service.terminate()
            try:
                service.wait(timeout=30)
            except subprocess.TimeoutExpired:
                service.kill()
                service.wait()
    return live


def _clean(settings: Settings, topics: Topics, group: str) -> None:
    """Drop the bench's topics, group, checkpoints and live windows."""
    with settings.kafka_admin() as admin:
        admin.delete_topics(topics.names, raise_errors=False)
        admin.delete_groups([group])
    with connect(settings.warehouse, autocommit=True) as conn:
        store.reset(conn, group)
        conn.execute(
            "delete from gold.live_aggregates where source = any(%s)",
            ([topics.readings, topics.frequency],),
        )


def _run_scale(
    settings: Settings, scale: int, minutes: float, progress: Progress, live_span: timedelta
) -> dict[str, object]:
    tag = uuid.uuid4().hex[:8]
    group = f"bench-stream-{tag}"
    t0, t1, t2 = event_times(minutes, datetime.now(UTC), live_span)
    feeds = Feeds(seed=1, scale=scale, faults=FAULTS, faults_per_day=FAULTS_PER_DAY)
    topics = _create_topics(settings, tag)
    try:
        progress(f"scale {scale}: publishing {minutes:g} simulated minutes to {topics.readings}")
        messages, readings = _publish(settings, _inputs(feeds.messages(t0, t1), topics))
        raw_s = _raw_consumer_seconds(settings, topics, messages)
        cfg = StreamConfig(
            settings.kafka_bootstrap,
            settings.warehouse,
            settings.kafka_security,
            group=group,
            readings_topic=topics.readings,
            frequency_topic=topics.frequency,
            alerts_topic=topics.alerts,
        )
        stats = _process(settings, cfg, feeds, messages)
        progress(
            f"scale {scale}: processor {readings / stats.seconds:,.0f} readings/s, "
            f"raw consumer {readings / raw_s:,.0f}/s; {stats.alerts} alerts"
        )
        paced = sorted(_inputs(feeds.messages(t1, t2), topics), key=lambda m: m.timestamp_ms)
        progress(
            f"scale {scale}: {live_span.total_seconds() / 60:g} more simulated minutes at "
            f"{PACE:g}x real time to a processor service"
        )
        live = _live(settings, scale, topics, group, paced)
    finally:
        _clean(settings, topics, group)
    point_rtu = {p.id: p.rtu for p in feeds.scada.registry.points}
    latency = alert_latencies_ms(live, point_rtu)
    if not latency:
        raise RuntimeError(f"no alert of the {len(live.alerts)} seen could be timed")
    raw, processed = readings / raw_s, readings / stats.seconds
    return {
        "scale": scale,
        "readings": readings,
        "messages": messages,
        "raw_consumer_readings_per_s": round(raw),
        "processor_readings_per_s": round(processed),
        "ratio_vs_raw_consumer": round(processed / raw, 3),
        "raw_consumer_seconds": round(raw_s, 2),
        "processor_seconds": round(stats.seconds, 2),
        "alerts": stats.alerts,
        "live_alerts": len(live.alerts),
        "latency_alerts": len(latency),
        "latency_p50_ms": percentile(latency, 50),
        "latency_p99_ms": percentile(latency, 99),
        "latency_max_ms": round(max(latency), 1),
        "broker_p50_ms": percentile(live.readable, 50),
        "broker_p99_ms": percentile(live.readable, 99),
        "latency_p50_vs_broker": round(
            percentile(latency, 50) / max(percentile(live.readable, 50), 0.1), 1
        ),
    }


def bench_stream(
    settings: Settings,
    minutes: float,
    scales: list[int],
    progress: Progress,
    live_minutes: float = LIVE.total_seconds() / 60,
) -> dict[str, object]:
    """The processor's readings/s beside a raw consumer's, and its alert latency beside
    the broker's own produce-to-readable time, per scale."""
    live_span = timedelta(minutes=live_minutes)
    report: dict[str, object] = {
        "benchmark": "stream",
        "simulated_minutes": minutes,
        "live_minutes": live_minutes,
        "live_pace": PACE,
        "faults_per_day": FAULTS_PER_DAY,
        "runs": [],
    }
    for scale in scales:
        run = _run_scale(settings, scale, minutes, progress, live_span)
        report["runs"].append(run)  # type: ignore[union-attr]
        progress(
            f"scale {scale}: {run['processor_readings_per_s']:,} readings/s, "
            f"{run['ratio_vs_raw_consumer']:.2f}x a raw consumer; alert latency "
            f"p50 {run['latency_p50_ms']} ms, p99 {run['latency_p99_ms']} ms "
            f"(broker p50 {run['broker_p50_ms']} ms)"
        )
    return report
