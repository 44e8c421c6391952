"""`grid-intel backfill` planning and progress, and the nightly schedules' requests."""

from datetime import UTC, datetime

import dagster as dg
import pytest

from grid_intel.defs.partitions import RANGE_END, RANGE_START, daily, hourly
from grid_intel.operations.backfill import (
    BackfillError,
    Outcome,
    counts_of,
    plan_backfill,
)

H = dg.AssetSpec(["silver", "h"], partitions_def=hourly)
D = dg.AssetSpec(["gold", "d"], partitions_def=daily)
U = dg.AssetSpec(["silver", "ref"])
SPECS = [H, D, U]
ALL = {H.key, D.key, U.key}
T0 = datetime(2026, 1, 19, tzinfo=UTC)
T1 = datetime(2026, 1, 26, tzinfo=UTC)
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def test_each_asset_gets_its_own_granularity_over_the_window():
    plan = plan_backfill(SPECS, ALL, T0, T1, now=NOW)
    by_key = {a.key: a.partitions for a in plan.assets}
    assert len(by_key[H.key]) == 7 * 24
    assert by_key[H.key][0] == "2026-01-19-00:00" and by_key[H.key][-1] == "2026-01-25-23:00"
    assert by_key[D.key] == tuple(f"2026-01-{d}" for d in range(19, 26))
    assert U.key not in by_key and plan.skipped[0][0] == U.key
    assert plan.partitions == 7 * 24 + 7


def test_unpartitioned_assets_only_when_asked_and_params_are_ranges():
    plan = plan_backfill(SPECS, ALL, T0, T1, now=NOW, include_unpartitioned=True)
    launch = plan.params("selection *")
    assert launch["title"] == "grid-intel backfill 2026-01-19T00:00..2026-01-26T00:00 UTC"
    assert not set('%*"') & set(launch["title"]) and len(launch["title"]) <= 100
    params = launch["partitionsByAssets"]
    ref = next(p for p in params if p["assetKey"]["path"] == ["silver", "ref"])
    hours = next(p for p in params if p["assetKey"]["path"] == ["silver", "h"])
    assert "partitions" not in ref
    assert hours["partitions"] == {
        "range": {"start": "2026-01-19-00:00", "end": "2026-01-25-23:00"}
    }


def test_windows_still_open_are_left_out():
    now = datetime(2026, 1, 20, 5, 30, tzinfo=UTC)
    plan = plan_backfill(SPECS, {H.key, D.key}, T0, T1, now=now)
    by_key = {a.key: a.partitions for a in plan.assets}
    assert by_key[H.key][-1] == "2026-01-20-04:00"  # 05:00 has not closed
    assert by_key[D.key] == ("2026-01-19",)


def test_bad_windows_say_what_is_wrong():
    with pytest.raises(BackfillError, match="must be after"):
        plan_backfill(SPECS, ALL, T1, T0, now=NOW)
    with pytest.raises(BackfillError, match="time zone"):
        plan_backfill(SPECS, ALL, T0.replace(tzinfo=None), T1, now=NOW)
    with pytest.raises(BackfillError, match="nothing to backfill"):
        plan_backfill(SPECS, {U.key}, T0, T1, now=NOW)
    with pytest.raises(BackfillError, match="nothing to backfill"):  # before the partitions start
        plan_backfill(
            SPECS, ALL, datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 2, 1, tzinfo=UTC), now=NOW
        )


def test_progress_counts_sum_partitioned_and_unpartitioned_assets():
    counts = counts_of(
        [
            {
                "__typename": "AssetPartitionsStatusCounts",
                "numPartitionsTargeted": 24,
                "numPartitionsMaterialized": 20,
                "numPartitionsFailed": 1,
                "numPartitionsInProgress": 3,
            },
            {
                "__typename": "UnpartitionedAssetStatus",
                "materialized": True,
                "failed": False,
                "inProgress": False,
            },
        ]
    )
    assert (counts.targeted, counts.materialized, counts.failed, counts.in_progress) == (
        25,
        21,
        1,
        3,
    )
    assert counts.line().startswith("22/25 asset partitions done (88%)")
    outcome = Outcome("b", "COMPLETED", 120.0, counts)
    assert not outcome.succeeded  # a failed partition fails the backfill
    assert outcome.partitions_per_minute == pytest.approx(10.5)


def test_selection_syntax_errors_name_examples(dbt_manifest):
    from grid_intel.operations.backfill import plan_for_selection

    with pytest.raises(BackfillError, match="examples"):
        plan_for_selection("key:(((", T0, T1)
    plan = plan_for_selection('key:"gold/*"', T0, T1)
    assert plan.assets and all(a.key.path[0] == "gold" for a in plan.assets)


