"""Marginal cost, buy/sell signals against MISO and their backtest."""

import time
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from grid_intel.evaluation.price_signals import simulated_month
from grid_intel.market.backtest import backtest, persistence_forecast
from grid_intel.market.costs import (
    MISO_EXPORT_MW,
    MISO_IMPORT_MW,
    CostAssumptions,
    HourInputs,
    marginal_cost,
    reservoir_state,
    supply_curve,
    supply_curves,
    thermal_cost,
    water_value,
)
from grid_intel.market.signals import SignalRule, prob_above, signals

# A flat $30/MWh water value makes the signal cases hand-computable.
FLAT = CostAssumptions(base_water_value=30.0, storage_elasticity=0.0, seasonal_amplitude=0.0)
DAY = datetime(2026, 1, 15, tzinfo=UTC)


def hours(*rows: tuple[float, float, float, float, float, float]) -> pl.DataFrame:
    """(p10, p50, p90, load, hydro available, wind) per hour from DAY 00:00."""
    cols = ("lmp_p10", "lmp_p50", "lmp_p90", "load_mw", "hydro_available_mw", "wind_mw")
    data = {c: [float(r[i]) for r in rows] for i, c in enumerate(cols)}
    return pl.DataFrame({"hour": [DAY + timedelta(hours=i) for i in range(len(rows))], **data})


# Ordinary winter hour: export headroom 4900 + 100 - 3800 = 1200 MW; flexible hydro
# serving load 3800 - 100 - 0.3 x 4900 = 2230 MW, so imports are capped by the tie at 2100.
ORDINARY = (3800, 4900, 100)


def test_miso_tie_limits_come_from_the_registry():
    assert (MISO_EXPORT_MW, MISO_IMPORT_MW) == (3185.0, 2100.0)


def test_water_value_rises_as_storage_falls_and_before_the_freshet():
    a = CostAssumptions()
    assert water_value(0.3, 100, a) > water_value(0.6, 100, a) > water_value(0.9, 100, a)
    assert water_value(0.6, 60, a) > water_value(0.6, 170, a) > water_value(0.6, 240, a)
    # At the reference storage, a quarter-year from the peak, the value is the base.
    assert water_value(0.6, 60 + 365.25 / 4, a) == pytest.approx(a.base_water_value)
    winter = water_value(reservoir_state(15), 15, a)
    summer = water_value(reservoir_state(200), 200, a)
    assert 20 <= winter <= 35 and summer < winter


def test_reservoir_state_follows_the_water_factor():
    assert reservoir_state(170) == pytest.approx(0.90, abs=1e-3)  # freshet: full
    assert reservoir_state(352) == pytest.approx(0.35, abs=1e-3)  # early winter: lowest
    assert reservoir_state(60) < reservoir_state(120) < reservoir_state(170)


def test_thermal_cost_is_heat_rate_times_gas_plus_vom():
    assert thermal_cost(CostAssumptions()) == pytest.approx(10.5 * 3.5 + 6.0)
    a = CostAssumptions(heat_rate=10.0, gas_price=4.0, variable_om=5.0)
    assert thermal_cost(a) == pytest.approx(45.0)


def test_supply_curve_is_in_merit_order():
    a = CostAssumptions(base_water_value=20.0, storage_elasticity=0.0, seasonal_amplitude=0.0)
    curve = supply_curve(HourInputs(1000, 100, lmp=50, day_of_year=15), a)
    assert [(b.source, b.mw, b.cost) for b in curve] == [
        ("wind", 100, 0.0),
        ("must_run_hydro", 300, 0.0),
        ("flexible_hydro", 700, 20.0),
        ("brandon", 280, 42.75),
        ("miso_import", 2100, 53.0),
    ]
    cheap_imports = supply_curve(HourInputs(1000, 100, lmp=10, day_of_year=15), a)
    assert [b.source for b in cheap_imports][2:4] == ["miso_import", "flexible_hydro"]


