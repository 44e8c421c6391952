"""The read endpoints over a real warehouse, through uvicorn and the read-only role:
values as inserted, refusals with their reasons, pagination and /metrics."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest
from psycopg.types.json import Jsonb

from grid_intel.settings import Settings
from grid_intel.warehouse.connection import connect
from grid_intel_tests.api_server import serving
from grid_intel_tests.conftest import fresh_warehouse

# Tables dbt builds (grid_intel_dbt/models/...), with the columns its models select.
DBT_TABLES = {
    "gold.demand_hourly": "hour timestamptz, region text, demand_mw double precision,"
    " peak_mw double precision, readings bigint, availability numeric",
    "gold.generation_mix_hourly": "hour timestamptz, fuel text, generation_mw double precision,"
    " stations bigint, share_pct double precision",
    "gold.interchange_hourly": "hour timestamptz, intertie text, net_export_mw double precision,"
    " min_net_export_mw double precision, max_net_export_mw double precision, readings bigint",
    "silver.market_prices": "interval_start timestamptz, interval_end timestamptz, market text,"
    " location text, location_type text, lmp double precision, energy double precision,"
    " congestion double precision, loss double precision, source text",
    "silver.clean_frequency": "ts timestamptz, region text, frequency_hz double precision,"
    " rocof_hz_per_s double precision, deviation_hz double precision,"
    " in_normal_band boolean, kafka_partition integer, kafka_offset bigint",
}

NOW = datetime.now(UTC)
H = NOW.replace(minute=0, second=0, microsecond=0)  # the current hour
DAY = H.replace(hour=0)
MINUTE = NOW.replace(second=0, microsecond=0) - timedelta(minutes=2)
OLD = datetime(2025, 1, 15, tzinfo=UTC)  # history, reached by explicit windows


def iso(ts: datetime) -> str:
    return ts.astimezone(UTC).isoformat().replace("+00:00", "Z")


def insert(cur: psycopg.Cursor, table: str, rows: list[dict[str, Any]]) -> None:
    cols = list(rows[0])
    placeholders = ", ".join(f"%({c})s" for c in cols)
    cur.executemany(f"insert into {table} ({', '.join(cols)}) values ({placeholders})", rows)


def forecast(issued: datetime, ts: datetime, y: float, **key: str) -> dict[str, Any]:
    return {
        "issued_at": issued,
        "ts": ts,
        "yhat": y,
        "yhat_p10": y - 10,
        "yhat_p50": y,
        "yhat_p90": y + 10,
        "model": "lightgbm",
        **key,
    }


def health(day: datetime, asset: str, kind: str, hi: float) -> dict[str, Any]:
    return {
        "day": day,
        "asset": asset,
        "asset_kind": kind,
        "substation": "radisson",
        "region": "north",
        "health_index": hi,
        "band": "good" if hi >= 70 else "fair",
        "worst_factor": "dga",
        "cnaim_health_score": 2.5,
        "failure_probability": 0.02,
        "rul_years": 18.0,
        "rul_low_years": 12.0,
        "rul_high_years": 25.0,
        "factors": Jsonb({"dga": {"score": 0.8, "weight": 3, "evidence": {}, "critical": True}}),
        "diagnosis": Jsonb({"duval": "PD"}),
    }


def heat(day: datetime, asset: str, kind: str, hi: float) -> dict[str, Any]:
    return {
        "day": day,
        "asset": asset,
        "asset_kind": kind,
        "region": "north",
        "health_index": hi,
        "band": "good" if hi >= 70 else "fair",
        "change_1d": -1.0,
        "fleet_percentile": hi / 100,
    }


def price(start: datetime, minutes: int, market: str, node: str, lmp: float) -> dict[str, Any]:
    return {
        "interval_start": start,
        "interval_end": start + timedelta(minutes=minutes),
        "market": market,
        "location": node,
        "location_type": "interface",
        "lmp": lmp,
        "energy": lmp - 3,
        "congestion": 2.0,
        "loss": 1.0,
        "source": "stream",
    }


def signal(issued: datetime, hour: datetime, action: str) -> dict[str, Any]:
    return {
        "issued_at": issued,
        "hour": hour,
        "location": "MHEB",
        "action": action,
        "quantity_mw": 100.0,
        "lmp_p10": 20.0,
        "lmp_p50": 30.0,
        "lmp_p90": 40.0,
        "marginal_cost": 10.0,
        "expected_value_usd": 2000.0,
        "confidence": 0.8,
        "load_mw": 3000.0,
        "load_source": "forecast",
        "reason": "spread",
    }


def carbon(hour: datetime, production: float, consumption: float) -> dict[str, Any]:
    return {
        "hour": hour,
        "generation_mwh": 4200.0,
        "imports_mwh": 50.0,
        "exports_mwh": 450.0,
        "consumption_mwh": 3800.0,
        "production_g_kwh": production,
        "consumption_g_kwh": consumption,
        "emissions_t": 10.0,
        "consumption_emissions_t": 12.0,
        "avoided_average_t": 100.0,
        "avoided_marginal_t": 200.0,
    }


def event(start: datetime, asset: str, kind: str, severity: float) -> dict[str, Any]:
    return {
        "hour": start.replace(minute=0),
        "asset": asset,
        "kind": kind,
        "start_ts": start,
        "end_ts": start + timedelta(minutes=5),
        "severity": severity,
        "detected_at": start + timedelta(minutes=1),
        "evidence": Jsonb({"z": severity}),
    }


def create_dbt_tables(settings: Settings) -> None:
    """Stand in for a dbt run: the dbt-built tables with their models' columns."""
    with connect(settings.warehouse) as conn, conn.cursor() as cur:
        for table, columns in DBT_TABLES.items():
            cur.execute(f"create table if not exists {table} ({columns})")
        conn.commit()


