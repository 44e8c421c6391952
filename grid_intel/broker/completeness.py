"""Which hourly windows of a topic are complete, and which offsets to read for them.

The sensor scans new records' (partition, offset, timestamp), folds them into
its cursor with `advance`, and requests every window that is complete — the
event-time watermark (the newest timestamp seen, ignoring any stamped in the
future by a skewed clock) has passed the window's end
plus a grace period, or, for a quiet topic, the wall clock has passed it by the
idle timeout too — and whose span of offsets changed since it was last
requested. A window whose span grows after its request received late data and
is requested again.

`read_ranges` turns a requested window into the offsets to read: from the
first offset Kafka's time index holds at or after the window start (no record
of the window sits before it) to one past the last record of the window seen.
For partitions where the sensor saw none of the window's records it reads up to
the scanned position, which covers any it could not see.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from grid_intel.broker.cursor import TopicCursor, WindowSpan
from grid_intel.broker.windows import OffsetRange, Window, from_ms, to_ms

PARTITION_FORMAT = "%Y-%m-%d-%H:%M"


@dataclass(frozen=True)
class Policy:
    first_window: datetime  # the partitions' start: older records are counted, not requested
    grace: timedelta = timedelta(minutes=2)
    clock_skew: timedelta = timedelta(minutes=5)  # newer event times do not move the watermark
    idle: timedelta = timedelta(minutes=10)
    horizon: timedelta = timedelta(hours=48)
    max_requests: int = 24


@dataclass(frozen=True)
class DueWindow:
    key: str
    window: Window
    span: WindowSpan
    late: bool  # requested before: this request re-reads it with late data


@dataclass
class Advance:
    cursor: TopicCursor
    due: list[DueWindow] = field(default_factory=list)
    scanned: int = 0
    too_old: int = 0
    future: int = 0  # stamped past now + clock skew: loaded with their hour, never a watermark
    waiting: list[str] = field(default_factory=list)  # windows seen but not complete yet


def window_of(key: str) -> Window:
    start = datetime.strptime(key, PARTITION_FORMAT).replace(tzinfo=UTC)
    return Window(start, start + timedelta(hours=1))


def advance(
    cursor: TopicCursor,
    records: Iterable[tuple[int, int, int]],
    scanned_to: Mapping[int, int],
    now: datetime,
    policy: Policy,
) -> Advance:
    """Fold (partition, offset, timestamp_ms) records into a new cursor; list due windows."""
    out = Advance(
        TopicCursor(
            dict(cursor.next_offsets),
            cursor.watermark_ms,
            {k: WindowSpan(dict(w.spans), w.requested) for k, w in cursor.windows.items()},
        )
    )
    new = out.cursor
    first_ms = to_ms(policy.first_window)
    latest_ms = to_ms(now + policy.clock_skew)
    for partition, offset, ts_ms in records:
        out.scanned += 1
        if ts_ms < first_ms:
            out.too_old += 1
            continue
        key = from_ms(ts_ms - ts_ms % 3_600_000).strftime(PARTITION_FORMAT)
        new.windows.setdefault(key, WindowSpan()).add(partition, offset)
        if ts_ms > latest_ms:
            out.future += 1
        elif new.watermark_ms is None or ts_ms > new.watermark_ms:
            new.watermark_ms = ts_ms
    new.next_offsets.update(scanned_to)

    watermark = from_ms(new.watermark_ms) if new.watermark_ms is not None else None
    for key in sorted(new.windows):
        span = new.windows[key]
        window = window_of(key)
        closes = window.end + policy.grace
        complete = window.end <= now and (
            (watermark is not None and watermark >= closes) or now >= closes + policy.idle
        )
        if not complete:
            out.waiting.append(key)
            continue
        fingerprint = span.fingerprint()
        if span.requested == fingerprint:
            continue
        if len(out.due) < policy.max_requests:
            out.due.append(DueWindow(key, window, span, late=span.requested is not None))
            span.requested = fingerprint
    if watermark is not None:
        forget_before = watermark - policy.horizon
        for key in [k for k, w in new.windows.items() if w.requested == w.fingerprint()]:
            if window_of(key).end < forget_before:
                del new.windows[key]
    return out


def read_ranges(
    span: WindowSpan, time_index: Mapping[int, int | None], scanned_to: Mapping[int, int]
) -> list[OffsetRange]:
    """Offsets to read for a due window (see the module docstring)."""
    ranges = []
    for partition in sorted(set(time_index) | set(span.spans)):
        seen = span.spans.get(partition)
        first = time_index.get(partition)
        if seen is None:
            if first is None or first >= scanned_to.get(partition, 0):
                continue
            ranges.append(OffsetRange(partition, first, scanned_to[partition]))
            continue
        lo = seen[0] if first is None else min(first, seen[0])
        ranges.append(OffsetRange(partition, lo, seen[1]))
    return ranges


def run_key(topic: str, due: DueWindow) -> str:
    """Deterministic: the same window with the same records seen gives the same key."""
    return f"{topic}:{due.key}:{due.span.fingerprint()}"


def consecutive(due: Iterable[DueWindow], max_hours: int) -> list[list[DueWindow]]:
    """Due windows in runs of consecutive hours, at most `max_hours` each: one Dagster
    run per run of hours pays its start-up once instead of once an hour."""
    runs: list[list[DueWindow]] = []
    for d in sorted(due, key=lambda d: d.window.start):
        last = runs[-1] if runs else None
        if last and last[-1].window.end == d.window.start and len(last) < max_hours:
            last.append(d)
        else:
            runs.append([d])
    return runs


def merged(ranges: Iterable[OffsetRange]) -> list[OffsetRange]:
    """One range per partition spanning all of them: a run over consecutive hours reads
    each hour's offsets (records of other hours in between are counted, not loaded)."""
    spans: dict[int, tuple[int, int]] = {}
    for r in ranges:
        lo, hi = spans.get(r.partition, (r.start, r.stop))
        spans[r.partition] = (min(lo, r.start), max(hi, r.stop))
    return [OffsetRange(p, lo, hi) for p, (lo, hi) in sorted(spans.items())]


def range_run_key(topic: str, due: list[DueWindow]) -> str:
    """Deterministic for the same hours with the same records seen; one hour keeps the
    key of `run_key`."""
    if len(due) == 1:
        return run_key(topic, due[0])
    prints = hashlib.sha1("|".join(d.span.fingerprint() for d in due).encode()).hexdigest()
    return f"{topic}:{due[0].key}...{due[-1].key}:{prints[:16]}"
