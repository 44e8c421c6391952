"""Thin, fail-fast helpers over kafka-python: topics, bounded reads, produce, lag commits."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import TypeVar

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType
from kafka.errors import KafkaError, RetriableError, TopicAlreadyExistsError
from kafka.structs import OffsetAndMetadata

from grid_intel.kafka.topics import TopicSpec
from grid_intel.kafka.windows import OffsetRange, Window, offset_ranges, to_ms

T = TypeVar("T")


class KafkaUnavailable(RuntimeError):
    """The broker did not answer; the message says how to bring it up."""


def _unavailable(bootstrap: str, exc: Exception) -> KafkaUnavailable:
    return KafkaUnavailable(
        f"cannot reach Kafka at {bootstrap}: {type(exc).__name__}: {exc}. "
        "Start the local stack with `grid-intel stack up`, or point "
        "GRID_INTEL_KAFKA_BOOTSTRAP_SERVERS at a running broker."
    )


def _open(factory: Callable[..., T], bootstrap: str, timeout_s: float, **options: object) -> T:
    """A kafka-python client that fails within `timeout_s` when no broker answers."""
    ms = int(timeout_s * 1000)
    try:
        return factory(
            bootstrap_servers=bootstrap.split(","),
            request_timeout_ms=max(ms, 5000),
            bootstrap_timeout_ms=ms,
            reconnect_backoff_max_ms=1000,
            client_id="grid-intel",
            **options,
        )
    except (KafkaError, OSError) as exc:
        raise _unavailable(bootstrap, exc) from exc


@contextmanager
def admin_client(bootstrap: str, timeout_s: float = 5.0) -> Iterator[KafkaAdminClient]:
    client = _open(KafkaAdminClient, bootstrap, timeout_s)
    try:
        yield client
    finally:
        client.close()


@contextmanager
def consumer(
    bootstrap: str, *, group_id: str | None = None, timeout_s: float = 5.0
) -> Iterator[KafkaConsumer]:
    client = _open(
        KafkaConsumer,
        bootstrap,
        timeout_s,
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
    bootstrap: str, timeout_s: float = 5.0, *, bulk: bool = False
) -> Iterator[KafkaProducer]:
    """An idempotent, acks=all producer; `bulk` adds large lz4-compressed batches."""
    options: dict[str, object] = {"acks": "all", "linger_ms": 20, "enable_idempotence": True}
    if bulk:
        options |= {
            "compression_type": "lz4",
            "linger_ms": 50,
            "batch_size": 1 << 20,
            "max_request_size": 8 << 20,
        }
    client = _open(KafkaProducer, bootstrap, timeout_s, **options)
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


def window_ranges(client: KafkaConsumer, topic: str, window: Window) -> list[OffsetRange]:
    """Per-partition offset ranges that hold the window, from Kafka's time index."""
    parts = client.partitions_for_topic(topic)
    if not parts:
        raise KafkaError(f"topic {topic!r} does not exist: run `grid-intel stack up`")
    tps = [TopicPartition(topic, p) for p in sorted(parts)]
    end = {tp.partition: o for tp, o in client.end_offsets(tps).items()}
    first = client.offsets_for_times(dict.fromkeys(tps, to_ms(window.start)))
    return offset_ranges(
        {tp.partition: (o.offset if o else None) for tp, o in first.items()},
        {tp.partition: o for tp, o in client.beginning_offsets(tps).items()},
        end,
    )


def read_ranges(
    client: KafkaConsumer, topic: str, ranges: Iterable[OffsetRange], timeout_s: float = 60.0
) -> Iterator[Record]:
    """Exactly the records of the given offset ranges, partition by partition."""
    todo = {r.partition: r for r in ranges if r.count > 0}
    if not todo:
        return
    tps = {p: TopicPartition(topic, p) for p in todo}
    client.assign(list(tps.values()))
    for p, r in todo.items():
        client.seek(tps[p], r.start)
    deadline = time.monotonic() + timeout_s
    while todo:
        if time.monotonic() > deadline:
            left = {p: (r.start, r.stop) for p, r in todo.items()}
            raise KafkaError(f"timed out reading {topic} ranges {left}")
        batches = client.poll(timeout_ms=500)
        for tp, messages in batches.items():
            r = todo.get(tp.partition)
            if r is None:
                continue
            for m in messages:
                if m.offset >= r.stop:
                    break
                if m.offset >= r.start:
                    yield Record(tp.partition, m.offset, m.timestamp, m.key, m.value)
            if client.position(tp) >= r.stop:
                todo.pop(tp.partition)
                client.pause(tp)


def commit_lag(
    client: KafkaAdminClient, group: str, topic: str, ranges: Iterable[OffsetRange]
) -> None:
    """Record progress for a consumer group (for lag dashboards), never moving it back."""
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
    for attempt in range(attempts):
        try:
            return call()
        except RetriableError:
            if attempt == attempts - 1:
                raise
            time.sleep(min(backoff_s * 2**attempt, 4.0))
    raise AssertionError("unreachable")