def seed(settings: Settings) -> None:
    """A small, known slice of every table the endpoints read (as the pipeline's role)."""
    create_dbt_tables(settings)
    issue, older = H - timedelta(hours=1), H - timedelta(hours=2)
    with connect(settings.warehouse) as conn, conn.cursor() as cur:
        mb = {"region": "manitoba", "horizon": "24h", "model_version": "v1"}
        insert(
            cur,
            "gold.demand_forecasts",
            [forecast(older, H + timedelta(hours=i), 3000 + i, **mb) for i in range(3)]
            + [forecast(issue, H + timedelta(hours=i), 4000 + i, **mb) for i in range(3)]
            + [
                forecast(issue, H + timedelta(hours=1), 500, region="winnipeg", horizon="1h")
                | {"model_version": "v1", "model": "seasonal_naive"}
            ]
            # The last hour as forecast a day ahead, and an older issue for it.
            + [
                forecast(H - timedelta(hours=back), H - timedelta(hours=1), y, **mb)
                for back, y in ((25, 3500), (26, 3400))
            ],
        )
        day = H.replace(hour=0)
        insert(
            cur,
            "gold.forecast_accuracy",
            [
                {
                    "day": d,
                    "region": "manitoba",
                    "horizon": h,
                    "model": m,
                    "points": n,
                    "mae": 50.0,
                    "mape_pct": mape,
                    "bias": 2.0,
                    "coverage": cov,
                }
                for d, h, m, n, mape, cov in [
                    (day - timedelta(days=1), "24h", "mstl", 10, 3.0, 0.7),
                    (day - timedelta(days=1), "24h", "xgboost+weather", 30, 1.0, 0.9),
                    (day - timedelta(days=2), "24h", "mstl", 40, 2.0, 0.8),
                    (day - timedelta(days=2), "1h", "mstl", 40, 0.5, 0.8),
                    (day - timedelta(days=30), "24h", "mstl", 40, 9.0, 0.1),
                ]
            ],
        )
        insert(
            cur,
            "gold.demand_hourly",
            [
                {"hour": h, "region": r, "demand_mw": mw, "peak_mw": mw + 5}
                for h, r, mw in [
                    (H - timedelta(hours=2), "winnipeg", 1000.0),
                    (H - timedelta(hours=2), "north", 200.0),
                    (H - timedelta(hours=1), "winnipeg", 1010.0),
                    (H - timedelta(hours=1), "north", 210.0),
                    (OLD, "winnipeg", 900.0),
                ]
            ],
        )
        insert(
            cur,
            "gold.equipment_health",
            [
                health(DAY - timedelta(days=2), "radisson_t1", "transformer", 74.0),
                health(DAY - timedelta(days=1), "radisson_t1", "transformer", 72.0),
                health(DAY, "radisson_t1", "transformer", 71.0),
                health(DAY, "cb_radisson_t1", "breaker", 90.0),
            ],
        )
        insert(
            cur,
            "gold.equipment_health_heatmap",
            [
                heat(DAY - timedelta(days=1), "radisson_t1", "transformer", 72.0),
                heat(DAY, "radisson_t1", "transformer", 71.0),
                heat(DAY, "cb_radisson_t1", "breaker", 90.0),
                heat(DAY, "bipole_1", "line", 50.0),
            ],
        )
        insert(
            cur,
            "silver.market_prices",
            [
                price(H - timedelta(hours=1), 60, "DAY_AHEAD_HOURLY", "MHEB", 25.0),
                price(H, 60, "DAY_AHEAD_HOURLY", "MHEB", 31.0),
                price(H + timedelta(hours=24), 60, "DAY_AHEAD_HOURLY", "MHEB", 99.0),  # tomorrow
                price(MINUTE - timedelta(minutes=5), 5, "REAL_TIME_5_MIN", "MHEB", 28.0),
                price(MINUTE, 5, "REAL_TIME_5_MIN", "MHEB", 33.0),
                price(MINUTE, 5, "REAL_TIME_5_MIN", "MINN.HUB", 40.0),
            ],
        )
        insert(
            cur,
            "gold.price_signals",
            [signal(older, H, "hold")]
            + [signal(issue, H + timedelta(hours=i), "export") for i in range(24)],
        )
        insert(
            cur,
            "gold.carbon_intensity",
            [carbon(H - timedelta(hours=i), 2.0 + i, 5.0 + i) for i in (3, 2, 1)],
        )
        insert(
            cur,
            "gold.carbon_forecast",
            [
                {k: v for k, v in forecast(t, H + timedelta(hours=i), y + i).items()} | {"model": m}
                for t, y, m in [(older, 9.0, "old"), (issue, 4.0, "gbm")]
                for i in range(2)
            ],
        )
        insert(
            cur,
            "gold.generation_mix_hourly",
            [
                {
                    "hour": H - timedelta(hours=1),
                    "fuel": f,
                    "generation_mw": mw,
                    "stations": n,
                    "share_pct": mw / 42,
                }
                for f, mw, n in [("hydro", 4000.0, 15), ("wind", 200.0, 2)]
            ],
        )
        insert(
            cur,
            "gold.interchange_hourly",
            [
                {"hour": H - timedelta(hours=1), "intertie": t, "net_export_mw": mw}
                for t, mw in [("mheb_miso", 500.0), ("mheb_sask", -100.0)]
            ],
        )
        insert(
            cur,
            "gold.live_aggregates",
            [
                {
                    "window_start": w,
                    "source": "grid.frequency",
                    "key": r,
                    "measure": "hz",
                    "n": 30,
                    "mean": hz,
                    "min": hz,
                    "max": hz,
                }
                for w, r, hz in [
                    (MINUTE - timedelta(minutes=1), "winnipeg", 59.0),
                    (MINUTE, "winnipeg", 60.01),
                    (MINUTE, "north", 59.99),
                ]
            ],
        )
        insert(
            cur,
            "gold.anomaly_events",
            [
                event(H - timedelta(hours=i), a, k, float(i))
                for i, a, k in [
                    (1, "radisson_t1", "spike"),
                    (2, "radisson_t1", "stuck"),
                    (3, "bipole_1", "spike"),
                    (4, "radisson_t1", "spike"),
                    (5, "cb_radisson_t1", "breaker_chatter"),
                ]
            ]
            + [event(OLD, "radisson_t1", "spike", 9.0)],
        )
        conn.commit()


