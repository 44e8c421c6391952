"""The processor's durable side: live windows and per-partition checkpoints, written
in one transaction so a window and the state that closed it never disagree."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import orjson
import psycopg

from grid_intel.streaming.windows import WindowRow

LIVE_RETENTION = timedelta(days=2)


@dataclass(frozen=True)
class Checkpoint:
    topic: str
    partition: int
    next_offset: int
    watermark_ms: int | None
    alerts_offset: int
    state: dict[str, object]


def load(conn: psycopg.Connection, group: str, topic: str, partition: int) -> Checkpoint | None:
    row = conn.execute(
        "select next_offset, watermark, alerts_offset, state from ops.stream_checkpoints"
        " where consumer_group = %s and topic = %s and partition = %s",
        (group, topic, partition),
    ).fetchone()
    if row is None:
        return None
    offset, watermark, alerts_offset, blob = row
    wm = int(watermark.timestamp() * 1000) if watermark else None
    state = orjson.loads(zlib.decompress(blob))
    return Checkpoint(topic, partition, offset, wm, alerts_offset, state)


def save(
    conn: psycopg.Connection,
    group: str,
    checkpoints: Iterable[Checkpoint],
    windows: Iterable[WindowRow],
) -> int:
    """Upsert closed windows and checkpoints in one transaction; returns windows written."""
    rows = [
        (w.window_start, w.source, w.key, w.measure, w.n, w.mean, w.min, w.max) for w in windows
    ]
    with conn.transaction(), conn.cursor() as cur:
        if rows:
            cur.executemany(
                "insert into gold.live_aggregates"
                " (window_start, source, key, measure, n, mean, min, max)"
                " values (%s, %s, %s, %s, %s, %s, %s, %s)"
                " on conflict (window_start, source, key, measure) do update set"
                " n = excluded.n, mean = excluded.mean, min = excluded.min, max = excluded.max,"
                " updated_at = now()",
                rows,
            )
        cur.executemany(
            "insert into ops.stream_checkpoints (consumer_group, topic, partition, next_offset,"
            " watermark, alerts_offset, state) values (%s, %s, %s, %s, %s, %s, %s)"
            " on conflict (consumer_group, topic, partition) do update set"
            " next_offset = excluded.next_offset, watermark = excluded.watermark,"
            " alerts_offset = excluded.alerts_offset, state = excluded.state, updated_at = now()",
            [
                (
                    group,
                    c.topic,
                    c.partition,
                    c.next_offset,
                    _ts(c.watermark_ms),
                    c.alerts_offset,
                    zlib.compress(orjson.dumps(c.state), 1),
                )
                for c in checkpoints
            ],
        )
    return len(rows)


def prune(conn: psycopg.Connection, now: datetime) -> int:
    """Drop live windows older than the retention (the gold rollups keep history)."""
    with conn.transaction():
        cur = conn.execute(
            "delete from gold.live_aggregates where window_start < %s", (now - LIVE_RETENTION,)
        )
    return cur.rowcount


def reset(conn: psycopg.Connection, group: str) -> int:
    """Forget a group's checkpoints (the next run starts from its start policy)."""
    with conn.transaction():
        cur = conn.execute("delete from ops.stream_checkpoints where consumer_group = %s", (group,))
    return cur.rowcount


def _ts(ms: int | None) -> datetime | None:
    return None if ms is None or ms < 0 else datetime.fromtimestamp(ms / 1000, UTC)
