"""Weather forecasts: the simulator's error model, the export's round trip, and the
covariates a demand forecast may know at its origin."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from grid_intel.archives import weather_forecasts as wf
from grid_intel.forecasting.weather import BALANCE_POINT_C, Weather
from grid_intel.grid.regions import REGIONS
from grid_intel.simulation import weather_forecast
from grid_intel.simulation.weather import temperature_c

DAY0 = datetime(2026, 1, 5, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_forecast_error_grows_with_lead_as_documented():
    """Over 40 issues, the temperature error's spread at each lead is near sigma(lead)."""
    errors = []
    region = REGIONS[0]
    for d in range(40):
        issued = DAY0 + timedelta(days=d, hours=wf.ISSUE_HOUR)
        fc = weather_forecast.issue(1, issued, regions=(region,))
        ts = fc["valid_utc"].dt.replace_time_zone(None).to_numpy().astype("datetime64[s]")
        errors.append(fc["temp_c"].to_numpy() - temperature_c(1, region, ts))
    spread = np.std(np.array(errors), axis=0)
    for lead in (24, 120, 168):
        assert spread[lead - 1] == pytest.approx(weather_forecast.sigma_c(lead), rel=0.3)
    assert spread[167] > 1.8 * spread[23]


def test_an_issue_depends_only_on_seed_and_issue_time():
    issued = DAY0 + timedelta(hours=12)
    a = weather_forecast.issue(7, issued)
    assert a.equals(weather_forecast.issue(7, issued))
    assert not a.equals(weather_forecast.issue(8, issued))
    assert a.height == len(REGIONS) * wf.LEADS
    assert a["lead_hours"].min() == 1 and a["lead_hours"].max() == wf.LEADS


def test_the_export_reads_back_and_quarantines_a_row_that_lies_about_its_lead(tmp_path):
    frame = weather_forecast.issue(1, DAY0 + timedelta(hours=12), regions=REGIONS[:1], leads=3)
    path = tmp_path / wf.file_name(DAY0.date())
    path.write_bytes(wf.render(frame))
    assert wf.read(path).equals(frame)
    lines = path.read_text().splitlines()
    lines[2] = lines[2].replace(",2,", ",5,", 1)
    path.write_text("\n".join(lines) + "\n")
    parsed = wf.parse(path)
    assert parsed.frame.height == 2
    (reject,) = parsed.rejects
    assert reject.line == 3 and "lead_hours 5" in reject.error


def _weather(observed_until: datetime) -> Weather:
    """Winnipeg observed at -10 °C hourly until `observed_until`; two issues (days 0 and
    1 at 12 UTC) forecasting -20 and -30 °C for every later hour."""
    hours = [DAY0 + i * HOUR for i in range(int((observed_until - DAY0) / HOUR))]
    observed = pl.DataFrame(
        {"ts": hours, "region": "winnipeg", "temp_c": -10.0},
        schema={"ts": pl.Datetime("us", "UTC"), "region": pl.String, "temp_c": pl.Float64},
    )
    rows = []
    for day, temp in ((0, -20.0), (1, -30.0)):
        issued = DAY0 + timedelta(days=day, hours=12)
        for region in REGIONS:
            rows += [(issued, issued + k * HOUR, region.id, temp) for k in range(1, 120)]
    forecasts = pl.DataFrame(
        rows,
        schema={
            "issued_utc": pl.Datetime("us", "UTC"),
            "valid_utc": pl.Datetime("us", "UTC"),
            "region": pl.String,
            "temp_c": pl.Float64,
        },
        orient="row",
    )
    return Weather(observed, forecasts)


def test_covariates_hold_what_was_observed_then_the_issue_available_at_the_origin():
    weather = _weather(observed_until=DAY0 + timedelta(days=3))
    # At day 1 18:00 the issue of day 1 (12 UTC) exists but its day has not closed:
    # the pipeline has not loaded it, so the forecast of day 0 is what was known.
    origin = DAY0 + timedelta(days=1, hours=18)
    start, end = origin - 6 * HOUR, origin + 6 * HOUR
    cov = weather.covariates("winnipeg", origin, start, end, HOUR)
    assert cov["temp_c"].to_list() == [-10.0] * 6 + [-20.0] * 6
    later = weather.covariates("winnipeg", origin + timedelta(hours=6), start, end + 6 * HOUR, HOUR)
    assert later["temp_c"].to_list()[-6:] == [-30.0] * 6
    assert cov["heating_degrees"].to_list()[-1] == BALANCE_POINT_C + 20.0


def test_unobserved_hours_take_the_forecast_and_a_15_minute_grid_interpolates():
    weather = _weather(observed_until=DAY0 + timedelta(days=1, hours=14))
    origin = DAY0 + timedelta(days=1, hours=16)
    cov = weather.covariates("winnipeg", origin, origin - 3 * HOUR, origin + HOUR, HOUR / 4)
    temps = cov["temp_c"].to_list()
    assert len(temps) == 16 and temps[-1] == -20.0
    assert (temps[0], temps[2], temps[4]) == (-10.0, -15.0, -20.0)  # 13:00 seen, 14:00 not
    assert all(a >= b for a, b in itertools.pairwise(temps))


def test_the_system_total_weights_regions_by_load_share_and_a_gap_ahead_gives_none():
    weather = _weather(observed_until=DAY0)
    origin = DAY0 + timedelta(days=2)
    cov = weather.covariates("manitoba", origin, origin - HOUR, origin + 2 * HOUR, HOUR)
    assert cov["temp_c"].to_list() == [-30.0] * 3
    # The issue of day 1 runs out 119 h after it: a horizon beyond it has no weather.
    assert weather.covariates("winnipeg", origin, origin, origin + timedelta(days=5), HOUR) is None
