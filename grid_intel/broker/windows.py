"""Offset ↔ time-window maths for the bronze contract (docs/architecture.md).

A window [start, end) is read, per Kafka partition, from the first offset whose
record is stamped at or after `start` (Kafka's time index answers this exactly,
even when event times are out of order) up to the end offsets seen when the run
began; records are then kept by event time. No record of the window can sit
before that first offset, so a window read this way misses nothing, however late
its data arrived; each record is kept by exactly one window.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class OffsetRange:
    """Half-open offset range [start, stop) of one topic partition."""

    partition: int
    start: int
    stop: int

    @property
    def count(self) -> int:
        return max(0, self.stop - self.start)


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("window bounds must be timezone-aware (UTC)")
        if self.end <= self.start:
            raise ValueError(f"window end {self.end} is not after its start {self.start}")

    def contains_ms(self, ts_ms: int) -> bool:
        return to_ms(self.start) <= ts_ms < to_ms(self.end)


def to_ms(ts: datetime) -> int:
    return int(ts.timestamp() * 1000)


def from_ms(ts_ms: int) -> datetime:
    return datetime.fromtimestamp(ts_ms / 1000, tz=UTC)


def offset_ranges(
    first: Mapping[int, int | None],
    beginning: Mapping[int, int],
    end: Mapping[int, int],
    last: Mapping[int, int | None] | None = None,
) -> list[OffsetRange]:
    """Offset ranges per partition from the time-index look-up.

    `first` holds `offsets_for_times(window.start)` per partition (None when no
    record is that recent); `beginning` and `end` are the partitions' first
    retained and next offsets; `last`, if given, the time index where reading may
    stop (the window's end plus the topic's allowed lateness; None: read to the end).
    """
    ranges = []
    for partition in sorted(end):
        lo = first.get(partition)
        start = end[partition] if lo is None else max(lo, beginning.get(partition, 0))
        stop = end[partition]
        if last is not None and last.get(partition) is not None:
            stop = min(stop, last[partition])  # type: ignore[type-var]
        ranges.append(OffsetRange(partition, start, max(start, stop)))
    return ranges


def expired_partitions(
    window: Window,
    now: datetime,
    retention: timedelta,
    beginning: Mapping[int, int],
    earliest_ms: Mapping[int, int | None],
) -> list[int]:
    """Partitions whose retained records may no longer reach back to the window's start.

    Kafka deletes whole segments once their newest record is older than the retention,
    so a window that starts inside the retention is whole. An older one is whole on a
    partition only if nothing was ever deleted there (beginning 0) or its earliest
    retained record (`earliest_ms`, None if all are gone) is no later than the start.
    """
    if window.start >= now - retention:
        return []
    start = to_ms(window.start)
    return [
        p
        for p, first in sorted(beginning.items())
        if first > 0 and (earliest_ms.get(p) is None or earliest_ms[p] > start)
    ]
