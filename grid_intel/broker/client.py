"""Thin, fail-fast helpers over kafka-python: topics, bounded reads, produce, lag commits."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from grid_intel.broker.security import KafkaSecurity
from grid_intel.broker.topics import TopicSpec
from grid_intel.broker.windows import (
    OffsetRange,
    Window,
    expired_partitions,
    offset_ranges,
    to_ms,
)

if TYPE_CHECKING:
    from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition

T = TypeVar("T")


class KafkaUnavailable(RuntimeError):
    """The broker did not answer; the message says how to bring it up."""


def _unavailable(bootstrap: str, exc: Exception, security: KafkaSecurity) -> KafkaUnavailable:
    return KafkaUnavailable(
        f"cannot reach Kafka at {bootstrap}: {type(exc).__name__}: {exc}. "
        "Start the local stack with `grid-intel stack up`, or point "
        f"GRID_INTEL_KAFKA_BOOTSTRAP_SERVERS at a running broker. {security.hint()}"
    )


def _open(
    factory: Callable[..., T],
    bootstrap: str,
    timeout_s: float,
    security: KafkaSecurity,
    **options: object,
) -> T:
    """A kafka-python client that fails within `timeout_s` when no broker answers, over the
    protocol the caller names (from its settings: `Settings.kafka_security`)."""
    from kafka.errors import KafkaError

    if problem := security.missing_cafile():
        raise KafkaUnavailable(f"cannot reach Kafka at {bootstrap}: {problem}")
    ms = int(timeout_s * 1000)
    try:
        return factory(
            bootstrap_servers=bootstrap.split(","),
            request_timeout_ms=max(ms, 5000),
            bootstrap_timeout_ms=ms,
            reconnect_backoff_max_ms=1000,
            client_id="grid-intel",
            **security.client_options(),
            **options,
        )
    except (KafkaError, OSError) as exc:
        raise _unavailable(bootstrap, exc, security) from exc


@contextmanager
def admin_client(
    bootstrap: str, timeout_s: float = 5.0, *, security: KafkaSecurity
) -> Iterator[KafkaAdminClient]:
    from kafka import KafkaAdminClient

    client = _open(KafkaAdminClient, bootstrap, timeout_s, security)
    try:
        yield client
    finally:
        client.close()


@contextmanager
def consumer(
    bootstrap: str,
    *,
    group_id: str | None = None,
    timeout_s: float = 5.0,
    security: KafkaSecurity,
) -> Iterator[KafkaConsumer]:
    from kafka import KafkaConsumer

    client = _open(
        KafkaConsumer,
        bootstrap,
        timeout_s,
        security,
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=5000,
        fetch_max_bytes=64 * 1024 * 1024,
    )
    try:
        yield client
    finally:
        client.close()


@contextmanager
def producer(
    bootstrap: str,
    timeout_s: float = 5.0,
    *,
    bulk: bool = False,
    security: KafkaSecurity,
) -> Iterator[KafkaProducer]:
    """An idempotent, acks=all producer; `bulk` adds large lz4-compressed batches."""
    from kafka import KafkaProducer

    options: dict[str, object] = {"acks": "all", "linger_ms": 20, "enable_idempotence": True}
    if bulk:
        options |= {
            "compression_type": "lz4",
            "linger_ms": 50,
            "batch_size": 1 << 20,
            "max_request_size": 8 << 20,
        }
    client = _open(KafkaProducer, bootstrap, timeout_s, security, **options)
    try:
        yield client
    finally:
        client.flush()
        client.close()


@dataclass(frozen=True)
class TopicState:
    name: str
    partitions: int
    retention_ms: int | None
    created: bool

    def matches(self, spec: TopicSpec) -> bool:
        return self.partitions == spec.partitions and self.retention_ms == spec.retention_ms


def ensure_topics(client: KafkaAdminClient, specs: Sequence[TopicSpec]) -> list[TopicState]:
    """Create missing topics, then read every topic back from the broker."""
    from kafka.errors import TopicAlreadyExistsError

    existing = set(client.list_topics())
    missing = {
        s.name: {"num_partitions": s.partitions, "replication_factor": 1, "configs": s.configs}
        for s in specs
        if s.name not in existing
    }
    if missing:
        with suppress(TopicAlreadyExistsError):  # a concurrent `up` created it first
            client.create_topics(missing, wait_for_metadata=True)
    return describe_topics(client, specs, created=set(missing))


def describe_topics(
    client: KafkaAdminClient, specs: Sequence[TopicSpec], created: set[str] | None = None
) -> list[TopicState]:
    from kafka.admin import ConfigResource, ConfigResourceType

    names = [s.name for s in specs]
    partitions = {t["name"]: len(t["partitions"]) for t in client.describe_topics(names)}
    resources = [ConfigResource(ConfigResourceType.TOPIC, n, {"retention.ms": None}) for n in names]
    configs = client.describe_configs(resources, config_filter="all")
    topic_cfg = next(iter(configs.values())) if configs else {}
    out = []
    for name in names:
        entry = topic_cfg.get(name, {}).get("retention.ms")
        value = entry.get("value") if isinstance(entry, dict) else entry
        out.append(
            TopicState(
                name,
                partitions.get(name, 0),
                int(value) if value is not None else None,
                name in (created or ()),
            )
        )
    return out


@dataclass(frozen=True)
class Record:
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes | None


def window_ranges(
    client: KafkaConsumer, topic: str, window: Window, lateness: timedelta | None = None
) -> list[OffsetRange]:
    """Per-partition offset ranges that hold the window, from Kafka's time index: to the
    first record stamped `lateness` after the window's end (None: to the topic's end)."""
    tps = partitions(client, topic)
    return offset_ranges(
        time_index(client, topic, window.start),
        {tp.partition: o for tp, o in client.beginning_offsets(tps).items()},
        {tp.partition: o for tp, o in client.end_offsets(tps).items()},
        None if lateness is None else time_index(client, topic, window.end + lateness),
    )


def earliest_timestamps(client: KafkaConsumer, topic: str) -> dict[int, int | None]:
    """Per partition, the timestamp (ms) of the earliest retained record (None: empty)."""
    found = client.offsets_for_times(dict.fromkeys(partitions(client, topic), 0))
    return {tp.partition: (o.timestamp if o else None) for tp, o in found.items()}


def expired(client: KafkaConsumer, topic: TopicSpec, window: Window) -> list[int]:
    """Partitions of `topic` whose retention may have deleted part of `window`."""
    now = datetime.now(UTC)
    if window.start >= now - topic.retention:  # whole: skip the broker look-ups
        return []
    tps = partitions(client, topic.name)
    beginning = {tp.partition: o for tp, o in client.beginning_offsets(tps).items()}
    return expired_partitions(
        window, now, topic.retention, beginning, earliest_timestamps(client, topic.name)
    )


def read_ranges(
    client: KafkaConsumer, topic: str, ranges: Iterable[OffsetRange], timeout_s: float = 60.0
) -> Iterator[Record]:
    """Exactly the records of the given offset ranges; fails after `timeout_s` without progress."""
    from kafka import TopicPartition
    from kafka.errors import KafkaError

    todo = {r.partition: r for r in ranges if r.count > 0}
    if not todo:
        return
    tps = {p: TopicPartition(topic, p) for p in todo}
    client.assign(list(tps.values()))
    client.resume(*tps.values())  # a previous read on this client paused them
    for p, r in todo.items():
        client.seek(tps[p], r.start)
    deadline = time.monotonic() + timeout_s
    while todo:
        if time.monotonic() > deadline:
            left = {p: (client.position(tps[p]), r.stop) for p, r in todo.items()}
            raise KafkaError(
                f"no progress reading {topic} for {timeout_s:.0f}s; still to read {left}. "
                "Is the broker up (`grid-intel stack status`) and the data still retained?"
            )
        batches = client.poll(timeout_ms=500)
        if batches:
            deadline = time.monotonic() + timeout_s
        for tp, messages in batches.items():
            r = todo.get(tp.partition)
            if r is None:
                continue
            for m in messages:
                if m.offset >= r.stop:
                    break
                if m.offset >= r.start:
                    yield Record(tp.partition, m.offset, m.timestamp, m.key, m.value)
        # Checked every round, not only for partitions that just delivered: the
        # position can reach the end with the poll that follows the last records.
        for p in [p for p, r in todo.items() if client.position(tps[p]) >= r.stop]:
            todo.pop(p)
            client.pause(tps[p])


def commit_lag(
    client: KafkaAdminClient, group: str, topic: str, ranges: Iterable[OffsetRange]
) -> None:
    """Record progress for a consumer group (for lag dashboards), never moving it back."""
    from kafka import TopicPartition
    from kafka.structs import OffsetAndMetadata

    wanted = {TopicPartition(topic, r.partition): r.stop for r in ranges if r.count > 0}
    if not wanted:
        return
    current = retrying(lambda: client.list_group_offsets({group: list(wanted)})).get(group, {})
    offsets = {
        tp: OffsetAndMetadata(stop, "", -1)
        for tp, stop in wanted.items()
        if current.get(tp) is None or current[tp].offset < stop
    }
    if offsets:
        retrying(lambda: client.alter_group_offsets(group, offsets))


def retrying(call: Callable[[], T], *, attempts: int = 8, backoff_s: float = 0.25) -> T:
    """Retry a call on Kafka's retriable errors (e.g. the group coordinator still loading)."""
    from kafka.errors import RetriableError

    for attempt in range(attempts):
        try:
            return call()
        except RetriableError:
            if attempt == attempts - 1:
                raise
            time.sleep(min(backoff_s * 2**attempt, 4.0))
    raise AssertionError("unreachable")


