from datetime import UTC, datetime, timedelta

import pytest

from grid_intel.broker.completeness import Policy, advance, read_ranges, run_key, window_of
from grid_intel.broker.cursor import CursorError, TopicCursor, WindowSpan
from grid_intel.broker.windows import OffsetRange, to_ms

H = datetime(2026, 11, 24, 10, tzinfo=UTC)
POLICY = Policy(first_window=datetime(2026, 1, 1, tzinfo=UTC))
KEY = "2026-11-24-10:00"
NEXT = "2026-11-24-11:00"


def at(minutes: float) -> int:
    return to_ms(H + timedelta(minutes=minutes))


def test_a_window_is_due_only_once_the_watermark_passes_its_end_plus_grace():
    now = H + timedelta(minutes=65)
    step = advance(TopicCursor(), [(0, 0, at(1)), (0, 1, at(61))], {0: 2}, now, POLICY)
    assert step.due == [] and step.waiting == [KEY, NEXT]
    step = advance(step.cursor, [(0, 2, at(62))], {0: 3}, now, POLICY)
    (due,) = step.due
    assert (due.key, due.late, due.span.spans) == (KEY, False, {0: (0, 1)})
    assert step.cursor.windows[KEY].requested == due.span.fingerprint()
    # The same records again: nothing new to request.
    assert advance(step.cursor, [], {0: 3}, now, POLICY).due == []


def test_a_quiet_topic_closes_its_windows_by_the_wall_clock():
    quiet = H + timedelta(hours=1) + POLICY.grace + POLICY.idle
    assert (
        advance(TopicCursor(), [(0, 0, at(5))], {0: 1}, quiet - timedelta(seconds=1), POLICY).due
        == []
    )
    assert len(advance(TopicCursor(), [(0, 0, at(5))], {0: 1}, quiet, POLICY).due) == 1


def test_a_window_still_in_the_future_is_never_requested():
    now = H + timedelta(minutes=30)
    step = advance(TopicCursor(), [(0, 0, at(5)), (0, 1, at(200))], {0: 2}, now, POLICY)
    assert step.due == []


def test_late_data_requests_the_window_again_with_a_new_run_key():
    now = H + timedelta(hours=5)
    first = advance(TopicCursor(), [(0, 0, at(10)), (0, 1, at(70))], {0: 2}, now, POLICY)
    (on_time,) = [d for d in first.due if d.key == KEY]
    late = advance(first.cursor, [(0, 9, at(20))], {0: 10}, now, POLICY)
    (again,) = late.due
    assert again.key == KEY and again.late
    assert again.span.spans == {0: (0, 10)}
    assert run_key("t", again) != run_key("t", on_time)


def test_run_keys_are_deterministic():
    now = H + timedelta(hours=5)
    a = advance(TopicCursor(), [(1, 5, at(1)), (0, 3, at(2))], {0: 4, 1: 6}, now, POLICY)
    b = advance(TopicCursor(), [(0, 3, at(2)), (1, 5, at(1))], {0: 4, 1: 6}, now, POLICY)
    assert [run_key("t", d) for d in a.due] == [run_key("t", d) for d in b.due]


def test_records_before_the_first_partition_are_counted_not_requested():
    old = to_ms(datetime(2025, 6, 1, tzinfo=UTC))
    step = advance(TopicCursor(), [(0, 0, old)], {0: 1}, H, POLICY)
    assert step.too_old == 1 and step.cursor.windows == {}


def test_requests_per_tick_are_bounded_and_the_rest_follow():
    now = H + timedelta(days=3)
    records = [(0, i, at(60 * i + 1)) for i in range(30)]
    policy = Policy(first_window=POLICY.first_window, max_requests=24)
    first = advance(TopicCursor(), records, {0: 30}, now, policy)
    second = advance(first.cursor, [], {0: 30}, now, policy)
    keys = [d.key for d in first.due + second.due]
    assert len(first.due) == 24 and len(keys) == len(set(keys)) == 30


def test_requested_windows_are_forgotten_past_the_horizon():
    now = H + timedelta(days=5)
    step = advance(TopicCursor(), [(0, 0, at(1))], {0: 1}, now, POLICY)
    later = advance(step.cursor, [(0, 1, at(60 * 60))], {0: 2}, now, POLICY)
    assert KEY not in later.cursor.windows


def test_read_ranges_start_at_the_time_index_and_cover_unseen_partitions():
    span = WindowSpan({0: (10, 20)})
    ranges = read_ranges(span, {0: 7, 1: 3, 2: None}, {0: 25, 1: 9, 2: 4})
    assert ranges == [OffsetRange(0, 7, 20), OffsetRange(1, 3, 9)]


def test_cursor_round_trips_and_rejects_garbage():
    cursor = TopicCursor({0: 5, 3: 9}, at(3), {KEY: WindowSpan({0: (1, 5)}, "abc")})
    assert TopicCursor.from_json(cursor.to_json()) == cursor
    assert TopicCursor.from_json(None) == TopicCursor()
    with pytest.raises(CursorError, match="reset it"):
        TopicCursor.from_json('{"v": 1, "next": 3}')


def test_window_of_a_key():
    w = window_of(KEY)
    assert (w.start, w.end) == (H, H + timedelta(hours=1))


def test_a_record_from_a_skewed_clock_does_not_close_every_window():
    now = H + timedelta(minutes=30)
    future = to_ms(now + timedelta(days=2))
    step = advance(TopicCursor(), [(0, 0, at(1)), (0, 1, future)], {0: 2}, now, POLICY)
    assert step.future == 1 and step.cursor.watermark_ms == at(1) and step.due == []
