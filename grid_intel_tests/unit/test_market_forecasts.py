"""LMP and carbon-intensity forecasts on simulated prices, and the signal inputs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from grid_intel.carbon import forecast as carbon_forecast
from grid_intel.forecasting import ForecastInputError
from grid_intel.market import lmp_forecast, signal_inputs
from grid_intel.simulation.market import lmp
from grid_intel.simulation.weather import weather

START = datetime(2026, 1, 5, tzinfo=UTC)
DAYS = 14


@pytest.fixture(scope="module")
def prices() -> pl.DataFrame:
    """Hourly DA and RT (hourly mean of 5-minute) LMPs at both nodes, as gold holds them."""
    w = weather(3, START, START + timedelta(days=DAYS), step_s=300).filter(
        pl.col("region") == "central"
    )
    ts = w["ts"].dt.replace_time_zone(None).to_numpy()
    temp, wind = w["temp_c"].to_numpy(), w["wind_ms"].to_numpy()
    da = lmp(3, "DA", ts[::12], temp[::12], wind[::12])
    rt = lmp(3, "RT", ts, temp, wind)
    rt_hourly = rt.group_by(pl.col("interval_start").dt.truncate("1h"), "location").agg(
        pl.col("lmp").mean().alias("rt_lmp")
    )
    return (
        da.select("interval_start", "location", pl.col("lmp").alias("da_lmp"))
        .join(rt_hourly, on=["interval_start", "location"])
        .rename({"interval_start": "ts"})
        .sort("ts", "location")
    )


def test_history_is_one_location_and_one_price(prices):
    day_ahead, next_hours = lmp_forecast.HORIZONS[1], lmp_forecast.HORIZONS[0]
    h = lmp_forecast.history_of(prices, "MHEB", day_ahead)
    assert h.columns == ["ts", "lmp"] and h.height == DAYS * 24 and h["ts"].is_sorted()
    mheb = prices.filter(pl.col("location") == "MHEB")
    assert h["lmp"].to_list() == mheb["da_lmp"].to_list()
    assert lmp_forecast.history_of(prices, "MHEB", next_hours)["lmp"].to_list() == (
        mheb["rt_lmp"].to_list()
    )


@pytest.mark.parametrize("horizon", lmp_forecast.HORIZONS, ids=lambda h: h.name)
def test_each_issue_picks_its_backtest_winner_and_forecasts_the_hours_after(prices, horizon):
    report = lmp_forecast.issue(prices, "MINN.HUB", horizon)
    f = report.frame
    assert f.height == horizon.steps and f["ts"][0] == prices["ts"].max() + timedelta(hours=1)
    assert ((f["yhat_p10"] <= f["yhat_p50"]) & (f["yhat_p50"] <= f["yhat_p90"])).all()
    assert report.scores[0]["model"] == report.model  # ranked by backtest MAE
    naive = next(s for s in report.scores if s["model"] == "seasonal_naive")
    assert report.scores[0]["mae"] <= naive["mae"]


def test_a_location_without_prices_is_refused_with_a_reason(prices):
    with pytest.raises(ForecastInputError):
        lmp_forecast.issue(prices, "ILLINOIS.HUB", lmp_forecast.HORIZONS[1])


def test_carbon_forecast_learns_the_daily_shape_of_intensity():
    """Intensity that rises every evening (Brandon running) is forecast to rise then."""
    hours = pl.datetime_range(START, START + timedelta(days=DAYS), "1h", eager=True, closed="left")
    evening = hours.dt.hour().is_between(23, 23) | hours.dt.hour().is_between(0, 2)
    noise = np.random.default_rng(1).normal(0, 0.3, hours.len())
    history = pl.DataFrame(
        {"ts": hours, "consumption_g_kwh": np.where(evening, 45.0, 24.0) + noise}
    )
    f = carbon_forecast.issue(history).frame
    assert f.height == 24 and f["ts"][0] == hours[-1] + timedelta(hours=1)
    late = f["ts"].dt.hour().is_in([23, 0, 1, 2])
    assert f.filter(late)["yhat_p50"].min() > 40 > 30 > f.filter(~late)["yhat_p50"].max()


def test_signal_inputs_keep_only_hours_with_a_load_and_follow_the_season():
    hours = pl.datetime_range(START, START + timedelta(hours=23), "1h", eager=True)
    prices = pl.DataFrame({"hour": hours, "lmp_p10": 20.0, "lmp_p50": 25.0, "lmp_p90": 30.0})
    load = pl.DataFrame({"hour": hours[:20], "load_mw": 4000.0})
    frame = signal_inputs.assemble(prices, load, wind_mw=120.0)
    assert frame["hour"].to_list() == hours[:20].to_list()
    assert (frame["wind_mw"] == 120.0).all()
    winter = signal_inputs.hydro_available(pl.Series([datetime(2026, 3, 1, tzinfo=UTC)]))
    freshet = signal_inputs.hydro_available(pl.Series([datetime(2026, 6, 20, tzinfo=UTC)]))
    assert winter[0] < freshet[0] < 6000  # the fleet is ~6,000 MW before availability