def partitions(client: KafkaConsumer, topic: str) -> list[TopicPartition]:
    from kafka import TopicPartition
    from kafka.errors import KafkaError

    parts = client.partitions_for_topic(topic)
    if not parts:
        raise KafkaError(f"topic {topic!r} does not exist: run `grid-intel stack up`")
    return [TopicPartition(topic, p) for p in sorted(parts)]


def time_index(client: KafkaConsumer, topic: str, ts: datetime) -> dict[int, int | None]:
    """Per partition, the first offset stamped at or after `ts` (None: no such record yet)."""
    found = client.offsets_for_times(dict.fromkeys(partitions(client, topic), to_ms(ts)))
    return {tp.partition: (o.offset if o else None) for tp, o in found.items()}


def start_offsets(client: KafkaConsumer, topic: str, since: datetime) -> dict[int, int]:
    """Where a first scan starts: the time index at `since`, else the partition's end."""
    tps = partitions(client, topic)
    end = client.end_offsets(tps)
    first = time_index(client, topic, since)
    # Offset 0 is a real start (a fresh topic's first record), not "nothing found".
    return {
        tp.partition: end[tp] if first[tp.partition] is None else first[tp.partition] for tp in tps
    }


def scan_timestamps(
    client: KafkaConsumer,
    topic: str,
    start: dict[int, int],
    *,
    max_records: int,
    timeout_s: float = 20.0,
) -> tuple[list[tuple[int, int, int]], dict[int, int]]:
    """(partition, offset, timestamp_ms) of records from `start` towards the end offsets.

    Stops after `max_records` or `timeout_s`; the second value is where the next
    scan continues, per partition.
    """
    tps = partitions(client, topic)
    end = {tp.partition: o for tp, o in client.end_offsets(tps).items()}
    begin = {tp.partition: o for tp, o in client.beginning_offsets(tps).items()}
    nxt = {p: max(start.get(p, begin[p]), begin[p]) for p in end}
    ranges = [OffsetRange(p, nxt[p], end[p]) for p in sorted(end)]
    metas: list[tuple[int, int, int]] = []
    deadline = time.monotonic() + timeout_s
    for rec in read_ranges(client, topic, ranges, timeout_s=timeout_s * 3):
        metas.append((rec.partition, rec.offset, rec.timestamp_ms))
        nxt[rec.partition] = rec.offset + 1
        if len(metas) >= max_records or time.monotonic() > deadline:
            break
    return metas, nxt


def group_lag(client: KafkaAdminClient, consumer: KafkaConsumer, group: str, topic: str) -> int:
    """Records of `topic` past the group's committed offsets (all of them where none is)."""
    tps = partitions(consumer, topic)
    end = consumer.end_offsets(tps)
    begin = consumer.beginning_offsets(tps)
    committed = retrying(lambda: client.list_group_offsets({group: tps})).get(group, {})
    lag = 0
    for tp in tps:
        done = committed.get(tp)
        lag += end[tp] - (done.offset if done is not None and done.offset >= 0 else begin[tp])
    return lag
