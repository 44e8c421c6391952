"""Weather and demand behave like Manitoba's: climate, heating-driven winter peak, calendar."""

from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from grid_intel.grid.calendar import statutory_holidays
from grid_intel.grid.regions import REGIONS, REGIONS_BY_ID
from grid_intel.simulation.demand import RECORD_PEAK_MW, demand
from grid_intel.simulation.weather import weather

WINNIPEG = (REGIONS_BY_ID["winnipeg"],)


@pytest.fixture(scope="module")
def decade() -> pl.DataFrame:
    return weather(
        3, datetime(2010, 1, 1, tzinfo=UTC), datetime(2020, 1, 1, tzinfo=UTC), regions=WINNIPEG
    )


@pytest.fixture(scope="module")
def year() -> tuple[pl.DataFrame, pl.DataFrame]:
    w = weather(5, datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
    return w, demand(5, w)


def test_winnipeg_climate_matches_the_reference(decade):
    monthly = decade.group_by(pl.col("ts").dt.month().alias("m")).agg(pl.col("temp_c").mean())
    means = dict(zip(monthly["m"], monthly["temp_c"], strict=True))
    assert means[1] == pytest.approx(-16, abs=2)
    assert means[7] == pytest.approx(20, abs=2)
    assert decade["temp_c"].min() < -35  # cold snaps reach the extremes
    assert decade["temp_c"].quantile(0.001) > -42


def test_afternoons_are_warmer_than_dawn(decade):
    local = decade.with_columns(pl.col("ts").dt.offset_by("-6h").dt.hour().alias("h"))
    by_hour = local.group_by("h").agg(pl.col("temp_c").mean()).sort("h")["temp_c"].to_numpy()
    assert by_hour.argmax() in (13, 14, 15, 16) and by_hour.argmin() in (3, 4, 5, 6)


def test_sun_only_by_day_and_stronger_in_summer(year):
    w, _ = year
    wpg = w.filter(pl.col("region") == "winnipeg")
    night = wpg.filter(pl.col("ts").dt.offset_by("-6h").dt.hour() == 0)
    assert (night["ghi_wm2"] == 0).all()
    june = wpg.filter(pl.col("ts").dt.month() == 6)["ghi_wm2"].max()
    dec = wpg.filter(pl.col("ts").dt.month() == 12)["ghi_wm2"].max()
    assert 700 < june < 1100 and dec < june / 2
    assert 3 < w["wind_ms"].mean() < 9 and w["wind_ms"].min() > 0


def test_same_seed_same_values_and_windows_compose():
    a = weather(9, datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 2, 3, tzinfo=UTC))
    b1 = weather(9, datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 2, 2, tzinfo=UTC))
    b2 = weather(9, datetime(2026, 2, 2, tzinfo=UTC), datetime(2026, 2, 3, tzinfo=UTC))
    joined = pl.concat([b1, b2]).sort("region", "ts")
    assert a.sort("region", "ts").equals(joined)
    assert not a.equals(
        weather(10, datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 2, 3, tzinfo=UTC))
    )


def test_winter_peak_near_the_record_at_record_cold():
    # 20 January 2025, 08:00 CST = 14:00 UTC; Winnipeg at -32.7 °C, others by their offsets.
    ts = datetime(2025, 1, 20, 14, tzinfo=UTC)
    frame = pl.DataFrame(
        {
            "ts": [ts] * len(REGIONS),
            "region": [r.id for r in REGIONS],
            "temp_c": [-32.7 + r.temp_offset_c for r in REGIONS],
        }
    ).with_columns(pl.col("ts").dt.cast_time_unit("us"))
    total = demand(1, frame)["demand_mw"].sum()
    assert total == pytest.approx(RECORD_PEAK_MW, rel=0.04)


def test_a_simulated_year_has_manitobas_shape(year):
    _, d = year
    total = d.group_by("ts").agg(pl.col("demand_mw").sum()).sort("ts")
    twh = total["demand_mw"].sum() / 1e6
    assert 20 < twh < 30
    assert total["demand_mw"].max() < RECORD_PEAK_MW * 1.02  # an ordinary year stays below it
    monthly = total.group_by(pl.col("ts").dt.month().alias("m")).agg(pl.col("demand_mw").mean())
    by_month = dict(zip(monthly["m"], monthly["demand_mw"], strict=True))
    assert by_month[1] > 1.6 * by_month[7]  # winter-peaking: electric heating


def test_weekends_and_holidays_draw_less():
    # Same mild weather on every day isolates the calendar effect (heating barely depends on it).
    days = [date(2025, 12, 24), date(2025, 12, 25), date(2025, 12, 27)]  # Wed, holiday, Sat
    rows = []
    for day in days:
        for h in range(24):
            ts = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=h + 6)
            rows.append({"ts": ts, "region": "winnipeg", "temp_c": 15.0})
    frame = pl.DataFrame(rows).with_columns(pl.col("ts").dt.cast_time_unit("us"))
    d = demand(2, frame).with_columns(pl.col("ts").dt.offset_by("-6h").dt.date().alias("day"))
    daily = d.group_by("day").agg(pl.col("demand_mw").mean()).sort("day")["demand_mw"]
    weekday, holiday, saturday = daily.to_list()
    assert holiday < weekday * 0.96 and saturday < weekday * 0.96


def test_manitoba_statutory_holidays():
    h = statutory_holidays(2025)
    assert {
        date(2025, 2, 17),
        date(2025, 4, 18),
        date(2025, 5, 19),
        date(2025, 9, 30),
        date(2025, 10, 13),
        date(2025, 11, 11),
    } <= h  # Louis Riel, Good Friday, Victoria…
    assert len(h) == 10
    assert date(2022, 9, 30) not in statutory_holidays(2022)


def test_demand_is_deterministic(year):
    w, d = year
    assert d.equals(demand(5, w))
    assert not np.allclose(d["demand_mw"].to_numpy(), demand(6, w)["demand_mw"].to_numpy())
