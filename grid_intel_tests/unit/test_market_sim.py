"""Simulated MISO prices: components add up, and prices behave like MISO's."""

from datetime import UTC, datetime

import numpy as np
import polars as pl
import pytest

from grid_intel.grid.regions import REGIONS_BY_ID
from grid_intel.simulation.market import OFFER_CAP, ancillary, energy_component, lmp
from grid_intel.simulation.weather import weather


@pytest.fixture(scope="module")
def prices():
    w = weather(
        5,
        datetime(2025, 1, 1, tzinfo=UTC),
        datetime(2025, 7, 1, tzinfo=UTC),
        step_s=300,
        regions=(REGIONS_BY_ID["central"],),
    )
    ts = w["ts"].dt.replace_time_zone(None).to_numpy()
    rt = lmp(5, "RT", ts, w["temp_c"].to_numpy(), w["wind_ms"].to_numpy())
    hourly = w.filter(pl.col("ts").dt.minute() == 0)
    da = lmp(
        5,
        "DA",
        hourly["ts"].dt.replace_time_zone(None).to_numpy(),
        hourly["temp_c"].to_numpy(),
        hourly["wind_ms"].to_numpy(),
    )
    return da, rt


def test_lmp_is_energy_plus_congestion_plus_loss(prices):
    for df in prices:
        assert np.allclose(df["lmp"], df["energy"] + df["congestion"] + df["loss"])


def test_intervals_and_columns_follow_gridstatus(prices):
    da, rt = prices
    assert da.columns == [
        "interval_start",
        "interval_end",
        "market",
        "location",
        "location_type",
        "lmp",
        "energy",
        "congestion",
        "loss",
    ]
    assert (da["interval_end"] - da["interval_start"]).unique().to_list()[0].seconds == 3600
    assert (rt["interval_end"] - rt["interval_start"]).unique().to_list()[0].seconds == 300
    assert set(da["location"]) == {"MHEB", "MINN.HUB"}


def test_price_levels_spikes_and_negatives(prices):
    da, rt = prices
    hub_da = da.filter(pl.col("location") == "MINN.HUB")["lmp"]
    hub_rt = rt.filter(pl.col("location") == "MINN.HUB")["lmp"]
    assert 20 < hub_da.mean() < 45 and hub_da.min() > 0
    assert 0.005 < (hub_rt < 0).mean() < 0.08  # negative in windy night hours
    assert 0 < (hub_rt > 200).mean() < 0.002  # rare scarcity spikes
    assert hub_rt.max() <= OFFER_CAP
    assert rt["lmp"].min() > -100


def test_wind_lowers_and_heat_raises_the_energy_price():
    ts = np.array(["2025-07-15T20:00"] * 3, dtype="datetime64[s]")
    calm, windy = (
        energy_component(1, ts[:1], np.array([25.0]), np.array([2.0])),
        energy_component(1, ts[:1], np.array([25.0]), np.array([15.0])),
    )
    hot = energy_component(1, ts[:1], np.array([36.0]), np.array([2.0]))
    assert windy[0] < calm[0] < hot[0]


def test_market_must_be_da_or_rt():
    with pytest.raises(ValueError, match="DA or RT"):
        lmp(1, "ID", np.array(["2025-01-01"], dtype="datetime64[s]"), np.zeros(1), np.zeros(1))


def test_ancillary_products_and_deterministic_prices(prices):
    da, _ = prices
    hub = da.filter(pl.col("location") == "MINN.HUB")
    a = ancillary(
        5, hub["interval_start"].dt.replace_time_zone(None).to_numpy(), hub["energy"].to_numpy()
    )
    assert set(a["product"]) == {
        "Regulation",
        "Spinning",
        "Supplemental",
        "Short-Term Reserve",
        "Ramp Up",
        "Ramp Down",
    }
    assert (a["price"] > 0).all()
    reg = a.filter(pl.col("product") == "Regulation")["price"].mean()
    spin = a.filter(pl.col("product") == "Spinning")["price"].mean()
    assert reg > spin
    w = weather(
        5,
        datetime(2025, 1, 1, tzinfo=UTC),
        datetime(2025, 1, 2, tzinfo=UTC),
        regions=(REGIONS_BY_ID["central"],),
    )
    args = (
        w["ts"].dt.replace_time_zone(None).to_numpy(),
        w["temp_c"].to_numpy(),
        w["wind_ms"].to_numpy(),
    )
    assert lmp(5, "DA", *args).equals(lmp(5, "DA", *args))
