"""The bronze table of each topic and how one message becomes its rows.

A row builder decodes one message (raising `DecodeError` when it cannot) and
returns the message's event time with its rows; one SCADA scan becomes one row
per point, every other message one row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from grid_intel.broker.codec import decode_alert, decode_frequency, decode_price, decode_scan
from grid_intel.broker.topics import (
    GRID_ALERTS,
    GRID_FREQUENCY,
    MARKET_PRICES,
    SENSOR_READINGS,
    TopicSpec,
)
from grid_intel.warehouse.writer import TableSpec

Row = tuple[object, ...]
RowBuilder = Callable[[bytes | None, int, int], tuple[datetime, list[Row]]]
KAFKA_COLUMNS = (("schema_version", "int2"), ("kafka_partition", "int4"), ("kafka_offset", "int8"))


@dataclass(frozen=True)
class BronzeTopic:
    topic: TopicSpec
    table: TableSpec
    rows: RowBuilder

    @property
    def asset_name(self) -> str:
        return self.table.name


def _table(name: str, *columns: tuple[str, str]) -> TableSpec:
    return TableSpec("bronze", name, (*columns, *KAFKA_COLUMNS))


def frequency_rows(value: bytes | None, partition: int, offset: int) -> tuple[datetime, list[Row]]:
    r = decode_frequency(value)
    return r.ts, [(r.ts, r.region, r.frequency_hz, r.rocof_hz_per_s, 1, partition, offset)]


def scan_rows(value: bytes | None, partition: int, offset: int) -> tuple[datetime, list[Row]]:
    s = decode_scan(value)
    q = s.quality
    return s.ts, [
        (s.ts, s.rtu, s.substation, point, v, q.get(point), s.seq, 1, partition, offset)
        for point, v in s.values.items()
    ]


def price_rows(value: bytes | None, partition: int, offset: int) -> tuple[datetime, list[Row]]:
    p = decode_price(value)
    return p.ts, [
        (
            p.ts,
            p.market,
            p.node,
            p.location_type,
            p.interval_minutes,
            p.lmp,
            p.mec,
            p.mcc,
            p.mlc,
            1,
            partition,
            offset,
        )
    ]


def alert_rows(value: bytes | None, partition: int, offset: int) -> tuple[datetime, list[Row]]:
    a = decode_alert(value)
    # A dict: the jsonb dumper encodes it once (a str would land as a JSON string).
    return a.ts, [
        (a.ts, a.alert_id, a.asset, a.kind, a.severity, a.message, a.detail, 1, partition, offset)
    ]


BRONZE_GRID_FREQUENCY = BronzeTopic(
    GRID_FREQUENCY,
    _table(
        "grid_frequency",
        ("ts", "timestamptz"),
        ("region", "text"),
        ("frequency_hz", "float8"),
        ("rocof_hz_per_s", "float8"),
    ),
    frequency_rows,
)
BRONZE_SENSOR_READINGS = BronzeTopic(
    SENSOR_READINGS,
    _table(
        "sensor_readings",
        ("ts", "timestamptz"),
        ("rtu", "text"),
        ("substation", "text"),
        ("point_id", "text"),
        ("value", "float8"),
        ("quality", "text"),
        ("seq", "int8"),
    ),
    scan_rows,
)
BRONZE_MARKET_PRICES = BronzeTopic(
    MARKET_PRICES,
    _table(
        "market_prices",
        ("ts", "timestamptz"),
        ("market", "text"),
        ("node", "text"),
        ("location_type", "text"),
        ("interval_minutes", "int2"),
        ("lmp", "float8"),
        ("mec", "float8"),
        ("mcc", "float8"),
        ("mlc", "float8"),
    ),
    price_rows,
)
BRONZE_GRID_ALERTS = BronzeTopic(
    GRID_ALERTS,
    _table(
        "grid_alerts",
        ("ts", "timestamptz"),
        ("alert_id", "text"),
        ("asset", "text"),
        ("kind", "text"),
        ("severity", "text"),
        ("message", "text"),
        ("detail", "jsonb"),
    ),
    alert_rows,
)

BRONZE_TOPICS: tuple[BronzeTopic, ...] = (
    BRONZE_SENSOR_READINGS,
    BRONZE_GRID_FREQUENCY,
    BRONZE_MARKET_PRICES,
    BRONZE_GRID_ALERTS,
)
