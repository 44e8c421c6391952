"""Demand forecasting on the real warehouse: three weeks of simulated region load go
through bronze and the dbt layers; the daily model cards, an hourly issue and the
accuracy of that issue against the day's actuals are materialized as Dagster assets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import dagster as dg
import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from grid_intel.defs.partitions import range_tags
from grid_intel.forecasting.demand import (
    CANDIDATES,
    HORIZONS,
    SYSTEM,
    WEATHER,
    WITH_WEATHER,
    Histories,
    histories,
    load_forecaster,
    weather_for,
    weather_span,
)
from grid_intel.forecasting.weather import read_weather
from grid_intel.grid.registry import build_registry
from grid_intel.ingestion.tables import BRONZE_TOPICS
from grid_intel.settings import Settings
from grid_intel.simulation.archives import write_archives
from grid_intel.simulation.demand import demand
from grid_intel.simulation.weather import weather
from grid_intel.warehouse.connection import connect
from grid_intel.warehouse.writer import replace_window
from grid_intel_tests.conftest import fresh_warehouse, query_frame
from grid_intel_tests.integration.test_dbt_models import materialize

DAY = datetime(2026, 2, 24, tzinfo=UTC)  # a winter Tuesday
FIRST = DAY - timedelta(days=20)
SEED = 11
ISSUE_HOUR = DAY + timedelta(hours=5)  # partition 05:00, issued when it closes at 06:00
# Weather observations and forecast issues over the whole history: the models learn how
# load follows temperature, and each backtest fold has an issue available at its origin.
WEATHER_FROM = FIRST
REGISTRY = build_registry(1)
LOAD_POINTS = {p.asset: p for p in REGISTRY.points if p.asset_kind == "region"}
STEPS = {"15min": 1, "1h": 4, "24h": 24, "7d": 168}
HORIZON_BY_NAME = {h.name: h for h in HORIZONS}


def bronze_load() -> Iterator[tuple[object, ...]]:
    """Every region's load point every 5 minutes from FIRST to the end of DAY."""
    subs = {r.id: r.substation for r in REGISTRY.rtus}
    loads = demand(SEED, weather(SEED, FIRST, DAY + timedelta(days=1), step_s=300))
    for offset, (ts, region, mw) in enumerate(loads.iter_rows()):
        p = LOAD_POINTS[region]
        yield (ts, p.rtu, subs[p.rtu], p.id, round(mw, 3), None, offset, 1, 0, offset)


@pytest.fixture(scope="module")
def built(stack: Settings, dbt_manifest, tmp_path_factory: pytest.TempPathFactory):
    from grid_intel.defs.dbt.assets import (
        dbt_daily_assets,
        dbt_hourly_assets,
        dbt_reference_assets,
    )
    from grid_intel.defs.forecasting.assets import (
        demand_forecasts,
        forecast_accuracy,
        forecast_models,
    )
    from grid_intel.defs.landing.assets import ARCHIVE_ASSETS

    landing = tmp_path_factory.mktemp("landing")
    write_archives(landing, SEED, WEATHER_FROM, DAY + timedelta(days=1), lambda _: None)
    for fresh in fresh_warehouse(stack, "grid_intel_forecast"):
        settings = fresh.model_copy(update={"landing_dir": landing})
        key = DAY.strftime("%Y-%m-%d")
        days = range_tags(f"{WEATHER_FROM:%Y-%m-%d}", key)
        for asset in ARCHIVE_ASSETS.values():
            kw = {"tags": days} if asset.partitions_def else {}
            materialize([asset], settings, **kw)
        materialize([dbt_reference_assets], settings)
        silver_daily = dbt_daily_assets[0]  # the weather the cards and issues read
        materialize([silver_daily], settings, tags=days)
        with connect(settings.warehouse) as conn:
            table = BRONZE_TOPICS[0].table
            replace_window(conn, table, bronze_load(), FIRST, DAY + timedelta(days=1))
        materialize(
            list(dbt_hourly_assets),
            settings,
            tags={
                "dagster/asset_partition_range_start": f"{FIRST:%Y-%m-%d}-00:00",
                "dagster/asset_partition_range_end": f"{DAY:%Y-%m-%d}-23:00",
            },
        )
        with dg.instance_for_test() as instance:
            yesterday = (DAY - timedelta(days=1)).strftime("%Y-%m-%d")
            runs = {
                "models": materialize(
                    [forecast_models], settings, partition_key=yesterday, instance=instance
                ),
                "forecasts": materialize(
                    [demand_forecasts],
                    settings,
                    partition_key=ISSUE_HOUR.strftime("%Y-%m-%d-%H:%M"),
                    instance=instance,
                ),
                "accuracy": materialize(
                    [forecast_accuracy], settings, partition_key=key, instance=instance
                ),
            }
            yield settings, runs, instance


