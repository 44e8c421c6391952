"""`grid-intel stream`: a Kafka consumer-group service turning readings into live
windows and alerts on grid.alerts.

Each poll's records go through their partition's state; alerts are produced as they
are confirmed. Every `commit_every_s` the processor flushes the producer (alerts
acknowledged by the broker), writes the closed windows and each partition's
checkpoint in one database transaction, and only then commits offsets to the group.
A restart (or a partition moving to another instance) resumes from the checkpoint
with the exact state it had, replays the records after it, and skips any alert whose
id it finds on grid.alerts past the checkpoint: nothing is lost, nothing repeats.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import orjson
from kafka import ConsumerRebalanceListener, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from grid_intel import log
from grid_intel.broker.client import Record, consumer, producer, read_ranges
from grid_intel.broker.codec import DecodeError, decode_alert, encode_alert
from grid_intel.broker.security import KafkaSecurity
from grid_intel.broker.topics import GRID_ALERTS, GRID_FREQUENCY, SENSOR_READINGS
from grid_intel.broker.windows import OffsetRange
from grid_intel.grid.registry import Registry
from grid_intel.observability.lag import partition_lag
from grid_intel.streaming import store
from grid_intel.streaming.detections import Detection
from grid_intel.streaming.metrics import DROP_REASONS, StreamMetrics
from grid_intel.streaming.partition import FREQUENCY, SCANS, PartitionState
from grid_intel.streaming.points import PointInfo
from grid_intel.warehouse.connection import connect

_log = log.get("grid_intel.stream")
LAG_EVERY_S = 5.0  # how often the lag gauges ask the broker for end offsets


@dataclass(frozen=True)
class StreamConfig:
    bootstrap: str
    warehouse_url: str
    security: KafkaSecurity
    group: str = "grid-intel-stream"
    readings_topic: str = SENSOR_READINGS.name
    frequency_topic: str = GRID_FREQUENCY.name
    alerts_topic: str = GRID_ALERTS.name
    commit_every_s: float = 1.0
    from_start: bool = True  # where a partition with no checkpoint begins: earliest or latest

    @property
    def kinds(self) -> dict[str, str]:
        """Input topic -> what it carries."""
        return {self.readings_topic: SCANS, self.frequency_topic: FREQUENCY}


@dataclass
class StreamStats:
    records: int = 0
    readings: int = 0
    alerts: int = 0
    skipped_alerts: int = 0  # already on grid.alerts from before a restart
    windows: int = 0
    commits: int = 0
    seconds: float = 0.0
    lag: int = 0
    alert_ids: list[str] = field(default_factory=list)

    def line(self) -> str:
        rate = self.readings / self.seconds if self.seconds else 0.0
        return (
            f"{self.records:,} records, {self.readings:,} readings ({rate:,.0f}/s), "
            f"{self.alerts} alerts ({self.skipped_alerts} already published), "
            f"{self.windows:,} windows, lag {self.lag:,}"
        )


class Processor:
    def __init__(
        self,
        config: StreamConfig,
        info: Mapping[str, PointInfo],
        registry: Registry | None = None,
        metrics: StreamMetrics | None = None,
    ) -> None:
        """`info` classifies the points; `registry` adds the overheating watch."""
        self.config, self.info, self.registry = config, info, registry
        self.metrics = metrics or StreamMetrics()
        self.states: dict[TopicPartition, PartitionState] = {}
        self.next: dict[TopicPartition, int] = {}  # processed up to here, not yet checkpointed
        self.published: set[str] = set()
        self.stats = StreamStats()
        self.alerts_mark = 0  # no alert produced from now on can sit below this offset
        self._fresh: set[TopicPartition] = set()  # assigned with no checkpoint yet
        self._read_back_from: int | None = None
        self._consumer: KafkaConsumer | None = None
        self._producer: KafkaProducer | None = None
        self._db = None

    def run(
        self,
        stop: Callable[[], bool] = lambda: False,
        idle_exit_s: float | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> StreamStats:
        """Process until `stop()` is true, or until caught up and idle for `idle_exit_s`."""
        cfg = self.config
        for topic in cfg.kinds:
            self.metrics.watch_topic(topic)
        try:
            return self._run(stop, idle_exit_s, progress)
        except Exception:
            self.metrics.failures.labels("run").inc()
            raise

    def _run(
        self,
        stop: Callable[[], bool],
        idle_exit_s: float | None,
        progress: Callable[[str], None] | None,
    ) -> StreamStats:
        cfg, m = self.config, self.metrics
        t0 = last_commit = last_report = last_data = last_lag = time.monotonic()
        with (
            consumer(cfg.bootstrap, group_id=cfg.group, security=cfg.security) as c,
            producer(cfg.bootstrap, security=cfg.security) as p,
            connect(cfg.warehouse_url, autocommit=True) as db,  # each save its own transaction
        ):
            self._consumer, self._producer, self._db = c, p, db
            alerts_tp = TopicPartition(cfg.alerts_topic, 0)
            self.alerts_mark = c.end_offsets([alerts_tp])[alerts_tp]
            c.subscribe(list(cfg.kinds), listener=_Listener(self))
            try:
                while not stop():
                    began = time.monotonic()
                    batches = c.poll(timeout_ms=250, max_records=4000)
                    self._settle_assignment(batches)
                    now = time.monotonic()
                    if batches:
                        last_data = now
                        for tp, messages in batches.items():
                            if tp in self.states:
                                self._process(tp, messages)
                        m.batch_seconds.observe(time.monotonic() - now)
                    if now - last_commit >= cfg.commit_every_s:
                        self._checkpoint(list(self.next))
                        last_commit = now
                    self.stats.seconds = now - t0
                    if now - last_lag >= LAG_EVERY_S:
                        self.stats.lag = self._lag()
                        last_lag = now
                    if progress and now - last_report >= 10:
                        progress(self.stats.line())
                        last_report = now
                    m.loop_seconds.observe(time.monotonic() - began)
                    idle = idle_exit_s is not None and now - last_data >= idle_exit_s
                    if idle and self.states and self._lag() == 0:
                        break
                self._checkpoint(list(self.next))
            finally:
                self._consumer = self._producer = self._db = None
        self.stats.seconds = time.monotonic() - t0
        return self.stats

    def _process(self, tp: TopicPartition, messages: list) -> None:
        state = self.states[tp]
        n = state.counters
        before = (n.readings, n.malformed, n.late, n.duplicates)
        records = (Record(tp.partition, m.offset, m.timestamp, m.key, m.value) for m in messages)
        for d in state.process(records):
            self._publish(d, tp)
        self.next[tp] = messages[-1].offset + 1
        readings = n.readings - before[0]
        self.stats.records += len(messages)
        self.stats.readings += readings
        mx = self.metrics
        mx.records.labels(tp.topic).inc(len(messages))
        mx.readings.labels(tp.topic).inc(readings)
        after = (n.malformed, n.late, n.duplicates)
        for reason, was, now in zip(DROP_REASONS, before[1:], after, strict=True):
            if now > was:
                mx.dropped.labels(tp.topic, reason).inc(now - was)

    def _publish(self, d: Detection, tp: TopicPartition) -> None:
        if d.alert_id in self.published:
            self.stats.skipped_alerts += 1
            return
        alert = d.alert(source=f"{tp.topic}/{tp.partition}")
        assert self._producer is not None
        sent = self._producer.send(
            self.config.alerts_topic,
            key=d.asset.encode(),
            value=encode_alert(alert),
            timestamp_ms=d.start_ms,
        )
        sent.add_callback(self._acked)
        sent.add_errback(self._not_acked, d.alert_id)
        self.published.add(d.alert_id)
        self.stats.alerts += 1
        self.metrics.alerts.labels(d.kind).inc()
        self.stats.alert_ids.append(d.alert_id)
        _log.info("alert", id=d.alert_id, asset=d.asset, kind=d.kind, point=d.point)

    def _acked(self, meta) -> None:
        self.alerts_mark = max(self.alerts_mark, meta.offset + 1)

    def _not_acked(self, alert_id: str, exc: BaseException) -> None:
        self.metrics.failures.labels("publish").inc()
        _log.error(
            "alert not acknowledged by the broker",
            id=alert_id,
            error=f"{type(exc).__name__}: {exc}",
            next="check the broker (`grid-intel stack status`) and the alerts topic",
        )

    def _checkpoint(self, tps: list[TopicPartition], commit: bool = True) -> None:
        """Alerts acknowledged, then windows and state in one transaction, then (from
        the poll loop only: the rebalance callbacks may not block on the consumer)
        offsets to the group, where they show lag."""
        p, db = self._producer, self._db
        assert p is not None and db is not None
        tps = [tp for tp in tps if tp in self.next and tp in self.states]
        if not tps:
            return
        began = time.monotonic()
        p.flush()
        windows = [w for tp in tps for w in self.states[tp].close_windows()]
        points = [
            store.Checkpoint(
                tp.topic,
                tp.partition,
                self.next[tp],
                self.states[tp].watermark,
                self.alerts_mark,
                self.states[tp].to_dict(),
            )
            for tp in tps
        ]
        written = store.save(db, self.config.group, points, windows)
        self.stats.windows += written
        if commit:
            assert self._consumer is not None
            offsets = {
                tp: OffsetAndMetadata(
                    self.next[tp],
                    orjson.dumps({"watermark_ms": self.states[tp].watermark}).decode(),
                    -1,
                )
                for tp in tps
            }
            try:
                self._consumer.commit(offsets)
            except KafkaError as exc:  # e.g. the broker restarting: the position is saved above
                _log.warning(
                    "offset commit failed; the warehouse checkpoint holds the position and "
                    "the next checkpoint commits again",
                    error=f"{type(exc).__name__}: {exc}",
                )
        self.stats.commits += 1
        for tp in tps:
            del self.next[tp]
        m = self.metrics
        m.windows.inc(written)
        m.checkpoints.inc()
        m.last_checkpoint.set_to_current_time()
        m.checkpoint_seconds.observe(time.monotonic() - began)

    def _assigned(self, tps: list[TopicPartition]) -> None:
        """(Rebalance callback.) Resume each partition from its checkpoint; the work
        that needs the broker waits for `_settle_assignment` in the poll loop."""
        c, db, cfg = self._consumer, self._db, self.config
        assert c is not None and db is not None
        for tp in tps:
            cp = store.load(db, cfg.group, tp.topic, tp.partition)
            if cp is None:
                kind = cfg.kinds[tp.topic]
                self.states[tp] = PartitionState(
                    tp.topic, tp.partition, self.info, kind, self.registry
                )
                if cfg.from_start:
                    c.seek_to_beginning(tp)
                else:
                    c.seek_to_end(tp)
                self._fresh.add(tp)
                continue
            self.states[tp] = PartitionState.from_dict(cp.state, self.info, self.registry)
            c.seek(tp, cp.next_offset)
            since = self._read_back_from
            self._read_back_from = (
                cp.alerts_offset if since is None else min(since, cp.alerts_offset)
            )
        _log.info("assigned", partitions=[f"{tp.topic}/{tp.partition}" for tp in tps])

    def _settle_assignment(self, batches: Mapping[TopicPartition, list]) -> None:
        """Before any record of a newly assigned partition is processed: learn the alerts
        already published past its checkpoint, and give a partition seen for the first
        time a checkpoint at its start, so that even a run dying before its first
        commit leaves the mark from which its alerts are recognised."""
        c = self._consumer
        assert c is not None
        if self._read_back_from is not None:
            cfg = self.config
            self.published |= published_since(
                cfg.bootstrap, cfg.alerts_topic, self._read_back_from, cfg.security
            )
            _log.info("read back", since=self._read_back_from, known_alerts=len(self.published))
            self._read_back_from = None
        if self._fresh:
            for tp in self._fresh:
                got = batches.get(tp)
                self.next[tp] = got[0].offset if got else c.position(tp)
            self._checkpoint(list(self._fresh))
            self._fresh.clear()

    def _revoked(self, tps: list[TopicPartition]) -> None:
        """(Rebalance callback.) Checkpoint what was processed, then let go."""
        if self._db is not None:
            self._checkpoint(tps, commit=False)
        for tp in tps:
            self.states.pop(tp, None)
            self.next.pop(tp, None)
            self._fresh.discard(tp)
            self.metrics.forget_partition(tp.topic, tp.partition)
        _log.info("revoked", partitions=[f"{tp.topic}/{tp.partition}" for tp in tps])

    def _lag(self) -> int:
        """Records past the position on every assigned partition; sets the lag gauges."""
        c = self._consumer
        assert c is not None
        tps = list(self.states)
        if not tps:
            return 0
        lags = partition_lag(c.end_offsets(tps), {tp: c.position(tp) for tp in tps})
        self.metrics.set_lag({(tp.topic, tp.partition): n for tp, n in lags.items()})
        return sum(lags.values())


class _Listener(ConsumerRebalanceListener):
    def __init__(self, processor: Processor) -> None:
        self.processor = processor

    def on_partitions_revoked(self, revoked) -> None:
        self.processor._revoked(list(revoked))

    def on_partitions_assigned(self, assigned) -> None:
        self.processor._assigned(list(assigned))


def published_since(bootstrap: str, topic: str, offset: int, security: KafkaSecurity) -> set[str]:
    """Ids of the alerts on `topic` from `offset` on: what a replay must not send again."""
    with consumer(bootstrap, security=security) as c:
        tp = TopicPartition(topic, 0)
        end = c.end_offsets([tp])[tp]
        ids = set()
        for rec in read_ranges(c, topic, [OffsetRange(0, offset, end)]):
            try:
                ids.add(decode_alert(rec.value).alert_id)
            except DecodeError:
                continue
    return ids


def read_alerts(
    bootstrap: str, security: KafkaSecurity, topic: str = GRID_ALERTS.name
) -> list[tuple[int, object]]:
    """Every alert on the topic with its offset (for tests, benches and evaluation)."""
    with consumer(bootstrap, security=security) as c:
        tp = TopicPartition(topic, 0)
        begin, end = c.beginning_offsets([tp])[tp], c.end_offsets([tp])[tp]
        return [
            (rec.offset, decode_alert(rec.value))
            for rec in read_ranges(c, topic, [OffsetRange(0, begin, end)])
        ]