@pytest.fixture(scope="module")
def warehouse(stack: Settings) -> Iterator[Settings]:
    yield from fresh_warehouse(stack, "grid_intel_api_data")


@pytest.fixture(scope="module")
def api(warehouse: Settings) -> Iterator[httpx.Client]:
    seed(warehouse)
    with serving(warehouse) as base, httpx.Client(base_url=base, timeout=10) as client:
        yield client


def ok(client: httpx.Client, path: str, **params: Any) -> Any:
    r = client.get(path, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def refused(client: httpx.Client, path: str, status: int = 422, **params: Any) -> dict:
    r = client.get(path, params=params)
    assert r.status_code == status, r.text
    return r.json()


def problems(body: dict) -> str:
    return " ".join(f"{p['where']}: {p['problem']}" for p in body["detail"])


def test_tables_dbt_builds_later_are_readable_by_the_api_role(api, warehouse: Settings):
    with psycopg.connect(warehouse.api_warehouse) as conn:
        for table in DBT_TABLES:
            assert conn.execute(
                "select has_table_privilege(current_user, %s, 'select')", (table,)
            ).fetchone() == (True,), table
            conn.execute(f"select count(*) from {table}")


def test_demand_forecast_is_the_latest_issue(api):
    body = ok(api, "/api/v1/demand/forecast")
    assert body["region"] == "manitoba" and body["horizon"] == "24h"
    assert body["issued_at"] == iso(H - timedelta(hours=1)) and body["model"] == "lightgbm"
    assert [i["yhat"] for i in body["items"]] == [4000, 4001, 4002]
    assert body["items"][0] == {"ts": iso(H), "yhat": 4000, "p10": 3990, "p50": 4000, "p90": 4010}

    some = ok(api, "/api/v1/demand/forecast", region="manitoba", horizon="24h", quantiles="0.9")
    assert some["items"][0] == {"ts": iso(H), "yhat": 4000, "p90": 4010}
    other = ok(api, "/api/v1/demand/forecast", region="winnipeg", horizon="1h")
    assert other["model"] == "seasonal_naive" and len(other["items"]) == 1


def test_demand_forecast_refusals(api):
    assert (
        "no 7d demand forecast"
        in refused(api, "/api/v1/demand/forecast", 404, horizon="7d")["error"]
    )
    assert "region" in problems(refused(api, "/api/v1/demand/forecast", region="atlantis"))
    assert "horizon" in problems(refused(api, "/api/v1/demand/forecast", horizon="2h"))
    body = refused(api, "/api/v1/demand/forecast", quantiles="0.1,0.25")
    assert "0.25 is not stored" in problems(body) and body["error"] == "invalid request"


def test_issued_forecasts_meet_the_actuals_a_horizon_later(api):
    body = ok(api, "/api/v1/demand/forecast/issued")
    assert body["horizon"] == "24h" and body["lead_hours"] == 24
    (item,) = body["items"]
    assert item == {
        "ts": iso(H - timedelta(hours=1)),
        "yhat": 3500,
        "p10": 3490,
        "p50": 3500,
        "p90": 3510,
        "issued_at": iso(H - timedelta(hours=25)),
        "model": "lightgbm",
    }
    assert ok(api, "/api/v1/demand/forecast/issued", horizon="1h")["items"] == []
    assert "horizon" in problems(refused(api, "/api/v1/demand/forecast/issued", horizon="2d"))


def test_forecast_accuracy_pools_models_and_days_per_horizon(api):
    body = ok(api, "/api/v1/demand/forecast/accuracy", days=7)
    by = {h["horizon"]: h for h in body["horizons"]}
    assert list(by) == ["1h", "24h"]  # in horizon order; nothing scored at 15 min or 7 d
    day_ahead = by["24h"]
    # (10 x 3 + 30 x 1 + 40 x 2) / 80: the 30-day-old day is outside the window.
    assert day_ahead["points"] == 80 and day_ahead["mape_pct"] == pytest.approx(1.75)
    assert day_ahead["coverage"] == pytest.approx((7 + 27 + 32) / 80)
    assert [d["mape_pct"] for d in day_ahead["daily"]] == [2.0, pytest.approx(1.5)]
    month = ok(api, "/api/v1/demand/forecast/accuracy", days=31)
    assert {h["horizon"]: h["points"] for h in month["horizons"]} == {"1h": 40, "24h": 120}
    assert "days" in problems(refused(api, "/api/v1/demand/forecast/accuracy", days=0))


def test_demand_actual_per_region_and_for_the_province(api):
    system = ok(api, "/api/v1/demand/actual")
    assert [(i["hour"], i["demand_mw"]) for i in system["items"]] == [
        (iso(H - timedelta(hours=2)), 1200.0),
        (iso(H - timedelta(hours=1)), 1220.0),
    ]
    north = ok(api, "/api/v1/demand/actual", region="north")
    assert [i["demand_mw"] for i in north["items"]] == [200.0, 210.0]
    past = ok(
        api,
        "/api/v1/demand/actual",
        region="winnipeg",
        start="2025-01-15T00:00:00Z",
        end="2025-01-15T01:00:00+00:00",
    )
    assert past["items"] == [{"hour": "2025-01-15T00:00:00Z", "demand_mw": 900.0}]
    assert past["start"] == "2025-01-15T00:00:00Z" and past["end"] == "2025-01-15T01:00:00Z"


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"start": "2025-01-15T00:00:00"}, "timezone"),
        ({"start": "2025-01-15T00:00:00Z", "end": "2025-01-14T00:00:00Z"}, "after start"),
        ({"start": "2025-01-01T00:00:00Z", "end": "2025-03-01T00:00:00Z"}, "at most 31 days"),
        ({"start": "yesterday"}, "datetime"),
    ],
)
def test_time_ranges_are_checked(api, params, reason):
    for path in ("/api/v1/demand/actual", "/api/v1/generation/mix", "/api/v1/anomalies"):
        assert reason in problems(refused(api, path, **params)), path