def metadata(result: dg.ExecuteInProcessResult) -> dict[str, object]:
    (mat,) = result.get_asset_materialization_events()
    return {k: v.value for k, v in mat.step_materialization_data.materialization.metadata.items()}


def lowest_mae(backtests: pl.DataFrame, weather: bool) -> float:
    """The MAE auto picks by: the lowest of its own backtest, from load alone or with the
    weather (where the XGBoost models are those that learned from it)."""
    learned = pl.col("model").str.ends_with(WEATHER)
    xgboost = pl.col("model").str.contains("xgboost")
    own = backtests.filter(learned | ~xgboost) if weather else backtests.filter(~learned)
    return own["mae"].min()


def test_model_cards_pick_each_backtests_best_and_explain_it(built):
    settings, runs, _ = built
    cards = query_frame(settings, "select * from gold.forecast_models")
    regions = {*LOAD_POINTS, SYSTEM}
    assert cards.height == len(regions) * len(HORIZONS)
    assert set(cards["region"]) == regions and set(cards["horizon"]) == set(STEPS)
    backtests = query_frame(settings, "select * from gold.forecast_backtests")
    for (region, horizon), part in backtests.group_by("region", "horizon"):
        # Three weeks are too short for XGBoost's 7-day leads: the card says so and goes on.
        need = set(CANDIDATES) - ({"xgboost"} if horizon == "7d" else set())
        assert need <= set(part["model"]), (region, horizon)
        (pick,) = part.filter(pl.col("chosen"))["model"]
        mae = part.filter(pl.col("chosen"))["mae"][0]
        assert mae == lowest_mae(part, pick.endswith(WEATHER)), (region, horizon)
        naive = part.filter(pl.col("model") == "seasonal_naive")
        assert naive["rmae"][0] == pytest.approx(1.0)
        card = cards.filter((pl.col("region") == region) & (pl.col("horizon") == horizon))
        assert card["model"][0] == pick and card["version"][0].endswith(f"/{pick}")
    assert (backtests["coverage"].is_between(0, 1)).all()
    xgb = cards.filter(pl.col("model").str.contains("xgboost"))
    assert xgb.height  # the learned model is in some picks: they say what it learned from
    for text in xgb["importance"]:
        importance = json.loads(text)
        assert sum(importance.values()) == pytest.approx(1.0, abs=0.01)
    shown = metadata(runs["models"])
    assert shown["dagster/row_count"] == cards.height and not shown["skipped"]
    assert "xgboost needs" in shown["models"][f"{SYSTEM}/7d"]["left_out"]["xgboost"]


def test_cards_weigh_the_weather_forecast_against_load_alone(built):
    """Where XGBoost can learn (not the 7-day leads of three weeks), each card backtests
    it with the loaded weather forecast too; on the simulated grid, whose load follows
    its temperature, the forecast lowers the day-ahead backtest error."""
    settings, _, _ = built
    backtests = query_frame(settings, "select * from gold.forecast_backtests")
    for horizon in ("15min", "1h", "24h"):
        part = backtests.filter(pl.col("horizon") == horizon)
        with_weather = part.filter(pl.col("model") == WITH_WEATHER)
        assert with_weather.height == len(LOAD_POINTS) + 1, horizon
    day_ahead = backtests.filter(pl.col("horizon") == "24h").pivot(
        on="model", index="region", values="mape_pct"
    )
    assert day_ahead[WITH_WEATHER].mean() < day_ahead["xgboost"].mean(), day_ahead
    # Three weeks are too short for XGBoost's 7-day leads, with the weather or without.
    week = backtests.filter(pl.col("horizon") == "7d")
    assert not week.filter(pl.col("model").str.ends_with(WEATHER)).height


