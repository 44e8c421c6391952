"""Offset ↔ time-window maths for the bronze contract (DESIGN.md §2).

A window [start, end) is read as, per Kafka partition, the offsets from the
first record stamped at or after `start - disorder` to the first stamped at or
after `end + disorder`; records are then kept by event time. Any record whose
timestamp is at most `disorder` away from its neighbours' lands in exactly one
window, so reading every window once reads every record once.
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


def search_bounds(window: Window, disorder: timedelta) -> tuple[int, int]:
    """Timestamps (ms) whose offsets bound the read of a window."""
    return to_ms(window.start - disorder), to_ms(window.end + disorder)


def offset_ranges(
    lower: Mapping[int, int | None],
    upper: Mapping[int, int | None],
    beginning: Mapping[int, int],
    end: Mapping[int, int],
) -> list[OffsetRange]:
    """Offset ranges per partition from the time-index look-ups.

    `lower`/`upper` are `offsets_for_times` answers for the two search bounds
    (None when no record is that late: read to the end offset); `beginning` and
    `end` are the partitions' first and next offsets.
    """
    ranges = []
    for partition in sorted(end):
        lo = lower.get(partition)
        hi = upper.get(partition)
        start = end[partition] if lo is None else max(lo, beginning.get(partition, 0))
        stop = end[partition] if hi is None else min(hi, end[partition])
        ranges.append(OffsetRange(partition, start, max(start, stop)))
    return ranges