def test_equipment_heatmap_is_the_newest_day_worst_first(api):
    body = ok(api, "/api/v1/equipment/health")
    assert [c["asset"] for c in body["items"]] == ["bipole_1", "radisson_t1", "cb_radisson_t1"]
    assert {c["day"] for c in body["items"]} == {iso(DAY)}
    assert body["limit"] == 100 and body["offset"] == 0 and body["next_offset"] is None
    assert body["items"][1] == {
        "day": iso(DAY),
        "asset": "radisson_t1",
        "asset_kind": "transformer",
        "region": "north",
        "health_index": 71.0,
        "band": "good",
        "change_1d": -1.0,
        "fleet_percentile": 0.71,
    }
    first = ok(api, "/api/v1/equipment/health", limit=2)
    assert len(first["items"]) == 2 and first["next_offset"] == 2
    rest = ok(api, "/api/v1/equipment/health", limit=2, offset=2)
    assert [c["asset"] for c in rest["items"]] == ["cb_radisson_t1"] and rest["next_offset"] is None
    breakers = ok(api, "/api/v1/equipment/health", kind="breaker")
    assert [c["asset"] for c in breakers["items"]] == ["cb_radisson_t1"]


def test_one_assets_health_and_history(api):
    body = ok(api, "/api/v1/equipment/radisson_t1/health")
    assert body["asset"] == "radisson_t1" and body["asset_kind"] == "transformer"
    assert body["substation"] == "radisson" and body["region"] == "north"
    latest = body["latest"]
    assert latest["day"] == iso(DAY) and latest["health_index"] == 71.0
    assert latest["factors"]["dga"]["score"] == 0.8 and latest["diagnosis"] == {"duval": "PD"}
    assert latest["rul_low_years"] == 12.0 and latest["worst_factor"] == "dga"
    assert [h["health_index"] for h in body["history"]] == [71.0, 72.0, 74.0]
    short = ok(api, "/api/v1/equipment/radisson_t1/health", days=2)
    assert [h["day"] for h in short["history"]] == [iso(DAY), iso(DAY - timedelta(days=1))]


