from datetime import UTC, datetime

from grid_intel.demo import closed_hours


def test_closed_hours_are_complete_utc_hours():
    now = datetime(2026, 11, 24, 10, 37, tzinfo=UTC)
    assert closed_hours(now, 2) == [
        datetime(2026, 11, 24, 8, tzinfo=UTC),
        datetime(2026, 11, 24, 9, tzinfo=UTC),
    ]
