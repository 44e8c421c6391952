"""Frequency stays in the normal band outside trips; trips dip with RoCoF and recover."""

from datetime import UTC, datetime, timedelta

import numpy as np

from grid_intel.simulation.frequency import system_frequency, trips

START = datetime(2026, 1, 1, tzinfo=UTC)
END = START + timedelta(days=6)


def test_normal_band_outside_events_and_dips_during_them():
    t = np.arange(START.timestamp(), END.timestamp(), 2.0)
    hz = system_frequency(7, t)
    events = trips(7, START, END)
    assert 1 <= len(events) <= 10  # about one every two days
    inside = np.zeros_like(t, dtype=bool)
    for e in events:
        inside |= (t >= e.start.timestamp()) & (t < e.end.timestamp())
    assert hz[~inside].min() > 59.9 and hz[~inside].max() < 60.1
    for e in events:
        window = (t >= e.start.timestamp()) & (t < e.end.timestamp())
        nadir = hz[window].min()
        assert nadir < 59.9  # a visible excursion
        assert nadir > 59.5  # a unit trip, not a collapse
        rocof = np.diff(hz[window]) / 2.0
        assert rocof.min() < -0.01  # Hz/s while falling
        assert abs(hz[window][-1] - 60.0) < 0.05  # recovered by the event's end


def test_frequency_is_deterministic_and_composable():
    t = np.arange(START.timestamp(), START.timestamp() + 7200, 2.0)
    assert np.array_equal(system_frequency(3, t), system_frequency(3, t))
    assert np.array_equal(system_frequency(3, t)[1800:], system_frequency(3, t[1800:]))