def test_equipment_refusals(api):
    assert "nowhere_t9" in refused(api, "/api/v1/equipment/nowhere_t9/health", 404)["error"]
    assert "asset_id" in problems(refused(api, "/api/v1/equipment/Bad%20Id!/health"))
    assert "asset_id" in problems(refused(api, f"/api/v1/equipment/{'a' * 65}/health"))
    for limit in (0, 5000):
        assert "limit" in problems(refused(api, "/api/v1/equipment/health", limit=limit))
    assert "offset" in problems(refused(api, "/api/v1/equipment/health", offset=-1))
    assert "kind" in problems(refused(api, "/api/v1/equipment/health", kind="DROP TABLE"))


def test_current_prices_are_the_intervals_in_effect(api):
    body = ok(api, "/api/v1/prices/current")
    assert body["node"] == "MHEB"
    assert body["day_ahead"] == {
        "interval_start": iso(H),
        "interval_end": iso(H + timedelta(hours=1)),
        "lmp": 31.0,
        "energy": 28.0,
        "congestion": 2.0,
        "loss": 1.0,
    }
    assert body["real_time"]["interval_start"] == iso(MINUTE)
    assert body["real_time"]["lmp"] == 33.0
    hub = ok(api, "/api/v1/prices/current", node="MINN.HUB")
    assert hub["day_ahead"] is None and hub["real_time"]["lmp"] == 40.0
    assert "node" in problems(refused(api, "/api/v1/prices/current", node="ALTE"))


def test_price_signals_are_the_latest_issue(api):
    body = ok(api, "/api/v1/prices/signals")
    assert body["issued_at"] == iso(H - timedelta(hours=1)) and len(body["items"]) == 24
    assert {s["action"] for s in body["items"]} == {"export"}
    assert body["items"][0]["hour"] == iso(H) and body["items"][0]["confidence"] == 0.8


