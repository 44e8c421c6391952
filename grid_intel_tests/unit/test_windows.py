from datetime import UTC, datetime, timedelta

import pytest

from grid_intel.kafka.windows import OffsetRange, Window, offset_ranges, to_ms

H = datetime(2026, 11, 24, 10, tzinfo=UTC)


def test_window_rejects_naive_and_empty_bounds():
    with pytest.raises(ValueError, match="timezone-aware"):
        Window(datetime(2026, 1, 1), datetime(2026, 1, 1, 1))
    with pytest.raises(ValueError, match="not after"):
        Window(H, H)


def test_window_is_half_open():
    w = Window(H, H + timedelta(hours=1))
    assert w.contains_ms(to_ms(H))
    assert not w.contains_ms(to_ms(H + timedelta(hours=1)))
    assert w.contains_ms(to_ms(H + timedelta(hours=1)) - 1)


def test_offset_ranges_from_time_index_answers():
    ranges = offset_ranges(
        first={0: 10, 1: None, 2: 3},
        beginning={0: 0, 1: 0, 2: 5},
        end={0: 40, 1: 7, 2: 9},
    )
    assert ranges == [
        OffsetRange(0, 10, 40),  # from the window's first record to the end
        OffsetRange(1, 7, 7),  # nothing that recent: empty at the end
        OffsetRange(2, 5, 9),  # start clamped to what retention kept
    ]
    assert [r.count for r in ranges] == [30, 0, 4]


def test_offset_ranges_never_invert():
    (r,) = offset_ranges({0: 12}, {0: 0}, {0: 8})
    assert r.start == 12 and r.stop == 12 and r.count == 0
