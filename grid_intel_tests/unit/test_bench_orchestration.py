"""The orchestration bench's pure parts: a run's phases from its event log, the free hour
it publishes into, its table rows and goal lines, and the rehearsal day's commands."""

import os
from datetime import UTC, datetime, timedelta

import pytest

from grid_intel.bench.orchestration import (
    changed_since,
    day_row,
    goal_lines,
    pick_hour,
    records_in_hour,
    row,
    run_rows,
)
from grid_intel.bench.rehearsal_day import day_commands, last_closed_day
from grid_intel.bench.run_phases import run_phases
from grid_intel.bench.webserver_run import launch_params

ASSET, CHECKS = "bronze__grid_frequency", "bronze__grid_frequency__quality"

# A run of the multiprocess executor: queued, dequeued, its process started, the asset's
# step and the check step one after the other (seconds after an arbitrary origin).
MULTIPROCESS = [
    ("RUN_ENQUEUED", 100.0, None),
    ("RUN_DEQUEUED", 101.5, None),
    ("RUN_STARTING", 101.6, None),
    ("RUN_START", 104.0, None),
    ("STEP_WORKER_STARTING", 104.1, ASSET),
    ("STEP_START", 106.0, ASSET),
    ("ASSET_MATERIALIZATION", 107.2, ASSET),
    ("STEP_SUCCESS", 107.5, ASSET),
    ("STEP_START", 109.0, CHECKS),
    ("ASSET_CHECK_EVALUATION", 109.4, CHECKS),
    ("ASSET_CHECK_EVALUATION", 109.8, CHECKS),
    ("STEP_SUCCESS", 110.0, CHECKS),
    ("RUN_SUCCESS", 110.5, None),
]


def test_phases_of_a_multiprocess_run():
    p = run_phases(MULTIPROCESS)
    assert p.started_by == "RUN_DEQUEUED"
    assert p.run_wall_s == pytest.approx(9.0)  # 101.5 -> 110.5
    assert p.queued_s == pytest.approx(1.5)
    assert p.startup_s == pytest.approx(4.5)  # dequeue -> the asset's STEP_START
    assert p.process_s == pytest.approx(2.5)  # dequeue -> RUN_START
    assert p.run_init_s == pytest.approx(2.0)  # RUN_START -> STEP_START
    assert p.asset_step_s == pytest.approx(1.5)
    assert p.checks_s == pytest.approx(1.0)
    assert p.end_s == pytest.approx(0.5)
    assert (p.asset_steps, p.check_steps) == ((ASSET,), (CHECKS,))


def test_events_in_any_order_give_the_same_phases():
    assert run_phases(list(reversed(MULTIPROCESS))) == run_phases(MULTIPROCESS)


def test_without_run_dequeued_the_wall_counts_from_run_starting():
    """Dagster 1.13's queue logs no RUN_DEQUEUED: the launcher's RUN_STARTING is the hand-over."""
    events = [e for e in MULTIPROCESS if e[0] != "RUN_DEQUEUED"]
    p = run_phases(events)
    assert p.started_by == "RUN_STARTING"
    assert p.run_wall_s == pytest.approx(8.9)  # 101.6 -> 110.5
    assert p.queued_s == pytest.approx(1.6)
    assert p.process_s == pytest.approx(2.4)


def test_checks_inside_the_asset_step_have_no_phase_of_their_own():
    events = [
        ("RUN_STARTING", 0.0, None),  # launched without the queue
        ("STEP_START", 2.0, ASSET),
        ("ASSET_MATERIALIZATION", 2.5, ASSET),
        ("ASSET_CHECK_EVALUATION", 2.7, ASSET),
        ("STEP_SUCCESS", 3.0, ASSET),
        ("RUN_SUCCESS", 3.2, None),
    ]
    p = run_phases(events)
    assert p.started_by == "RUN_STARTING" and p.queued_s is None
    assert p.run_wall_s == pytest.approx(3.2)
    assert p.checks_s is None and p.check_steps == ()
    assert p.asset_step_s == pytest.approx(1.0)


def test_a_retried_step_spans_first_start_to_last_end():
    events = [
        ("RUN_DEQUEUED", 0.0, None),
        ("STEP_START", 1.0, ASSET),
        ("STEP_FAILURE", 2.0, ASSET),
        ("STEP_START", 12.0, ASSET),
        ("ASSET_MATERIALIZATION", 12.5, ASSET),
        ("STEP_SUCCESS", 13.0, ASSET),
        ("RUN_SUCCESS", 13.5, None),
    ]
    assert run_phases(events).asset_step_s == pytest.approx(12.0)


def test_a_run_without_success_is_refused():
    events = [("RUN_DEQUEUED", 0.0, None), ("RUN_FAILURE", 3.0, None)]
    with pytest.raises(ValueError, match=r"RUN_SUCCESS.*RUN_FAILURE"):
        run_phases(events)


def test_the_timed_hour_is_the_latest_closed_one_outside_the_rehearsal_day():
    now = datetime(2026, 12, 6, 5, 30, tzinfo=UTC)
    assert pick_hour(now) == datetime(2026, 12, 6, 4, tzinfo=UTC)
    yesterday = (datetime(2026, 12, 5, tzinfo=UTC), datetime(2026, 12, 6, tzinfo=UTC))
    assert pick_hour(now, yesterday) == datetime(2026, 12, 6, 4, tzinfo=UTC)
    just_after_midnight = datetime(2026, 12, 6, 0, 10, tzinfo=UTC)
    assert pick_hour(just_after_midnight, yesterday) == datetime(2026, 12, 4, 23, tzinfo=UTC)


