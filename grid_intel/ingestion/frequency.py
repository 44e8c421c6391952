"""grid.frequency records → bronze rows, quarantine rows and what lay outside the window."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from grid_intel.kafka.client import Record
from grid_intel.kafka.codec import DecodeError, decode_frequency
from grid_intel.kafka.topics import GRID_FREQUENCY
from grid_intel.kafka.windows import Window, from_ms
from grid_intel.warehouse.writer import TableSpec

BRONZE_GRID_FREQUENCY = TableSpec(
    "bronze",
    "grid_frequency",
    (
        ("ts", "timestamptz"),
        ("region", "text"),
        ("frequency_hz", "float8"),
        ("rocof_hz_per_s", "float8"),
        ("schema_version", "int2"),
        ("kafka_partition", "int4"),
        ("kafka_offset", "int8"),
    ),
)


@dataclass
class Batch:
    rows: list[tuple[object, ...]] = field(default_factory=list)
    rejects: list[tuple[object, ...]] = field(default_factory=list)
    outside: int = 0


def split_window(records: Iterable[Record], window: Window) -> Batch:
    """Keep the window's records (by Kafka event time), decoded; reject the malformed.

    Records of later windows read on the way to the end offsets are only
    counted: their own window's read owns them.
    """
    batch = Batch()
    for rec in records:
        if not window.contains_ms(rec.timestamp_ms):
            batch.outside += 1
            continue
        try:
            reading = decode_frequency(rec.value)
        except DecodeError as exc:
            batch.rejects.append(
                (
                    GRID_FREQUENCY.name,
                    rec.partition,
                    rec.offset,
                    from_ms(rec.timestamp_ms),
                    rec.key,
                    rec.value,
                    str(exc),
                )
            )
            continue
        batch.rows.append(
            (
                reading.ts,
                reading.region,
                reading.frequency_hz,
                reading.rocof_hz_per_s,
                1,
                rec.partition,
                rec.offset,
            )
        )
    return batch
