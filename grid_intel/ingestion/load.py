"""Load one hourly window of a topic into its bronze table: read, decode, replace, quarantine.

Rows stream from Kafka through the decoder into one binary COPY, so the
database inserts while Python decodes. The window's old rows, the new rows and
the quarantined messages change in one transaction: a crash at any point
leaves the window as it was, and a re-run gives the same rows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from grid_intel.broker.client import expired, read_ranges, window_ranges
from grid_intel.broker.windows import OffsetRange, Window
from grid_intel.ingestion.split import Split
from grid_intel.ingestion.tables import BronzeTopic
from grid_intel.warehouse.writer import quarantine, replace_window

if TYPE_CHECKING:
    import psycopg
    from kafka import KafkaConsumer


@dataclass(frozen=True)
class LoadReport:
    ranges: list[OffsetRange]
    messages: int
    rows: int
    replaced: int
    quarantined: int
    outside: int
    late: int
    seconds: float
    # Per Kafka partition, the highest offset now in bronze (as rows or quarantined).
    highest_offsets: dict[int, int] = field(default_factory=dict)
    # Kafka partitions whose retention has passed the window: its rows were kept as they were.
    kept_past_retention: list[int] = field(default_factory=list)

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def metadata(self) -> dict[str, object]:
        return {
            "dagster/row_count": self.rows,
            "messages": self.messages,
            "rows_replaced": self.replaced,
            "quarantined": self.quarantined,
            "late": self.late,
            "outside_window": self.outside,
            "offset_ranges": {str(r.partition): [r.start, r.stop] for r in self.ranges},
            "records_read": sum(r.count for r in self.ranges),
            "seconds": round(self.seconds, 3),
            "rows_per_s": round(self.rows_per_s),
            "kept_past_retention": self.kept_past_retention,
        }


class WindowExpired(RuntimeError):
    """Kafka no longer holds the window and bronze holds nothing for it."""


def load_window(
    consumer: KafkaConsumer,
    conn: psycopg.Connection,
    bronze: BronzeTopic,
    window: Window,
    ranges: list[OffsetRange] | None = None,
    lateness: timedelta | None = None,
) -> LoadReport:
    """Replace the window's rows with those of `ranges` (default: from the time index to
    the topic's end, or to `lateness` after the window)."""
    t0 = time.perf_counter()
    topic = bronze.topic.name
    if ranges is None:  # a backfill: offsets from the time index
        gone = expired(consumer, bronze.topic, window)
        if gone:
            return _keep(conn, bronze, window, gone, t0)
        ranges = window_ranges(consumer, topic, window, lateness)
    split = Split()
    rows = split.window_rows(read_ranges(consumer, topic, ranges), window, bronze)
    with conn.transaction():
        written = replace_window(conn, bronze.table, rows, window.start, window.end)
        quarantined = quarantine(conn, split.rejects)
    return LoadReport(
        ranges,
        split.messages,
        written.inserted,
        written.deleted,
        quarantined,
        split.outside,
        split.late,
        time.perf_counter() - t0,
        dict(split.highest),
    )


def _keep(
    conn: psycopg.Connection, bronze: BronzeTopic, window: Window, gone: list[int], t0: float
) -> LoadReport:
    """Past Kafka's retention bronze is the only copy: re-loading would replace the
    window's rows with whatever is left, so they stay as they are."""
    from psycopg import sql

    table = bronze.table
    query = sql.SQL("select count(*) from {} where {} >= %s and {} < %s").format(
        table.ident, sql.Identifier(table.time_column), sql.Identifier(table.time_column)
    )
    kept = conn.execute(query, (window.start, window.end)).fetchone()[0]
    if not kept:
        raise WindowExpired(
            f"{bronze.topic.name} no longer holds {window.start:%Y-%m-%d %H:%M} to "
            f"{window.end:%Y-%m-%d %H:%M} UTC (retention {bronze.topic.retention}; "
            f"partitions {gone} begin after it) and {table.qualified} has no rows for it: "
            "this data is gone. Publish it again (e.g. `grid-intel simulate history`) "
            "or backfill only windows inside the retention."
        )
    return LoadReport([], 0, kept, 0, 0, 0, 0, time.perf_counter() - t0, {}, gone)
