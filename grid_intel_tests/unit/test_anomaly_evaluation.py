"""Both detection paths over a few simulated hours with every fault kind injected,
scored against the labels: the goals of the anomaly issue hold, and the scorecard
counts what it should (a missed fault, a false alarm)."""

from datetime import UTC, datetime, timedelta

from grid_intel.anomaly.events import Event, Label
from grid_intel.evaluation.anomalies import GOALS, run, scorecard

T0 = datetime(2026, 4, 6, 8, tzinfo=UTC)


def test_a_few_faulted_hours_meet_the_goals_on_both_paths():
    said: list[str] = []
    ev = run(11, T0, T0 + timedelta(hours=3), faults_per_day=16, progress=said.append)
    assert len(said) == 3 and "stream alerts" in said[-1]  # progress per hour
    kinds = {(r.path, r.kind) for r in ev.rows if r.faults}
    assert {
        ("batch", "stuck_sensor"),
        ("stream", "dropout"),
        ("stream", "malformed_message"),
    } <= kinds
    assert ev.f1["batch"] >= GOALS["f1"] and ev.f1["stream"] >= GOALS["f1"]
    assert (
        max(ev.false_alarms_per_100_assets_day.values()) <= GOALS["false_alarms_per_100_assets_day"]
    )
    assert ev.median_delay_s["stream"] is not None
    assert all(ev.meets_goals().values()), ev.meets_goals()
    frame = ev.frame()
    assert set(frame["path"]) == {"batch", "stream"} and frame.height == len(ev.rows)


def test_the_scorecard_counts_misses_and_false_alarms():
    t = T0
    labels = [
        Label("spike", "a", t, t + timedelta(minutes=10)),
        Label("spike", "b", t, t + timedelta(minutes=10)),
        Label("late_message", "rtu_x", t, t + timedelta(minutes=2)),
    ]
    events = [
        Event("a", "spike", t + timedelta(seconds=4), t + timedelta(seconds=8), 3.0),
        Event("c", "spike", t, t + timedelta(seconds=4), 3.0),  # no fault on c
        Event("rtu_x", "data_gap", t, t + timedelta(seconds=30), 1.0),  # the late burst's silence
    ]
    rows, f1, false, delay = scorecard("stream", events, labels, t, assets=100, days=1.0)
    spike = next(r for r in rows if r.kind == "spike")
    assert (spike.faults, spike.found, spike.events, spike.true_events) == (2, 1, 2, 1)
    gap = next(r for r in rows if r.kind == "data_gap")
    assert gap.precision == 1.0
    assert false == 1.0  # one false event, 100 assets, one day
    assert delay == 4.0
    assert 0 < f1 < 1
