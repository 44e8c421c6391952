from datetime import UTC, datetime, timedelta

from grid_intel.ingestion.frequency import BRONZE_GRID_FREQUENCY, split_window
from grid_intel.kafka.client import Record
from grid_intel.kafka.codec import FrequencyReading, encode_frequency
from grid_intel.kafka.windows import Window, to_ms

H = datetime(2026, 11, 24, 10, tzinfo=UTC)
W = Window(H, H + timedelta(hours=1))


def rec(offset: int, ts: datetime, value: bytes) -> Record:
    return Record(partition=1, offset=offset, timestamp_ms=to_ms(ts), key=b"w", value=value)


def test_split_keeps_window_rejects_bad_and_counts_neighbours():
    good = encode_frequency(FrequencyReading(H + timedelta(minutes=1), "winnipeg", 60.01, 0.0))
    records = [
        rec(0, H - timedelta(seconds=1), good),  # previous window's
        rec(1, H + timedelta(minutes=1), good),
        rec(2, H + timedelta(minutes=2), b"garbage"),
        rec(3, H + timedelta(hours=1), good),  # next window's
    ]
    batch = split_window(records, W)
    assert batch.outside == 2
    assert batch.rows == [(H + timedelta(minutes=1), "winnipeg", 60.01, 0.0, 1, 1, 1)]
    (reject,) = batch.rejects
    assert reject[:3] == ("grid.frequency", 1, 2)
    assert reject[5] == b"garbage" and "not JSON" in reject[6]


def test_rows_match_the_table_columns():
    good = encode_frequency(FrequencyReading(H, "westman", 59.99))
    (row,) = split_window([rec(0, H, good)], W).rows
    assert len(row) == len(BRONZE_GRID_FREQUENCY.columns)
