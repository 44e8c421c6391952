from datetime import UTC, datetime, timedelta

import orjson
import pytest

from grid_intel.broker.client import Record
from grid_intel.broker.codec import Alert, FrequencyReading, encode_alert, encode_frequency
from grid_intel.broker.validation import errors
from grid_intel.broker.windows import Window, to_ms
from grid_intel.ingestion.split import Split
from grid_intel.ingestion.tables import (
    BRONZE_GRID_ALERTS,
    BRONZE_GRID_FREQUENCY,
    BRONZE_MARKET_PRICES,
    BRONZE_SENSOR_READINGS,
    BRONZE_TOPICS,
)
from grid_intel.simulation.feeds import Feeds

H = datetime(2026, 11, 24, 10, tzinfo=UTC)
W = Window(H, H + timedelta(hours=1))


def rec(offset: int, ts: datetime, value: bytes, partition: int = 1) -> Record:
    return Record(partition=partition, offset=offset, timestamp_ms=to_ms(ts), key=b"w", value=value)


def freq(ts: datetime) -> bytes:
    return encode_frequency(FrequencyReading(ts, "winnipeg", 60.01, 0.0))


def test_split_keeps_window_rejects_bad_and_counts_neighbours():
    records = [
        rec(0, H - timedelta(seconds=1), freq(H - timedelta(seconds=1))),  # previous window's
        rec(1, H + timedelta(minutes=1), freq(H + timedelta(minutes=1))),
        rec(2, H + timedelta(minutes=2), b"garbage"),
        rec(3, H + timedelta(hours=1), freq(H + timedelta(hours=1))),  # next window's
    ]
    split = Split()
    rows = list(split.window_rows(records, W, BRONZE_GRID_FREQUENCY))
    assert split.outside == 2 and split.messages == 2 and split.rows == 1
    assert rows == [(H + timedelta(minutes=1), "winnipeg", 60.01, 0.0, 1, 1, 1)]
    (reject,) = split.rejects
    assert reject[:3] == ("grid.frequency", 1, 2)
    assert reject[5] == b"garbage" and "not JSON" in reject[6]


def test_a_payload_time_outside_the_record_window_is_quarantined():
    split = Split()
    rows = list(
        split.window_rows([rec(0, H, freq(H + timedelta(hours=2)))], W, BRONZE_GRID_FREQUENCY)
    )
    assert rows == [] and "outside the record's window" in split.rejects[0][6]


def test_records_behind_a_later_window_in_their_partition_are_late():
    records = [
        rec(0, H + timedelta(minutes=59), freq(H + timedelta(minutes=59))),
        rec(1, H + timedelta(hours=1, seconds=1), freq(H + timedelta(hours=1, seconds=1))),
        rec(2, H + timedelta(minutes=30), freq(H + timedelta(minutes=30))),  # late, partition 1
        rec(0, H + timedelta(minutes=31), freq(H + timedelta(minutes=31)), partition=2),
    ]
    split = Split()
    assert len(list(split.window_rows(records, W, BRONZE_GRID_FREQUENCY))) == 3
    assert split.late == 1


def test_a_scan_becomes_one_row_per_point_with_its_quality():
    feeds = Feeds(seed=3)
    msg = next(
        m for m in feeds.messages(H, H + timedelta(seconds=4)) if m.topic == "sensor.readings"
    )
    body = orjson.loads(msg.value)
    body["values"][next(iter(body["values"]))] = None
    body["quality"] = {next(iter(body["values"])): "bad"}
    split = Split()
    rows = list(split.window_rows([rec(7, H, orjson.dumps(body))], W, BRONZE_SENSOR_READINGS))
    assert len(rows) == len(body["values"]) == split.rows
    first = rows[0]
    assert first[1:4] == (body["rtu"], body["substation"], next(iter(body["values"])))
    assert first[4] is None and first[5] == "bad" and first[-2:] == (1, 7)
    assert all(len(r) == len(BRONZE_SENSOR_READINGS.table.columns) for r in rows)


def test_every_simulated_message_decodes_into_rows_of_its_table():
    feeds = Feeds(seed=5)
    by_topic = {b.topic.name: b for b in BRONZE_TOPICS}
    seen = set()
    for i, m in enumerate(feeds.messages(H, H + timedelta(minutes=5))):
        bronze = by_topic[m.topic]
        ts, rows = bronze.rows(m.value, 0, i)
        assert to_ms(ts) == m.timestamp_ms
        assert all(len(r) == len(bronze.table.columns) for r in rows)
        seen.add(m.topic)
    assert seen == {"sensor.readings", "grid.frequency", "market.prices"}


def test_alerts_round_trip_and_match_their_schema():
    alert = Alert(H, "a-1", "tx_1", "overheating", "critical", "hot spot 131 °C", {"c": 131.2})
    value = encode_alert(alert)
    assert errors("grid.alerts", value) == []
    ts, (row,) = BRONZE_GRID_ALERTS.rows(value, 0, 4)
    assert ts == H and row[1:6] == ("a-1", "tx_1", "overheating", "critical", "hot spot 131 °C")
    assert row[6] == {"c": 131.2}


@pytest.mark.parametrize(
    ("bronze", "patch", "reason"),
    [
        (BRONZE_MARKET_PRICES, {"market": "XX"}, "market"),
        (BRONZE_MARKET_PRICES, {"lmp": "12"}, "finite number"),
        (BRONZE_MARKET_PRICES, {"interval_minutes": 15}, "interval_minutes"),
        (BRONZE_SENSOR_READINGS, {"values": {}}, "non-empty"),
        (BRONZE_SENSOR_READINGS, {"values": {"p": "hot"}}, "non-numeric"),
        (BRONZE_SENSOR_READINGS, {"seq": -1}, "seq"),
        (BRONZE_SENSOR_READINGS, {"rtu": ""}, "rtu"),
        (BRONZE_GRID_ALERTS, {"severity": "meh"}, "severity"),
    ],
)
def test_bad_fields_say_why(bronze, patch, reason):
    base = {
        "market.prices": {
            "v": 1,
            "ts": "2026-11-24T10:00:00Z",
            "market": "RT",
            "node": "MHEB",
            "location_type": "Interface",
            "interval_minutes": 5,
            "lmp": 30.0,
            "mec": 28.0,
            "mcc": 1.0,
            "mlc": 1.0,
        },
        "sensor.readings": {
            "v": 1,
            "ts": "2026-11-24T10:00:00Z",
            "rtu": "r",
            "substation": "s",
            "seq": 1,
            "values": {"p": 1.0},
        },
        "grid.alerts": {
            "v": 1,
            "ts": "2026-11-24T10:00:00Z",
            "id": "a",
            "asset": "x",
            "kind": "k",
            "severity": "warning",
            "message": "m",
        },
    }[bronze.topic.name]
    from grid_intel.broker.codec import DecodeError

    bronze.rows(orjson.dumps(base), 0, 0)  # the base is valid
    with pytest.raises(DecodeError, match=reason):
        bronze.rows(orjson.dumps(base | patch), 0, 0)