def test_nightly_schedules_request_the_closed_day(dbt_manifest):
    from grid_intel.definitions import defs
    from grid_intel.defs.dbt import schedules
    from grid_intel.defs.health.schedules import health_scoring_schedule

    repo = defs.get_repository_def()
    tick = datetime(2026, 3, 5, 3, 0, tzinfo=UTC)

    def requests(schedule: dg.ScheduleDefinition) -> list[dg.RunRequest]:
        ctx = dg.build_schedule_context(scheduled_execution_time=tick, repository_def=repo)
        return list(schedule.evaluate_tick(ctx).run_requests or [])

    (hours,) = requests(schedules.late_data_hours_nightly)
    assert hours.tags[RANGE_START] == "2026-03-04-00:00"
    assert hours.tags[RANGE_END] == "2026-03-04-23:00"
    (days,) = requests(schedules.late_data_days_nightly)
    assert days.partition_key == "2026-03-04"
    (health,) = requests(health_scoring_schedule)
    assert health.partition_key == "2026-03-04"
    names = {s.name for s in repo.schedule_defs}
    assert {"forecast_models_daily_schedule", "health_scoring_daily_schedule"} <= names
    # The ranged rebuild only holds single-run assets: one run really covers 24 hours.
    job = defs.resolve_job_def("late_data_hours")
    graph = defs.resolve_asset_graph()
    for key in job.asset_layer.selected_asset_keys:
        policy = graph.get(key).backfill_policy
        assert policy is not None and policy.max_partitions_per_run is None, key


def test_every_hourly_asset_backfills_at_least_a_day_per_run():
    """A week's backfill is a few runs per asset, not 168: each run pays its start-up."""
    from grid_intel.definitions import defs

    graph = defs.resolve_asset_graph()
    hourly_keys = [
        k for k in graph.materializable_asset_keys if graph.get(k).partitions_def == hourly
    ]
    assert len(hourly_keys) > 10
    for key in hourly_keys:
        policy = graph.get(key).backfill_policy
        assert policy is not None, key
        assert policy.max_partitions_per_run is None or policy.max_partitions_per_run >= 24, key


def test_on_demand_assets_never_join_a_backfill():
    """The simulated-week evaluation takes hours: `'*' --include-unpartitioned` skips it."""
    from grid_intel.asset_metadata import ON_DEMAND

    lab = dg.AssetSpec(["gold", "lab"], tags={ON_DEMAND: "true"})
    plan = plan_backfill(
        [*SPECS, lab], ALL | {lab.key}, T0, T1, now=NOW, include_unpartitioned=True
    )
    assert lab.key not in {a.key for a in plan.assets} and U.key in {a.key for a in plan.assets}
    assert (lab.key, "on demand only: materialize it by itself") in plan.skipped

    from grid_intel.definitions import defs

    simulated = defs.resolve_assets_def(dg.AssetKey(["gold", "anomaly_evaluation_simulated"]))
    assert simulated.specs_by_key[simulated.key].tags[ON_DEMAND] == "true"


def test_a_backfill_may_include_todays_closed_hours():
    """No hourly asset requires a day that has not closed: the demo's backfill (and any
    up to the last closed hour) includes today's hours."""
    from grid_intel.definitions import defs

    now = datetime(2026, 3, 2, 5, 30, tzinfo=UTC)
    hour = hourly.subset_with_partition_keys(["2026-03-02-04:00"])
    graph = defs.resolve_asset_graph()
    checked = 0
    for key in graph.materializable_asset_keys:
        if graph.get(key).partitions_def != hourly:
            continue
        for parent in graph.get(key).parent_keys:
            upstream = graph.get(parent).partitions_def
            if upstream is None or upstream == hourly:
                continue
            result = graph.get_partition_mapping(
                key, parent
            ).get_upstream_mapped_partitions_result_for_partitions(
                hour, hourly, upstream, current_time=now
            )
            missing = result.required_but_nonexistent_partition_keys
            assert not missing, f"{key.to_user_string()} needs {parent.to_user_string()} {missing}"
            checked += 1
    assert checked >= 2  # the hourly prices on MISO's daily files, forecasts on their cards


@pytest.mark.parametrize("hour", ["2026-03-02-00:00", "2026-03-02-23:00"])
def test_an_hours_demand_forecasts_follow_the_card_of_the_day_before(hour):
    from grid_intel.defs.forecasting.assets import CARD_OF_DAY_BEFORE

    result = CARD_OF_DAY_BEFORE.get_upstream_mapped_partitions_result_for_partitions(
        hourly.subset_with_partition_keys([hour]), hourly, daily
    )
    assert list(result.partitions_subset.get_partition_keys()) == ["2026-03-01"]


def test_reference_data_goes_first_as_its_own_backfill():
    """The registry and the models built on it only: not an unpartitioned asset that
    reads partitioned ones (a backtest over the signals), which must come after them."""
    registry = dg.AssetSpec(["bronze", "registry"])
    points = dg.AssetSpec(["silver", "points"], deps=[registry.key])
    readings = dg.AssetSpec(["bronze", "readings"], partitions_def=hourly)
    backtest = dg.AssetSpec(["gold", "backtest"], deps=[readings.key, points.key])
    specs = [registry, points, readings, backtest]
    plan = plan_backfill(specs, {s.key for s in specs}, T0, T1, now=NOW, include_unpartitioned=True)
    assert plan.reference == {registry.key, points.key}
    first, rest = plan.stages()
    assert {a.key for a in first.assets} == {registry.key, points.key}
    assert {a.key for a in rest.assets} == {readings.key, backtest.key}
    assert first.partitions + rest.partitions == plan.partitions
    only_hours = plan_backfill([readings], {readings.key}, T0, T1, now=NOW)
    assert only_hours.stages() == [only_hours]
