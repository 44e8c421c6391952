"""Simulated messages: valid against the shipped schemas, keyed per DESIGN, reproducible."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from grid_intel.broker.validation import errors
from grid_intel.simulation.feeds import Feeds

START = datetime(2026, 2, 3, 9, 58, tzinfo=UTC)
END = START + timedelta(minutes=4)


@pytest.fixture(scope="module")
def messages():
    return list(Feeds(seed=11).messages(START, END))


def test_every_message_matches_its_schema(messages):
    for m in messages:
        assert errors(m.topic, m.value) == [], m.value[:200]


def test_keys_and_event_times(messages):
    topics = Counter(m.topic for m in messages)
    assert set(topics) == {"sensor.readings", "grid.frequency", "market.prices"}
    for m in messages:
        body = orjson.loads(m.value)
        assert START.timestamp() * 1000 <= m.timestamp_ms < END.timestamp() * 1000
        ts = datetime.fromisoformat(body["ts"].replace("Z", "+00:00"))
        assert int(ts.timestamp() * 1000) == m.timestamp_ms  # payload and record agree
        key = {
            "sensor.readings": body.get("rtu"),
            "grid.frequency": body.get("region"),
            "market.prices": body.get("node"),
        }[m.topic]
        assert m.key == key.encode()
    # 4 minutes: 60 RTU scan rounds, 120 frequency samples per region, RT every 5 min + DA.
    registry = Feeds(seed=11).scada.registry
    assert topics["sensor.readings"] == 60 * len(registry.rtus)
    assert topics["grid.frequency"] == 120 * len(registry.regions)


def test_prices_add_up(messages):
    for m in messages:
        if m.topic == "market.prices":
            p = orjson.loads(m.value)
            assert p["lmp"] == pytest.approx(p["mec"] + p["mcc"] + p["mlc"], abs=1e-9)


def test_same_seed_same_bytes(messages):
    again = list(Feeds(seed=11).messages(START, END))
    assert [(m.topic, m.key, m.value, m.timestamp_ms) for m in again] == [
        (m.topic, m.key, m.value, m.timestamp_ms) for m in messages
    ]
    other = list(Feeds(seed=12).messages(START, START + timedelta(minutes=1)))
    assert {m.value for m in other}.isdisjoint({m.value for m in messages[:50]})


def test_thinned_history_keeps_one_scan_cycle_per_minute_and_the_other_topics():
    start = datetime(2026, 1, 15, 6, tzinfo=UTC)
    end = start + timedelta(minutes=10)
    full = list(Feeds(seed=3).messages(start, end))
    thin = list(Feeds(seed=3, scan_seconds=60).messages(start, end))

    def scans(ms):
        return [m for m in ms if m.topic == "sensor.readings"]

    assert len(scans(thin)) * 15 == len(scans(full))
    assert {m.timestamp_ms // 1000 % 60 for m in scans(thin)} == {0}
    kept = {(m.key, m.timestamp_ms): m.value for m in scans(full)}
    assert all(kept[(m.key, m.timestamp_ms)] == m.value for m in scans(thin))  # same readings
    others = Counter(m.topic for m in full if m.topic != "sensor.readings")
    assert Counter(m.topic for m in thin if m.topic != "sensor.readings") == others
    with pytest.raises(ValueError, match="multiple of the 4 s"):
        Feeds(scan_seconds=30)


def test_thinned_frequency_keeps_every_regions_samples_on_the_step():
    start = datetime(2026, 1, 15, 6, tzinfo=UTC)
    end = start + timedelta(minutes=10)

    def frequency(feeds: Feeds):
        return [m for m in feeds.messages(start, end) if m.topic == "grid.frequency"]

    full, thin = frequency(Feeds(seed=3)), frequency(Feeds(seed=3, frequency_seconds=60))
    assert len(thin) * 30 == len(full)
    assert {m.timestamp_ms // 1000 % 60 for m in thin} == {0}
    assert {m.key for m in thin} == {m.key for m in full}  # every region
    kept = {(m.key, m.timestamp_ms): m.value for m in full}
    assert all(kept[(m.key, m.timestamp_ms)] == m.value for m in thin)
    with pytest.raises(ValueError, match="multiple of 2 s"):
        Feeds(frequency_seconds=3)
