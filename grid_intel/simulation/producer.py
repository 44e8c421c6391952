"""Publish simulated feeds to Kafka: `history` as fast as possible, `live` paced to the clock."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from kafka import KafkaProducer

from grid_intel.simulation.feeds import Feeds
from grid_intel.simulation.messages import Message

Progress = Callable[[str], None]


@dataclass
class PublishStats:
    messages: Counter[str] = field(default_factory=Counter)
    partitions: Counter[tuple[str, int]] = field(default_factory=Counter)
    readings: int = 0
    seconds: float = 0.0

    def add(self, other: PublishStats) -> None:
        """Fold in another publication's figures (histories published in parts)."""
        self.messages.update(other.messages)
        self.partitions.update(other.partitions)
        self.readings += other.readings
        self.seconds += other.seconds

    def line(self) -> str:
        rate = self.readings / self.seconds if self.seconds else 0.0
        topics = ", ".join(f"{t}={n}" for t, n in sorted(self.messages.items()))
        return (
            f"{sum(self.messages.values())} messages ({topics}), {self.readings} readings, "
            f"{rate:,.0f} readings/s"
        )


def publish(producer: KafkaProducer, messages: Iterable[Message], stats: PublishStats) -> None:
    """Send messages and count them per topic and, on delivery, per partition."""

    def delivered(meta) -> None:
        stats.partitions[(meta.topic, meta.partition)] += 1

    for m in messages:
        producer.send(m.topic, key=m.key, value=m.value, timestamp_ms=m.timestamp_ms).add_callback(
            delivered
        )
        stats.messages[m.topic] += 1
        stats.readings += m.readings


def history(
    producer: KafkaProducer, feeds: Feeds, start: datetime, end: datetime, progress: Progress
) -> PublishStats:
    """Publish [start, end) as fast as the broker takes it, reporting each simulated hour."""
    stats = PublishStats()
    t0 = time.perf_counter()
    hour = start
    while hour < end:
        nxt = min(hour.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1), end)
        publish(producer, feeds.messages(hour, nxt), stats)
        stats.seconds = time.perf_counter() - t0
        progress(f"simulated {hour:%Y-%m-%d %H:%M}-{nxt:%H:%M} UTC: {stats.line()}")
        hour = nxt
    publish(producer, feeds.flush_late(), stats)
    producer.flush()
    stats.seconds = time.perf_counter() - t0
    return stats


def live(
    producer: KafkaProducer,
    feeds: Feeds,
    start: datetime,
    duration: timedelta,
    speed: float,
    progress: Progress,
    step: timedelta = timedelta(seconds=4),
) -> PublishStats:
    """Publish from `start`, each step when the (sped-up) clock reaches it."""
    if speed <= 0:
        raise ValueError("speed must be positive")
    stats = PublishStats()
    wall0, t = time.perf_counter(), start
    end = start + duration
    last_report = wall0
    while t < end:
        due = wall0 + (t - start).total_seconds() / speed
        if (wait := due - time.perf_counter()) > 0:
            time.sleep(wait)
        publish(producer, feeds.messages(t, min(t + step, end)), stats)
        t += step
        stats.seconds = time.perf_counter() - wall0
        if time.perf_counter() - last_report > 10:
            progress(f"live at {t:%Y-%m-%d %H:%M:%S} UTC (x{speed:g}): {stats.line()}")
            last_report = time.perf_counter()
    publish(producer, feeds.flush_late(), stats)
    producer.flush()
    return stats


def now_floor() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
