"""The read endpoints' pure rules: time windows, quantiles, pagination and shaping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from grid_intel.api import queries as q

NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)


def test_window_defaults_to_the_last_day():
    assert q.time_window(None, None, NOW) == (NOW - timedelta(hours=24), NOW)


def test_window_start_alone_runs_to_now_and_end_alone_reaches_back_a_day():
    start = NOW - timedelta(days=3)
    assert q.time_window(start, None, NOW) == (start, NOW)
    end = NOW - timedelta(days=10)
    assert q.time_window(None, end, NOW) == (end - timedelta(hours=24), end)


def test_window_is_returned_in_utc():
    cst = timezone(timedelta(hours=-6))
    lo, hi = q.time_window(datetime(2025, 3, 1, tzinfo=cst), datetime(2025, 3, 2, tzinfo=cst), NOW)
    assert lo == datetime(2025, 3, 1, 6, tzinfo=UTC) and lo.tzinfo is UTC and hi.tzinfo is UTC


@pytest.mark.parametrize(
    ("start", "end", "field", "reason"),
    [
        (datetime(2025, 3, 1), None, "start", "timezone"),
        (None, datetime(2025, 3, 1), "end", "timezone"),
        (NOW, NOW, "end", "after start"),
        (NOW, NOW - timedelta(hours=1), "end", "after start"),
        (NOW - timedelta(days=31, seconds=1), NOW, "end", "at most 31 days"),
        (None, datetime(1, 1, 1, 1, tzinfo=UTC), "end", "out of range"),
    ],
)
def test_window_refusals_name_the_field_and_the_reason(start, end, field, reason):
    with pytest.raises(q.InvalidParameter, match=reason) as err:
        q.time_window(start, end, NOW)
    assert err.value.field == field


def test_window_of_exactly_the_cap_is_allowed():
    assert q.time_window(NOW - q.MAX_SPAN, NOW, NOW) == (NOW - q.MAX_SPAN, NOW)


def test_quantiles_pick_stored_columns_in_order():
    assert q.quantiles(None) == ("p10", "p50", "p90")
    assert q.quantiles("0.9, 0.1") == ("p10", "p90")
    assert q.quantiles("0.50,0.5") == ("p50",)


@pytest.mark.parametrize(
    ("text", "reason"), [("0.25", "not stored"), ("x", "not a number"), ("", "not a number")]
)
def test_unknown_quantiles_are_refused(text, reason):
    with pytest.raises(q.InvalidParameter, match=reason) as err:
        q.quantiles(text)
    assert err.value.field == "quantiles"


def test_page_uses_the_extra_row_to_find_the_next_offset():
    rows = [{"i": i} for i in range(4)]
    assert q.page(rows, 3, 6) == (rows[:3], 9)
    assert q.page(rows[:3], 3, 6) == (rows[:3], None)
    assert q.page([], 3, 0) == ([], None)


def test_forecast_items_keep_only_the_asked_quantiles():
    row = {"ts": NOW, "yhat": 2.0, "yhat_p10": 1.0, "yhat_p50": 2.0, "yhat_p90": 3.0}
    assert q.forecast_items([row], ("p90",)) == [{"ts": NOW, "yhat": 2.0, "p90": 3.0}]


def test_current_prices_split_by_market_and_null_when_missing():
    row = {
        "market": q.REAL_TIME,
        "interval_start": NOW,
        "interval_end": NOW + timedelta(minutes=5),
        "lmp": 30.0,
        "energy": 28.0,
        "congestion": 1.5,
        "loss": 0.5,
    }
    got = q.current_prices("MHEB", [row])
    assert got["day_ahead"] is None
    assert got["real_time"] == {k: v for k, v in row.items() if k != "market"}


def test_equipment_detail_takes_the_newest_row_as_latest():
    def row(day: int, hi: float) -> dict:
        return {
            "day": datetime(2025, 3, day, tzinfo=UTC),
            "asset_kind": "transformer",
            "substation": "dorsey",
            "region": "interlake",
            "health_index": hi,
            "band": "good",
            "failure_probability": 0.01,
            "rul_years": 20.0,
            "factors": {},
        }

    got = q.equipment_detail("dorsey_t1", [row(2, 80.0), row(1, 81.0)])
    assert got is not None
    assert got["latest"]["health_index"] == 80.0 and "asset_kind" not in got["latest"]
    assert [h["health_index"] for h in got["history"]] == [80.0, 81.0]
    assert q.equipment_detail("nope", []) is None


def test_newest_ignores_missing_stamps():
    assert q.newest(None, NOW, NOW - timedelta(hours=1)) == NOW
    assert q.newest(None, None) is None


def test_statements_bind_every_value():
    """No statement formats a value in: they all use named bind parameters."""
    for name in dir(q):
        sql = getattr(q, name)
        if name.isupper() and isinstance(sql, str) and sql.lstrip().startswith(("select", "(")):
            assert "{" not in sql and "%s" not in sql, name


def test_accuracy_weights_days_by_points_and_skips_days_without_a_mape():
    day = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [
        {
            "day": day,
            "horizon": "7d",
            "points": 10,
            "mape_pct": 4.0,
            "mae_mw": 10.0,
            "coverage": 1.0,
        },
        {
            "day": day,
            "horizon": "15min",
            "points": 30,
            "mape_pct": None,
            "mae_mw": 2.0,
            "coverage": 0.5,
        },
        {
            "day": day,
            "horizon": "15min",
            "points": 10,
            "mape_pct": 1.0,
            "mae_mw": 6.0,
            "coverage": 1.0,
        },
    ]
    fifteen, week = q.accuracy_by_horizon(rows)
    assert (fifteen["horizon"], week["horizon"]) == ("15min", "7d")
    # A day whose actuals were all zero has no MAPE: it counts for MAE, not for MAPE.
    assert fifteen["points"] == 40 and fifteen["mape_pct"] == 1.0
    assert fifteen["mae_mw"] == 3.0 and fifteen["coverage"] == 0.625
    assert [d["mape_pct"] for d in fifteen["daily"]] == [None, 1.0]