def test_records_in_an_hour_count_its_half_open_window():
    hour = datetime(2026, 12, 6, 4, tzinfo=UTC)
    ms = int(hour.timestamp() * 1000)
    assert records_in_hour([ms - 1, ms, ms + 3_599_999, ms + 3_600_000], hour) == 2


def test_rows_put_the_run_against_its_goal_and_its_own_work():
    p = run_phases(MULTIPROCESS)
    run = {
        "asset": "bronze/grid_frequency",
        "partition": "2026-12-06-04:00",
        "checks": ["gx_contract", "quarantine_rate"],
        "metadata": {"dagster/row_count": 12600.0, "seconds": 0.9},
        "own_seconds": 0.9,
        "own_from": "materialization metadata `seconds`",
    }
    rows = run_rows(run, p, "run 1/2")
    wall = rows[0]
    assert wall["seconds"] == 9.0 and wall["baseline_seconds"] == 0.9 and wall["ratio"] == 10.0
    assert wall["goal_seconds"] == 5.0 and wall["meets_goal"] is False
    assert "12,600 rows" in wall["detail"]
    assert [r["seconds"] for r in rows[1:]] == [4.5, 2.5, 2.0, 1.5, 1.0, 0.5, 1.5]
    assert goal_lines(rows) == ["goal: run 1/2 RUN_DEQUEUED -> RUN_SUCCESS <= 5 s: MISSED (9.0 s)"]


def test_a_row_without_a_figure_shows_dashes_and_is_not_measured():
    r = row("day backfill (dry run)", None, goal_s=300.0)
    assert r["seconds"] == "-" and r["ratio"] == "-" and r["meets_goal"] == "-"
    assert goal_lines([r]) == ["goal: day backfill (dry run) <= 300 s: not measured (- s)"]


def test_the_rehearsal_day_runs_the_readme_commands_for_yesterday():
    day = last_closed_day(datetime(2026, 12, 6, 5, 30, tzinfo=UTC))
    assert day == datetime(2026, 12, 5, tzinfo=UTC)
    history, archives = day_commands(day)
    assert history[:2] == ["simulate", "history"]
    assert history[history.index("--end") + 1] == (day + timedelta(days=1)).isoformat()
    assert history[-4:] == ["--scan-seconds", "60", "--faults", "all"]
    assert archives == ["simulate", "archives", "--start", day.isoformat(), "--days", "1"]


def test_the_launch_selects_the_asset_its_checks_and_the_partition():
    params = launch_params(["bronze", "grid_frequency"], "2026-12-06-04:00", ["gx_contract"])
    selector = params["selector"]
    assert selector["jobName"] == "__ASSET_JOB"
    assert selector["assetSelection"] == [{"path": ["bronze", "grid_frequency"]}]
    assert selector["assetCheckSelection"] == [
        {"assetKey": {"path": ["bronze", "grid_frequency"]}, "name": "gx_contract"}
    ]
    tags = params["executionMetadata"]["tags"]
    assert tags == [{"key": "dagster/partition", "value": "2026-12-06-04:00"}]


def test_files_edited_during_the_bench_are_named(tmp_path):
    (tmp_path / "grid_intel" / "defs").mkdir(parents=True)
    (tmp_path / "grid_intel_dbt" / "models").mkdir(parents=True)
    old, new = tmp_path / "grid_intel" / "old.py", tmp_path / "grid_intel" / "defs" / "new.py"
    model, cache = (
        tmp_path / "grid_intel_dbt" / "models" / "m.sql",
        tmp_path / "grid_intel" / "x.pyc",
    )
    for f in (old, new, model, cache):
        f.write_text("")
    os.utime(old, (1000, 1000))
    assert changed_since(tmp_path, 2000) == [
        "grid_intel/defs/new.py",
        "grid_intel_dbt/models/m.sql",
    ]


def test_the_rehearsal_week_is_the_last_seven_closed_days_in_one_backfill():
    first = last_closed_day(datetime(2026, 12, 6, 5, 30, tzinfo=UTC), days=7)
    assert first == datetime(2026, 11, 29, tzinfo=UTC)
    history, archives = day_commands(first, 7)
    assert history[history.index("--end") + 1] == datetime(2026, 12, 6, tzinfo=UTC).isoformat()
    assert archives[-2:] == ["--days", "7"]
    week = day_row(
        {
            "day": "2026-11-29",
            "days": 7,
            "dry_run": False,
            "partitions": 3659,
            "partitions_per_min": 200.0,
            "failed": 0,
            "seconds": 1100.0,
        }
    )
    assert week["meets_goal"] is True and "7 days from 2026-11-29" in str(week["detail"])
    failed = day_row(
        {
            "day": "2026-12-05",
            "dry_run": False,
            "partitions": 533,
            "partitions_per_min": 120.0,
            "failed": 50,
            "seconds": 250.0,
        }
    )
    assert failed["goal_seconds"] == 300.0 and failed["meets_goal"] is False