def test_supply_curves_match_the_single_hour_curve():
    frame = pl.DataFrame(
        {
            "hour": [DAY, DAY + timedelta(hours=1)],
            "hydro_available_mw": [1000.0, 1000.0],
            "wind_mw": [100.0, 100.0],
            "lmp": [50.0, 10.0],
            "day_of_year": [15, 15],
        }
    )
    a = CostAssumptions()
    curves = supply_curves(frame, a)
    for i, row in enumerate(frame.iter_rows(named=True)):
        one = supply_curve(HourInputs(1000, 100, row["lmp"], 15), a)
        got = curves.filter(pl.col("hour") == frame["hour"][i])
        assert got["source"].to_list() == [b.source for b in one]
        assert np.allclose(got["cost"], [b.cost for b in one])
        assert got["cum_mw"][-1] == pytest.approx(sum(b.mw for b in one))


def test_marginal_cost_by_load_level():
    # wind 100 + must-run 300 are free, flexible hydro 700 at $20, Brandon 280 at $42.75.
    loads = np.array([300.0, 400.0, 401.0, 1100.0, 1200.0, 1380.0, 1400.0])
    got = marginal_cost(loads, 1000.0, 100.0, 20.0, 42.75)
    assert got.tolist() == [0.0, 0.0, 20.0, 20.0, 42.75, 42.75, np.inf]
    assert marginal_cost(800.0, 1000.0, 100.0, 20.0, 42.75) == 20.0


def test_high_price_exports_the_headroom():
    out = signals(hours((50, 60, 70, *ORDINARY)), FLAT).row(0, named=True)
    assert out["action"] == "export"
    assert out["quantity_mw"] == pytest.approx(1200.0)  # hydro + wind - load
    assert out["marginal_cost"] == pytest.approx(30.0)
    assert out["expected_value_usd"] == pytest.approx(1200 * (60 - 30))
    assert out["confidence"] > 0.99 and out["reason"].startswith("export 1,200 MW")


def test_export_stops_at_the_tie_limit_cheapest_blocks_first():
    # Load 1000: spare free energy 200 + 1500 - 1000 = 700 MW at $0, flexible 3500 at $30.
    out = signals(hours((50, 60, 70, 1000, 5000, 200)), FLAT).row(0, named=True)
    assert out["quantity_mw"] == pytest.approx(3185.0)
    assert out["marginal_cost"] == pytest.approx((3185 - 700) * 30 / 3185)


def test_negative_price_imports_within_the_tie_limit():
    out = signals(hours((-20, -10, 0, *ORDINARY)), FLAT).row(0, named=True)
    assert out["action"] == "import" and out["net_export_mw"] == pytest.approx(-2100.0)
    assert out["expected_value_usd"] == pytest.approx(2100 * (30 - (-10)))


def test_negative_or_near_zero_price_never_exports():
    # Load 1000 leaves 700 MW of free energy to spill and nothing to back down.
    spill = (1000, 5000, 200)
    frame = hours((-20, -10, 0, *spill), (0.5, 1.0, 1.5, *spill), (-5, 1.5, 8, *ORDINARY))
    for rule in (SignalRule(), SignalRule(margin=0.0, threshold=0.51)):
        out = signals(frame, FLAT, rule)
        assert out["action"].to_list() == ["hold", "hold", "import"]
        assert (out["net_export_mw"] <= 0).all()


def test_brandon_is_displaced_before_hydro():
    # Load 5100 runs Brandon for 5100 - 100 - 4900 = 100 MW at $42.75; $35 beats it, not $30.
    out = signals(hours((30, 35, 40, 5100, 4900, 100)), FLAT).row(0, named=True)
    assert out["action"] == "import" and out["quantity_mw"] == pytest.approx(100.0)
    assert out["marginal_cost"] == pytest.approx(42.75)


def test_uncertain_price_holds():
    out = signals(hours((10, 30.5, 51, *ORDINARY)), FLAT).row(0, named=True)
    assert out["action"] == "hold" and out["quantity_mw"] == 0.0
    assert out["expected_value_usd"] == 0.0 and 0.5 < out["confidence"] < 0.6
    assert out["reason"].startswith("hold")


def test_confidence_rises_with_the_price_and_falls_with_uncertainty():
    p50 = np.linspace(31, 80, 50)
    by_price = prob_above(30.0, p50 - 10, p50, p50 + 10)
    assert np.all(np.diff(by_price) > 0)
    width = np.linspace(8, 60, 50)
    by_width = prob_above(30.0, 40 - width / 2, 40.0, 40 + width / 2)
    assert np.all(np.diff(by_width) < 0)
    frame = hours(*[(p - 10, p, p + 10, *ORDINARY) for p in (32.0, 36.0, 45.0)])
    exported = signals(frame, FLAT, SignalRule(threshold=0.51))
    assert np.all(np.diff(exported["confidence"].to_numpy()) > 0)


