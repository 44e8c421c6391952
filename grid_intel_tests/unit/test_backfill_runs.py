"""Where a backfill's time went: its runs summarised for the orchestration bench."""

from grid_intel.bench.backfill_runs import by_assets, idle_seconds, label, partitions, timeline


def run(start, end, paths, **tags):
    return {
        "runId": f"r{start}",
        "status": "SUCCESS",
        "startTime": start,
        "endTime": end,
        "assetSelection": [{"path": p} for p in paths],
        "tags": [{"key": k.replace("__", "/"), "value": v} for k, v in tags.items()],
    }


RANGE = {
    "dagster__asset_partition_range_start": "2026-12-01-00:00",
    "dagster__asset_partition_range_end": "2026-12-01-23:00",
}
RUNS = [
    run(1000.0, 1100.0, [["bronze", "sensor_readings"], ["gold", "anomaly_events"]], **RANGE),
    run(1010.0, 1050.0, [["silver", "weather_hourly"]], dagster__partition="2026-12-01"),
    run(1130.0, 1160.0, [["bronze", "sensor_readings"], ["gold", "anomaly_events"]], **RANGE),
    {"runId": "queued", "status": "QUEUED", "startTime": None, "endTime": None},
]


def test_each_started_run_is_placed_on_the_backfills_clock():
    rows = timeline(RUNS)
    assert [(r["start_s"], r["seconds"]) for r in rows] == [(0, 100), (10, 40), (130, 30)]
    assert rows[0]["assets"] == "bronze/sensor_readings +1"
    assert rows[0]["partitions"] == "2026-12-01-00:00..2026-12-01-23:00"
    assert rows[1]["partitions"] == "2026-12-01"


def test_gaps_with_no_run_running_are_counted_once():
    """The 30 s between the first two runs' end (overlapping) and the third's start."""
    assert idle_seconds(timeline(RUNS)) == 30
    assert idle_seconds([]) == 0


def test_run_seconds_add_up_per_kind_of_run_longest_first():
    kinds = by_assets(timeline(RUNS))
    assert kinds[0] == {
        "assets": "bronze/sensor_readings +1",
        "runs": 2,
        "run_seconds": 130.0,
        "longest": 100.0,
    }
    assert [k["assets"] for k in kinds] == ["bronze/sensor_readings +1", "silver/weather_hourly"]


def test_labels_and_partitions_without_tags():
    assert label([]) == "(no assets)"
    assert partitions([]) == ""
