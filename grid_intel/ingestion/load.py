"""Load one hourly window of a topic into its bronze table: read, decode, replace, quarantine.

Rows stream from Kafka through the decoder into one binary COPY, so the
database inserts while Python decodes. The window's old rows, the new rows and
the quarantined messages change in one transaction: a crash at any point
leaves the window as it was, and a re-run gives the same rows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import psycopg
from kafka import KafkaConsumer

from grid_intel.ingestion.split import Split
from grid_intel.ingestion.tables import BronzeTopic
from grid_intel.kafka.client import read_ranges, window_ranges
from grid_intel.kafka.windows import OffsetRange, Window
from grid_intel.warehouse.writer import quarantine, replace_window


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
        }


def load_window(
    consumer: KafkaConsumer,
    conn: psycopg.Connection,
    bronze: BronzeTopic,
    window: Window,
    ranges: list[OffsetRange] | None = None,
) -> LoadReport:
    """Replace the window's rows with those of `ranges` (default: time index to the end)."""
    t0 = time.perf_counter()
    topic = bronze.topic.name
    if ranges is None:
        ranges = window_ranges(consumer, topic, window)
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