def test_rule_refuses_a_coin_flip_threshold():
    with pytest.raises(ValueError, match="threshold"):
        SignalRule(threshold=0.5)


def test_backtest_arithmetic_on_three_hours():
    sig = signals(
        hours((50, 60, 70, *ORDINARY), (-20, -10, 0, *ORDINARY), (20, 30, 40, *ORDINARY)), FLAT
    )
    assert sig["action"].to_list() == ["export", "import", "hold"]
    # Two flat days before: persistence forecasts 40, 10, 35 with no spread.
    prior = [DAY - timedelta(hours=h) for h in range(48, 0, -1)]
    before = {DAY - timedelta(hours=24): 40.0, DAY - timedelta(hours=23): 10.0}
    before[DAY - timedelta(hours=22)] = 35.0
    actual = pl.DataFrame(
        {
            "hour": [*prior, *sig["hour"]],
            "lmp": [before.get(h, 40.0) for h in prior] + [50.0, 20.0, 25.0],
        }
    )
    assert persistence_forecast(actual, sig["hour"])["lmp_p50"].to_list() == [40.0, 10.0, 35.0]
    r = backtest(sig, actual, FLAT)
    # Signal: 1200 x (50 - 30) + (-2100) x (20 - 30) + 0 = 45,000.
    assert r.pnl_usd == pytest.approx(45_000)
    # Always export 1200 MW: 1200 x (20 - 10 - 5) = 6,000.
    assert r.naive_pnl_usd["always_export"] == pytest.approx(6_000)
    # Persistence exports, imports, exports: 24,000 + 21,000 - 6,000.
    assert r.naive_pnl_usd["persistence"] == pytest.approx(39_000)
    assert r.value_over_naive_usd == pytest.approx({"always_export": 39_000, "persistence": 6_000})
    assert r.ratio["always_export"] == pytest.approx(7.5)
    assert (r.hit_rate, r.traded_hours) == (1.0, 2)
    assert r.naive_hit_rate == pytest.approx({"always_export": 1 / 3, "persistence": 2 / 3})
    assert r.daily.row(0, named=True)["signal"] == pytest.approx(45_000)
    meta = r.as_metadata()
    assert meta["pnl_usd"] == 45_000 and meta["ratio_to_always_export"] == 7.5
    assert all(type(v) in (int, float) for v in meta.values())


@pytest.fixture(scope="module")
def month():
    began = time.perf_counter()
    m = simulated_month()
    sig = signals(m.hours)
    result = backtest(sig, m.actual_lmp)
    return m, sig, result, time.perf_counter() - began


def test_simulated_month_inputs_are_complete_and_honest(month):
    m, _, _, seconds = month
    assert m.hours.height == 30 * 24 and m.forecaster == "mstl"
    assert m.hours.select(pl.all().null_count()).row(0) == (0,) * m.hours.width
    assert m.actual_lmp["hour"].min() < m.hours["hour"].min()  # history to forecast from
    assert seconds < 60


def test_simulated_month_trades_within_limits(month):
    _, sig, _, _ = month
    headroom = sig["hydro_available_mw"] + sig["wind_mw"] - sig["load_mw"]
    assert (sig["net_export_mw"] <= np.minimum(MISO_EXPORT_MW, headroom) + 1e-6).all()
    assert (sig["net_export_mw"] >= -MISO_IMPORT_MW - 1e-6).all()
    assert set(sig["action"]) == {"export", "import", "hold"}
    assert sig.filter(pl.col("lmp_p50") < 2.0, pl.col("action") == "export").height == 0


def test_simulated_month_signals_beat_both_naive_strategies(month):
    _, _, r, seconds = month
    print(f"\nsimulated month: {r.as_metadata()} in {seconds:.1f} s")
    assert r.pnl_usd > r.naive_pnl_usd["always_export"]
    assert r.pnl_usd > r.naive_pnl_usd["persistence"]
    assert r.hit_rate > r.naive_hit_rate["persistence"] > r.naive_hit_rate["always_export"]