def test_an_hourly_issue_covers_every_region_and_horizon_from_its_issue_time(built):
    settings, runs, _ = built
    issued = ISSUE_HOUR + timedelta(hours=1)
    rows = query_frame(settings, "select * from gold.demand_forecasts order by region, horizon, ts")
    assert set(rows["issued_at"]) == {issued}
    cards = query_frame(
        settings, "select region, horizon, model, version from gold.forecast_models"
    )
    for (region, horizon), part in rows.group_by("region", "horizon"):
        assert part.height == STEPS[horizon]
        step = part["ts"].diff().drop_nulls().unique().to_list() or [timedelta(minutes=15)]
        assert len(step) == 1
        assert part["ts"][0] == issued  # the first target is the first unseen interval
        card = cards.filter((pl.col("region") == region) & (pl.col("horizon") == horizon))
        assert part["model"].unique().to_list() == card["model"].to_list()
        assert part["model_version"].unique().to_list() == card["version"].to_list()
    assert ((rows["yhat_p10"] <= rows["yhat_p50"]) & (rows["yhat_p50"] <= rows["yhat_p90"])).all()
    system = rows.filter((pl.col("region") == SYSTEM) & (pl.col("horizon") == "24h"))
    parts = rows.filter((pl.col("region") != SYSTEM) & (pl.col("horizon") == "24h"))
    total = parts.group_by("ts").agg(pl.col("yhat").sum()).sort("ts")["yhat"]
    # Forecast separately, the regions' sum and the total agree within a few percent.
    assert ((system["yhat"] - total).abs() / system["yhat"]).max() < 0.05
    assert metadata(runs["forecasts"])["rows_by_horizon"] == {
        h: n * (len(LOAD_POINTS) + 1) for h, n in STEPS.items()
    }


def test_an_issue_predicts_with_the_fitted_model_its_card_keeps(built):
    """The card fitted at the end of its day; the issue six hours later predicts with
    those very models from the newer history, fitting nothing."""
    settings, _, _ = built
    issued = ISSUE_HOUR + timedelta(hours=1)
    with connect(settings.warehouse) as conn:
        cards = conn.execute(
            "select region, horizon, model, fitted from gold.forecast_models"
        ).fetchall()
        known = histories(conn, issued)
        weather = read_weather(conn, *weather_span(issued))
    rows = query_frame(settings, "select * from gold.demand_forecasts order by region, horizon, ts")
    assert len(cards) == (len(LOAD_POINTS) + 1) * len(HORIZONS)
    for region, horizon, model, fitted in cards:
        forecaster = load_forecaster(fitted)
        assert forecaster.model == model
        history = known[horizon][region]
        covariates, _ = weather_for(weather, region, HORIZON_BY_NAME[horizon], history)
        again = forecaster.predict(history, covariates if forecaster.covariates else None)
        issued_rows = rows.filter((pl.col("region") == region) & (pl.col("horizon") == horizon))
        assert np.allclose(issued_rows["yhat"].to_numpy(), again["yhat"].to_numpy())
        assert np.allclose(issued_rows["yhat_p90"].to_numpy(), again["yhat_p90"].to_numpy())


def test_a_runs_one_read_gives_each_hour_what_its_own_read_would(built):
    """A range run reads history and weather once for all its hours: each hour's slice
    and covariates equal what a run of that hour alone reads."""
    settings, _, _ = built
    instants = [DAY + timedelta(hours=h) for h in (1, 9, 24)]
    with connect(settings.warehouse) as conn:
        once = Histories(conn, instants)
        weather_once = read_weather(conn, *weather_span(instants[0], instants[-1]))
        for issued in instants:
            alone, sliced = histories(conn, issued), once.at(issued)
            weather_alone = read_weather(conn, *weather_span(issued))
            assert sliced.keys() == alone.keys()
            for name, series in alone.items():
                assert sliced[name].keys() == series.keys() and SYSTEM in series
                for region, frame in series.items():
                    # To the last bit: the bins average in exact numeric (BINNED_LOAD).
                    assert_frame_equal(sliced[name][region], frame, check_exact=True)
                    h = HORIZON_BY_NAME[name]
                    now, _ = weather_for(weather_once, region, h, frame)
                    then, _ = weather_for(weather_alone, region, h, frame)
                    assert now is not None and then is not None, (issued, name, region)
                    assert_frame_equal(now, then, check_exact=True)


