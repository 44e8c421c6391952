"""Market and carbon on the real warehouse: ten simulated days of MISO prices, station
output, tie flows and region load go through bronze and the dbt layers; the LMP
forecasts, price signals, carbon intensity and its forecast are materialized as
Dagster assets and read back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import dagster as dg
import numpy as np
import polars as pl
import pytest

from grid_intel.carbon import hourly_intensity
from grid_intel.grid.registry import build_registry
from grid_intel.ingestion.tables import BRONZE_MARKET_PRICES, BRONZE_TOPICS
from grid_intel.settings import Settings
from grid_intel.simulation.archives import write_archives
from grid_intel.simulation.demand import demand
from grid_intel.simulation.dispatch import dispatch
from grid_intel.simulation.market import lmp
from grid_intel.simulation.weather import weather
from grid_intel.warehouse.connection import connect
from grid_intel.warehouse.writer import replace_window
from grid_intel_tests.conftest import fresh_warehouse, query_frame
from grid_intel_tests.integration.test_dbt_models import materialize

DAY = datetime(2026, 2, 24, tzinfo=UTC)
FIRST = DAY - timedelta(days=9)
END = DAY + timedelta(days=1)
SEED = 5
ISSUE = DAY + timedelta(hours=14)  # partition 14:00, issued when it closes at 15:00
REGISTRY = build_registry(1)


def world() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """5-minute region load, station output and tie flows from the simulator's
    dispatch, and DA/RT LMPs from its market, over [FIRST, END)."""
    w = weather(SEED, FIRST, END, step_s=300)
    loads = demand(SEED, w)
    total = loads.group_by("ts").agg(pl.col("demand_mw").sum()).sort("ts")
    central = w.filter(pl.col("region") == "central").sort("ts")
    plan = dispatch(total["ts"], total["demand_mw"].to_numpy(), central["wind_ms"].to_numpy())
    ts = central["ts"].dt.replace_time_zone(None).to_numpy()
    temp, wind = central["temp_c"].to_numpy(), central["wind_ms"].to_numpy()
    hourly = slice(None, None, 12)
    prices = pl.concat(
        [lmp(SEED, "DA", ts[hourly], temp[hourly], wind[hourly]), lmp(SEED, "RT", ts, temp, wind)]
    )
    return loads, plan.generation, plan.interchange, prices


def bronze_readings(loads, generation, interchange) -> Iterator[tuple[object, ...]]:
    points = {p.id: p for p in REGISTRY.points}
    subs = {r.id: r.substation for r in REGISTRY.rtus}
    ties = {t.counterparty: t.id for t in REGISTRY.interties}
    frames = (
        loads.select("ts", pl.format("{}.load_mw", "region").alias("point"), "demand_mw"),
        generation.select("ts", pl.format("{}.active_power_mw", "station").alias("point"), "mw"),
        interchange.select(
            "ts",
            pl.col("counterparty").replace_strict(ties).alias("tie"),
            "net_export_mw",
        ).select("ts", pl.format("{}.active_power_mw", "tie").alias("point"), "net_export_mw"),
    )
    offset = 0
    for frame in frames:
        for ts, point, value in frame.iter_rows():
            p = points[point]
            yield (ts, p.rtu, subs[p.rtu], point, round(value, 3), None, offset, 1, 0, offset)
            offset += 1


def bronze_prices(prices: pl.DataFrame) -> Iterator[tuple[object, ...]]:
    for offset, r in enumerate(prices.iter_rows(named=True)):
        minutes = 60 if r["market"] == "DA" else 5
        yield (
            r["interval_start"], r["market"], r["location"], r["location_type"], minutes,
            r["lmp"], r["energy"], r["congestion"], r["loss"], 1, 0, offset,
        )  # fmt: skip


@pytest.fixture(scope="module")
def built(stack: Settings, dbt_manifest, tmp_path_factory: pytest.TempPathFactory):
    from grid_intel.defs.carbon.assets import carbon_forecast, carbon_intensity
    from grid_intel.defs.dbt.assets import dbt_hourly_assets, dbt_reference_assets
    from grid_intel.defs.landing.assets import ARCHIVE_ASSETS
    from grid_intel.defs.market.assets import lmp_forecasts, price_signals

    loads, generation, interchange, prices = world()
    landing = tmp_path_factory.mktemp("landing")  # the registry the readings are checked by
    write_archives(landing, SEED, DAY - timedelta(days=1), DAY + timedelta(days=1), lambda _: None)
    for fresh in fresh_warehouse(stack, "grid_intel_market"):
        settings = fresh.model_copy(update={"landing_dir": landing})
        for asset in ARCHIVE_ASSETS.values():
            kw = {"partition_key": f"{DAY:%Y-%m-%d}"} if asset.partitions_def else {}
            materialize([asset], settings, **kw)
        materialize([dbt_reference_assets], settings)
        with connect(settings.warehouse) as conn:
            readings = bronze_readings(loads, generation, interchange)
            replace_window(conn, BRONZE_TOPICS[0].table, readings, FIRST, END)
            replace_window(conn, BRONZE_MARKET_PRICES.table, bronze_prices(prices), FIRST, END)
        span = {
            "dagster/asset_partition_range_start": f"{FIRST:%Y-%m-%d}-00:00",
            "dagster/asset_partition_range_end": f"{DAY:%Y-%m-%d}-23:00",
        }
        materialize(list(dbt_hourly_assets), settings, tags=span)
        with dg.instance_for_test() as instance:
            issue = ISSUE.strftime("%Y-%m-%d-%H:%M")
            runs = {
                "carbon_intensity": materialize(
                    [carbon_intensity], settings, tags=span, instance=instance
                ),
                "lmp_forecasts": materialize(
                    [lmp_forecasts], settings, partition_key=issue, instance=instance
                ),
                "price_signals": materialize(
                    [price_signals], settings, partition_key=issue, instance=instance
                ),
                "carbon_forecast": materialize(
                    [carbon_forecast], settings, partition_key=issue, instance=instance
                ),
            }
            yield settings, runs, (loads, generation, interchange, prices), instance


def metadata(result: dg.ExecuteInProcessResult) -> dict[str, object]:
    (mat,) = result.get_asset_materialization_events()
    return {k: v.value for k, v in mat.step_materialization_data.materialization.metadata.items()}


def test_lmp_forecasts_cover_both_nodes_and_horizons_with_ordered_quantiles(built):
    settings, runs, _, _ = built
    issued = ISSUE + timedelta(hours=1)
    f = query_frame(
        settings,
        "select * from gold.lmp_forecasts where issued_at = %(t)s order by location, horizon, ts",
        {"t": issued},
    )
    counts = f.group_by("location", "horizon").len().sort("location", "horizon")
    assert counts.rows() == [
        ("MHEB", "day_ahead", 24),
        ("MHEB", "next_hours", 6),
        ("MINN.HUB", "day_ahead", 24),
        ("MINN.HUB", "next_hours", 6),
    ]
    assert f["ts"].min() == issued
    assert ((f["yhat_p10"] <= f["yhat_p50"]) & (f["yhat_p50"] <= f["yhat_p90"])).all()
    backtests = query_frame(
        settings, "select * from gold.lmp_forecast_backtests where issued_at = %(t)s", {"t": issued}
    )
    chosen = backtests.filter("chosen")
    assert chosen.height == 4 and set(chosen["model"]) == set(f["model"])
    # The issued model beat seasonal naive in its own backtest, or is seasonal naive.
    for _, group in backtests.group_by("location", "horizon"):
        best = group.filter("chosen")["mae"][0]
        assert best <= group.filter(pl.col("model") == "seasonal_naive")["mae"][0] + 1e-9
    shown = metadata(runs["lmp_forecasts"])
    assert shown["dagster/row_count"] == f.height and shown["skipped"] == {}


def test_lmp_forecast_tracks_the_simulated_day_ahead_price(built):
    """The day-ahead forecast at MHEB lands near the simulator's actual prices: its
    p10-p90 band holds most of them and its error is a fraction of the price."""
    settings, _, (_, _, _, prices), _ = built
    issued = ISSUE + timedelta(hours=1)
    f = query_frame(
        settings,
        "select ts, yhat_p10, yhat_p50, yhat_p90 from gold.lmp_forecasts "
        "where issued_at = %(t)s and location = 'MHEB' and horizon = 'day_ahead'",
        {"t": issued},
    )
    actual = prices.filter(pl.col("market") == "DA", pl.col("location") == "MHEB").select(
        pl.col("interval_start").alias("ts"), "lmp"
    )
    both = f.with_columns(pl.col("ts").dt.convert_time_zone("UTC")).join(actual, on="ts")
    assert both.height == 9  # 15:00 to the end of the simulated span at midnight
    mae = (both["lmp"] - both["yhat_p50"]).abs().mean()
    inside = ((both["lmp"] >= both["yhat_p10"]) & (both["lmp"] <= both["yhat_p90"])).mean()
    assert mae < 0.4 * both["lmp"].abs().mean(), mae
    assert inside >= 1 / 3, inside  # nine hours of one issue; the backtest scores coverage


def test_carbon_intensity_matches_the_flows_that_were_simulated(built):
    """Gold's hourly intensity equals `hourly_intensity` of the simulator's own dispatch
    averaged to hours: the dbt layers and the asset lose nothing on the way."""
    settings, runs, (_, generation, interchange, _), _ = built
    stored = query_frame(settings, "select * from gold.carbon_intensity order by hour")
    stored = stored.with_columns(pl.col("hour").dt.convert_time_zone("UTC"))
    assert stored.height == 10 * 24
    gen = generation.group_by(pl.col("ts").dt.truncate("1h").alias("hour"), "station", "fuel").agg(
        pl.col("mw").mean()
    )
    gen = gen.group_by("hour", "fuel").agg(pl.col("mw").sum().alias("generation_mw"))
    ties = interchange.group_by(pl.col("ts").dt.truncate("1h").alias("hour"), "counterparty").agg(
        pl.col("net_export_mw").mean()
    )
    expected = hourly_intensity(gen, ties).sort("hour")
    joined = stored.join(expected, on="hour", suffix="_sim")
    assert joined.height == stored.height
    for col in ("production_g_kwh", "consumption_g_kwh", "exports_mwh", "avoided_average_t"):
        assert np.allclose(joined[col], joined[f"{col}_sim"], rtol=1e-3, atol=0.05), col
    # Manitoba is ~97 % hydro with some wind (11 g/kWh): production sits near hydro's 24.
    production = stored["production_g_kwh"]
    assert production.min() > 11 and 20 < production.median() < 40
    assert (stored["avoided_average_t"] >= stored["avoided_marginal_t"]).all()
    by_source = query_frame(
        settings, "select source, sum(tonnes) as t from gold.carbon_emissions_by_source group by 1"
    )
    assert {"hydro", "wind"} <= set(by_source["source"])
    total = by_source.filter(~pl.col("source").str.starts_with("import:"))["t"].sum()
    assert np.isclose(total, stored["emissions_t"].sum(), rtol=1e-6)
    # One run over the ten days: a materialization per hour, each with the run's figures.
    events = runs["carbon_intensity"].get_asset_materialization_events()
    assert len(events) == 240
    shown = events[0].step_materialization_data.materialization.metadata
    assert shown["dagster/row_count"].value == 240 and shown["hours_missing"].value == 0
    assert np.isclose(shown["emissions_t"].value, stored["emissions_t"].sum())


def test_carbon_forecast_issues_the_next_day(built):
    settings, runs, _, _ = built
    issued = ISSUE + timedelta(hours=1)
    f = query_frame(
        settings,
        "select * from gold.carbon_forecast where issued_at = %(t)s order by ts",
        {"t": issued},
    )
    assert f.height == 24 and f["ts"][0] == issued
    assert ((f["yhat_p10"] <= f["yhat_p50"]) & (f["yhat_p50"] <= f["yhat_p90"])).all()
    assert f["yhat_p50"].min() > 0
    assert list(metadata(runs["carbon_forecast"])["models"]) == [issued.isoformat()]


def test_rerunning_a_partition_replaces_its_rows(built):
    from grid_intel.defs.carbon.assets import carbon_forecast

    settings, _, _, instance = built
    sql = "select * from gold.carbon_forecast order by issued_at, ts"
    before = query_frame(settings, sql)
    materialize(
        [carbon_forecast],
        settings,
        partition_key=ISSUE.strftime("%Y-%m-%d-%H:%M"),
        instance=instance,
    )
    assert query_frame(settings, sql).equals(before)


def test_price_signals_stay_within_the_tie_and_follow_the_forecast(built):
    settings, runs, _, _ = built
    issued = ISSUE + timedelta(hours=1)
    s = query_frame(
        settings,
        "select * from gold.price_signals where issued_at = %(t)s order by hour",
        {"t": issued},
    )
    # No demand forecast was issued here: the load is yesterday's, for all 24 hours.
    assert s.height == 24 and set(s["load_source"]) == {"yesterday"}
    assert s["hour"][0] == issued and s["hour"].is_sorted()
    assert set(s["action"]) <= {"export", "import", "hold"}
    exports, imports = (
        s.filter(pl.col("action") == "export"),
        s.filter(pl.col("action") == "import"),
    )
    assert (exports["quantity_mw"] <= 3185 + 1e-6).all() and (
        imports["quantity_mw"] <= 2100 + 1e-6
    ).all()
    assert (s.filter(pl.col("action") == "hold")["quantity_mw"] == 0).all()
    # An export is in the money at the forecast median, an import the other way round.
    assert (exports["lmp_p50"] > exports["marginal_cost"]).all()
    assert (imports["lmp_p50"] < imports["marginal_cost"]).all()
    assert (s["confidence"].is_between(0, 1)).all()
    traded = s.filter(pl.col("action") != "hold")
    assert (traded["confidence"] >= 0.6).all() and (traded["expected_value_usd"] > 0).all()
    # Each hour's supply curve is in merit order, from free wind and must-run hydro up.
    curves = query_frame(
        settings,
        "select * from gold.supply_curves where issued_at = %(t)s order by hour, cum_mw",
        {"t": issued},
    )
    assert curves.height == 5 * 24 and curves["hour"].n_unique() == 24
    for _, hour in curves.group_by("hour"):
        assert hour["cost"].is_sorted() and hour["cost"][0] == 0
        assert {"wind", "must_run_hydro", "flexible_hydro", "brandon", "miso_import"} == set(
            hour["source"]
        )
    shown = metadata(runs["price_signals"])
    assert sum(shown["actions"].values()) == s.height
    assert np.isclose(shown["expected_value_usd"], s["expected_value_usd"].sum(), atol=0.01)


def test_the_signal_backtest_beats_the_naive_strategies_and_reports_its_pnl(stack: Settings):
    from grid_intel.defs.market.assets import price_signal_backtest

    for settings in fresh_warehouse(stack, "grid_intel_signals"):
        config = {"seed": 7, "start": "2026-01-01", "days": 30}
        result = materialize(
            [price_signal_backtest],
            settings,
            run_config={"ops": {"gold__price_signal_backtest": {"config": config}}},
        )
        shown = metadata(result)
        assert shown["hours"] == 30 * 24
        assert shown["pnl_usd"] > shown["persistence_pnl_usd"] > 0
        assert shown["pnl_usd"] > shown["always_export_pnl_usd"]
        assert shown["value_over_persistence_usd"] > 0 and shown["ratio_to_persistence"] > 1
        stored = query_frame(settings, "select strategy, pnl_usd from gold.price_signal_backtest")
        pnl = dict(stored.iter_rows())
        assert set(pnl) == {"signal", "always_export", "persistence"}
        assert np.isclose(pnl["signal"], shown["pnl_usd"], atol=0.01)
        assert len(shown["daily_pnl_usd"]) == 30
