from datetime import UTC, datetime, timedelta

from grid_intel.demo import closed_hours
from grid_intel.simulation.tracer import REGIONS, frequency_readings

H = datetime(2026, 11, 24, 10, tzinfo=UTC)


def test_one_reading_per_region_per_step_and_deterministic():
    a = list(frequency_readings(H, H + timedelta(minutes=10)))
    b = list(frequency_readings(H, H + timedelta(minutes=10)))
    assert a == b
    assert len(a) == len(REGIONS) * 60
    assert all(H <= r.ts < H + timedelta(minutes=10) for r in a)


def test_frequency_stays_near_60hz():
    hz = [r.frequency_hz for r in frequency_readings(H, H + timedelta(hours=1))]
    assert all(59.8 < f < 60.2 for f in hz)
    assert 59.99 < sum(hz) / len(hz) < 60.01


def test_closed_hours_are_complete_utc_hours():
    now = datetime(2026, 11, 24, 10, 37, tzinfo=UTC)
    assert closed_hours(now, 2) == [
        datetime(2026, 11, 24, 8, tzinfo=UTC),
        datetime(2026, 11, 24, 9, tzinfo=UTC),
    ]
