import json
from datetime import UTC, datetime

import pytest

from grid_intel.broker.codec import (
    DecodeError,
    FrequencyReading,
    decode_frequency,
    encode_frequency,
)

TS = datetime(2026, 11, 24, 10, 0, 5, tzinfo=UTC)


def test_roundtrip():
    r = FrequencyReading(TS, "winnipeg", 59.987, -0.002)
    assert decode_frequency(encode_frequency(r)) == r


def test_encode_requires_aware_time():
    with pytest.raises(ValueError):
        encode_frequency(FrequencyReading(datetime(2026, 1, 1), "x", 60.0))


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"", "empty"),
        (b"{not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b"[1,2]", "JSON object"),
        (json.dumps({"v": 2, "ts": TS.isoformat(), "region": "w", "hz": 60}).encode(), "version"),
        (
            json.dumps({"v": 1, "ts": "2026-11-24T10:00:00", "region": "w", "hz": 60}).encode(),
            "UTC offset",
        ),
        (json.dumps({"v": 1, "ts": "yesterday", "region": "w", "hz": 60}).encode(), "ISO-8601"),
        (json.dumps({"v": 1, "ts": TS.isoformat(), "region": "", "hz": 60}).encode(), "region"),
        (json.dumps({"v": 1, "ts": TS.isoformat(), "region": "w", "hz": True}).encode(), "finite"),
        (json.dumps({"v": 1, "ts": TS.isoformat(), "region": "w", "hz": -1}).encode(), "physical"),
        (b'{"v":1,"ts":"2026-11-24T10:00:00+00:00","region":"w","hz":NaN}', "not JSON"),
    ],
)
def test_bad_messages_say_why(payload, reason):
    with pytest.raises(DecodeError, match=reason):
        decode_frequency(payload)