def test_accuracy_once_actuals_arrive_is_far_better_than_a_flat_guess(built):
    settings, runs, _ = built
    acc = query_frame(settings, "select * from gold.forecast_accuracy")
    assert set(acc["horizon"]) == set(STEPS)
    system = {r["horizon"]: r for r in acc.filter(pl.col("region") == SYSTEM).iter_rows(named=True)}
    # 18 hours of the day-ahead forecast met their actuals, and the hour ahead's four.
    assert system["24h"]["points"] == 18 and system["1h"]["points"] == 4
    assert system["24h"]["mape_pct"] < 4.0, system["24h"]
    assert 0 <= system["24h"]["coverage"] <= 1
    shown = metadata(runs["accuracy"])["manitoba_by_horizon"]
    assert shown["24h"]["points"] == 18


def test_rerunning_an_issue_replaces_its_rows(built):
    from grid_intel.defs.forecasting.assets import demand_forecasts

    settings, _, instance = built
    before = query_frame(settings, "select * from gold.demand_forecasts order by 2, 3, 4")
    materialize(
        [demand_forecasts],
        settings,
        partition_key=ISSUE_HOUR.strftime("%Y-%m-%d-%H:%M"),
        instance=instance,
    )
    after = query_frame(settings, "select * from gold.demand_forecasts order by 2, 3, 4")
    changed = [c for c in before.columns if not after.get_column(c).equals(before[c])]
    assert after.equals(before), f"changed on the re-run: {changed} ({after.height} rows)"
    key = dg.AssetKey(["gold", "demand_forecasts"])
    assert instance.get_materialized_partitions(key) == {ISSUE_HOUR.strftime("%Y-%m-%d-%H:%M")}


def test_an_issue_before_three_days_of_history_warms_up_without_failing(built):
    from grid_intel.defs.forecasting.assets import demand_forecasts

    settings, _, _ = built
    early = FIRST + timedelta(days=1)
    result = materialize([demand_forecasts], settings, partition_key=f"{early:%Y-%m-%d-%H:%M}")
    shown = metadata(result)
    assert shown["dagster/row_count"] == 0
    assert len(shown["skipped"]) == len(STEPS) * (len(LOAD_POINTS) + 1)
    assert all("at least 3 days" in why for why in shown["skipped"].values()), shown["skipped"]


def test_a_backfill_from_the_first_day_skips_the_days_without_history(built):
    """A ranged run over days before and after 3 days of history: the early days are
    listed and get no card, the later one is modelled, and the run succeeds. A day alone
    without history warms up the same way: no card, listed, no failed partition."""
    from grid_intel.defs.forecasting.assets import forecast_models

    settings, _, _ = built
    keys = [f"{FIRST + timedelta(days=d):%Y-%m-%d}" for d in (1, 3)]
    result = materialize([forecast_models], settings, tags=range_tags(*keys))
    events = result.get_asset_materialization_events()  # one per day of the range
    assert len(events) == 3
    shown = events[0].step_materialization_data.materialization.metadata
    warming = shown["days_without_history"].value
    assert keys[0] in warming and keys[1] not in warming, warming
    days = set(query_frame(settings, "select distinct day from gold.forecast_models")["day"])
    assert FIRST + timedelta(days=3) in days and FIRST + timedelta(days=1) not in days

    alone = materialize([forecast_models], settings, partition_key=keys[0])
    shown = metadata(alone)
    assert shown["days_without_history"] == [keys[0]]
    assert shown["dagster/row_count"] == 0
    assert all("at least 3 days" in why for why in shown["skipped"].values())