def test_carbon_intensity_and_its_latest_forecast(api):
    body = ok(api, "/api/v1/carbon/intensity")
    assert [(i["production_g_kwh"], i["consumption_g_kwh"]) for i in body["items"]] == [
        (5.0, 8.0),
        (4.0, 7.0),
        (3.0, 6.0),
    ]
    assert body["items"][0]["hour"] == iso(H - timedelta(hours=3))
    forecast = body["forecast"]
    assert forecast["issued_at"] == iso(H - timedelta(hours=1)) and forecast["model"] == "gbm"
    assert forecast["items"][1] == {
        "ts": iso(H + timedelta(hours=1)),
        "yhat": 5.0,
        "p10": -5.0,
        "p50": 5.0,
        "p90": 15.0,
    }
    narrow = ok(api, "/api/v1/carbon/intensity", start=iso(H - timedelta(hours=2)), end=iso(H))
    assert len(narrow["items"]) == 2


def test_generation_mix(api):
    body = ok(api, "/api/v1/generation/mix")
    assert [(i["fuel"], i["generation_mw"], i["stations"]) for i in body["items"]] == [
        ("hydro", 4000.0, 15),
        ("wind", 200.0, 2),
    ]


def test_grid_status_is_the_newest_of_each(api):
    body = ok(api, "/api/v1/grid/status")
    assert body["frequency_hz"] == pytest.approx(60.0)
    assert body["frequency_at"] == iso(MINUTE + timedelta(minutes=1))
    assert body["hour"] == iso(H - timedelta(hours=1))
    assert body["demand_mw"] == 1220.0 and body["generation_mw"] == 4200.0
    assert body["net_export_mw"] == 400.0
    assert body["as_of"] == body["frequency_at"]


def test_anomalies_newest_first_filtered_and_paged(api):
    body = ok(api, "/api/v1/anomalies")
    assert [e["severity"] for e in body["items"]] == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert body["items"][0]["evidence"] == {"z": 1.0}
    assert body["items"][0]["start_ts"] == iso(H - timedelta(hours=1))
    page = ok(api, "/api/v1/anomalies", limit=2, offset=2)
    assert [e["severity"] for e in page["items"]] == [3.0, 4.0] and page["next_offset"] == 4
    last = ok(api, "/api/v1/anomalies", limit=2, offset=4)
    assert len(last["items"]) == 1 and last["next_offset"] is None
    spikes = ok(api, "/api/v1/anomalies", asset="radisson_t1", kind="spike")
    assert [e["severity"] for e in spikes["items"]] == [1.0, 4.0]
    old = ok(api, "/api/v1/anomalies", start="2025-01-14T00:00:00Z", end="2025-01-16T00:00:00Z")
    assert [e["severity"] for e in old["items"]] == [9.0]
    assert "asset" in problems(refused(api, "/api/v1/anomalies", asset="x;drop"))


def test_metrics_count_requests_by_route_template(api):
    api.get("/api/v1/equipment/radisson_t1/health")
    api.get("/api/v1/equipment/nowhere_t9/health")
    api.get("/api/v1/no/such/path")
    r = api.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    text = r.text
    route = 'route="/api/v1/equipment/{asset_id}/health"'
    assert any(
        line.startswith("grid_intel_api_requests_total")
        and route in line
        and 'status="404"' in line
        for line in text.splitlines()
    )
    assert "grid_intel_api_request_duration_seconds_bucket" in text
    assert 'route="unmatched"' in text and "nowhere_t9" not in text
    # The process-wide series too: the stream relay's and Python's own.
    assert "grid_intel_api_stream_clients" in text and "process_cpu_seconds_total" in text


def test_an_empty_warehouse_gives_empty_answers_not_errors(stack: Settings):
    """Before the pipeline has run (dbt tables absent, nothing issued): 404 or nulls."""
    gen = fresh_warehouse(stack, "grid_intel_api_empty")
    settings = next(gen)
    try:
        with serving(settings) as base, httpx.Client(base_url=base, timeout=10) as client:
            assert client.get("/api/v1/demand/forecast").status_code == 404
            assert client.get("/api/v1/prices/signals").status_code == 404
            assert ok(client, "/api/v1/demand/actual")["items"] == []
            assert ok(client, "/api/v1/prices/current") == {
                "node": "MHEB",
                "day_ahead": None,
                "real_time": None,
            }
            status = ok(client, "/api/v1/grid/status")
            assert set(status.values()) == {None}
            assert ok(client, "/api/v1/carbon/intensity")["forecast"] is None
            assert ok(client, "/api/v1/generation/mix")["items"] == []
            assert ok(client, "/api/v1/equipment/health")["items"] == []
            assert ok(client, "/api/v1/anomalies")["next_offset"] is None
    finally:
        gen.close()
