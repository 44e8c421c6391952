from datetime import UTC, datetime, timedelta

import pytest

from grid_intel.broker.windows import OffsetRange, Window, expired_partitions, offset_ranges, to_ms

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


def test_a_window_past_retention_is_whole_only_where_nothing_of_it_was_deleted():
    w = Window(H, H + timedelta(hours=1))
    week = timedelta(days=7)
    inside = H + timedelta(days=3)  # the window starts inside the retention: always whole
    assert expired_partitions(w, inside, week, {0: 500}, {0: None}) == []
    past = H + timedelta(days=8)
    beginning = {0: 0, 1: 40, 2: 40, 3: 40}
    earliest = {0: to_ms(H) + 5, 1: to_ms(H) - 1, 2: to_ms(H) + 1, 3: None}
    # 0: nothing ever deleted; 1: its earliest record predates the window; 2: deleted
    # records may have been in the window; 3: everything is gone.
    assert expired_partitions(w, past, week, beginning, earliest) == [2, 3]


def test_offset_ranges_stop_at_the_allowed_lateness_when_the_index_knows_it():
    ranges = offset_ranges(
        first={0: 10, 1: 3},
        beginning={0: 0, 1: 0},
        end={0: 400, 1: 9},
        last={0: 60, 1: None},  # partition 1 holds nothing that late yet
    )
    assert ranges == [OffsetRange(0, 10, 60), OffsetRange(1, 3, 9)]
