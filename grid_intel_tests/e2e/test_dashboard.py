"""The operator dashboard in headless Chromium against the real API and a seeded warehouse:
every panel draws the rows it was given, and a screenshot is kept for a human to look at."""

from __future__ import annotations

import json
import math
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from grid_intel.broker.codec import Alert, encode_alert
from grid_intel.broker.topics import GRID_ALERTS
from grid_intel.settings import Settings
from grid_intel_tests.api_server import serving
from grid_intel_tests.conftest import fresh_warehouse
from grid_intel_tests.e2e.browser import keep_screenshot, launched

CHARTS = ("chart-demand", "chart-mix", "chart-health", "chart-carbon", "chart-signals")
FUELS = ("gas", "hydro", "wind")
KINDS = ("breaker", "line", "transformer")
HOURS = 24

# dbt-built tables a fresh warehouse lacks, with the models' columns.
DBT_TABLES = """
create table if not exists gold.demand_hourly (
    hour timestamptz, region text, demand_mw double precision, peak_mw double precision,
    readings bigint, availability double precision);
create table if not exists gold.generation_mix_hourly (
    hour timestamptz, fuel text, generation_mw double precision, stations bigint,
    share_pct double precision);
create table if not exists gold.interchange_hourly (
    hour timestamptz, intertie text, net_export_mw double precision,
    min_net_export_mw double precision, max_net_export_mw double precision, readings bigint);
create table if not exists silver.market_prices (
    interval_start timestamptz, interval_end timestamptz, market text, location text,
    location_type text, lmp double precision, energy double precision,
    congestion double precision, loss double precision, source text);
create table if not exists silver.clean_frequency (
    ts timestamptz, region text, frequency_hz double precision, rocof_hz_per_s double precision,
    deviation_hz double precision, in_normal_band boolean, kafka_partition integer,
    kafka_offset bigint);
"""


def seed(conn: psycopg.Connection, now: datetime) -> None:
    """A day of history up to the current hour and the next day of forecasts and signals."""
    conn.execute(DBT_TABLES)
    hour = now.replace(minute=0, second=0, microsecond=0)
    past = [hour - timedelta(hours=h) for h in range(HOURS - 1, -1, -1)]
    ahead = [hour + timedelta(hours=h) for h in range(1, HOURS + 1)]

    def daily(h: datetime, base: float, swing: float) -> float:
        return base + swing * math.sin((h.hour - 6) / 24 * 2 * math.pi)

    def rows(table: str, columns: str, values: list[tuple]) -> None:
        marks = ", ".join(["%s"] * len(values[0]))
        with conn.cursor() as cur:
            cur.executemany(f"insert into {table} ({columns}) values ({marks})", values)

    rows(
        "gold.demand_hourly",
        "hour, region, demand_mw, peak_mw, readings, availability",
        [
            (h, r, daily(h, b, b / 8), daily(h, b, b / 6), 60, 1.0)
            for h in past
            for r, b in (("winnipeg", 1900.0), ("north", 420.0))
        ],
    )
    mix = {"hydro": 4300.0, "wind": 250.0, "gas": 40.0}
    rows(
        "gold.generation_mix_hourly",
        "hour, fuel, generation_mw, stations, share_pct",
        [
            (h, f, daily(h, mw, mw / 10), 3, 100 * mw / sum(mix.values()))
            for h in past
            for f, mw in mix.items()
        ],
    )
    rows(
        "gold.interchange_hourly",
        "hour, intertie, net_export_mw, min_net_export_mw, max_net_export_mw, readings",
        [(h, "mheb_miso", daily(h, 1800, 300), 1400, 2200, 60) for h in past],
    )
    rows(
        "silver.clean_frequency",
        "ts, region, frequency_hz, rocof_hz_per_s, deviation_hz, in_normal_band, "
        "kafka_partition, kafka_offset",
        [
            (now - timedelta(seconds=s), "manitoba", 60.012, 0.001, 0.012, True, 0, s)
            for s in range(3)
        ],
    )
    rows(
        "silver.market_prices",
        "interval_start, interval_end, market, location, location_type, lmp, energy, "
        "congestion, loss, source",
        [
            (
                hour,
                hour + timedelta(hours=1),
                "DAY_AHEAD_HOURLY",
                "MHEB",
                "Interface",
                31.5,
                30.0,
                1.0,
                0.5,
                "stream",
            ),
            (
                hour,
                hour + timedelta(minutes=5),
                "REAL_TIME_5_MIN",
                "MHEB",
                "Interface",
                28.25,
                27.0,
                0.8,
                0.45,
                "stream",
            ),
        ],
    )
    rows(
        "gold.demand_forecasts",
        "issued_at, region, horizon, ts, yhat, yhat_p10, yhat_p50, yhat_p90, model, model_version",
        [
            (hour, "manitoba", "24h", t, y, y - 120, y, y + 120, "lightgbm", "seed")
            for t in ahead
            for y in [daily(t, 2320.0, 290.0)]
        ]
        # Each past hour as forecast a day ahead (the band the actuals meet), and one
        # issued 23 h ahead that the day-ahead view must not pick.
        + [
            (t - timedelta(hours=lead), "manitoba", "24h", t, y, y - 150, y, y + 150, "mstl", "s")
            for t in past
            for lead, y in ((24, daily(t, 2310.0, 280.0)), (23, 9999.0))
        ],
    )
    rows(
        "gold.forecast_accuracy",
        "day, region, horizon, model, points, mae, mape_pct, bias, coverage",
        [
            (
                hour.replace(hour=0) - timedelta(days=d),
                "manitoba",
                "24h",
                m,
                n,
                40.0,
                mape,
                1.0,
                0.8,
            )
            for d in (1, 2)
            for m, n, mape in (("mstl", 12, 2.0), ("xgboost+weather", 36, 1.0))
        ],
    )
    fleet = [
        (f"{kind}_{i:02d}", kind, f"sub_{i % 4}", 100 - (7 * i + 13 * k) % 90)
        for k, kind in enumerate(KINDS)
        for i in range(10)
    ]
    rows(
        "gold.equipment_health",
        "day, asset, asset_kind, substation, region, health_index, band, worst_factor, "
        "cnaim_health_score, failure_probability, factors",
        [
            (
                hour.replace(hour=0),
                a,
                kind,
                sub,
                "winnipeg",
                hi,
                band(hi),
                "age",
                1 + (100 - hi) / 10,
                (100 - hi) / 500,
                json.dumps({"age": 1}),
            )
            for a, kind, sub, hi in fleet
        ],
    )
    rows(
        "gold.equipment_health_heatmap",
        "day, asset, asset_kind, region, health_index, band, change_1d, fleet_percentile",
        [
            (hour.replace(hour=0), a, kind, "winnipeg", hi, band(hi), -0.5, hi / 100)
            for a, kind, _, hi in fleet
        ],
    )
    rows(
        "gold.anomaly_events",
        "hour, asset, kind, start_ts, end_ts, severity, detected_at, evidence",
        [
            (h, f"transformer_{i:02d}", kind, h, h + timedelta(minutes=20), 3.5 + i, h, "{}")
            for i, (h, kind) in enumerate(
                [
                    (past[-2], "spike"),
                    (past[-5], "transformer_overheating"),
                    (past[-9], "stuck_sensor"),
                ]
            )
        ],
    )
    actions = ("export", "export", "hold", "import")
    rows(
        "gold.price_signals",
        "issued_at, hour, location, action, quantity_mw, lmp_p10, lmp_p50, lmp_p90, "
        "marginal_cost, expected_value_usd, confidence, load_mw, load_source, reason",
        [
            (
                hour,
                t,
                "MHEB",
                a,
                0.0 if a == "hold" else 150.0 + 10 * i,
                20.0,
                32.0 + i % 5,
                45.0,
                18.0,
                1000.0 + 50 * i,
                0.75,
                2300.0,
                "forecast",
                "seeded",
            )
            for i, t in enumerate(ahead)
            for a in [actions[i % len(actions)]]
        ],
    )
    rows(
        "gold.carbon_intensity",
        "hour, generation_mwh, imports_mwh, exports_mwh, consumption_mwh, production_g_kwh, "
        "consumption_g_kwh, emissions_t, consumption_emissions_t, avoided_average_t, "
        "avoided_marginal_t",
        [
            (
                h,
                4600.0,
                100.0,
                1900.0,
                2800.0,
                daily(h, 22.0, 4.0),
                daily(h, 35.0, 8.0),
                100.0,
                98.0,
                800.0,
                1200.0,
            )
            for h in past
        ],
    )
    rows(
        "gold.carbon_forecast",
        "issued_at, ts, yhat, yhat_p10, yhat_p50, yhat_p90, model",
        [(hour, t, y, y - 5, y, y + 5, "seasonal") for t in ahead for y in [daily(t, 35.0, 8.0)]],
    )


def band(health_index: float) -> str:
    for floor, name in ((85, "very good"), (70, "good"), (50, "fair"), (30, "poor")):
        if health_index >= floor:
            return name
    return "very poor"


@pytest.fixture(scope="module")
def seeded(stack: Settings) -> Iterator[Settings]:
    for settings in fresh_warehouse(stack, "grid_intel_dashboard"):
        with psycopg.connect(settings.warehouse, autocommit=True) as conn:
            seed(conn, datetime.now(UTC))
        yield settings


@pytest.fixture(scope="module")
def chromium():
    yield from launched()


def wait_for_panels(page, timeout_ms: int = 30_000) -> dict[str, dict]:
    """Each chart's data-state once none is still loading; a clear failure otherwise."""
    try:
        page.wait_for_function(
            """ids => ids.every(id => {
                const el = document.getElementById(id);
                return el && el.dataset.state && el.dataset.state !== "loading";
            })""",
            arg=[*CHARTS, "alerts-list", "signals-table"],
            timeout=timeout_ms,
        )
    except Exception as exc:
        raise AssertionError(f"the dashboard's panels never left 'loading': {exc}") from exc
    return page.evaluate(
        """ids => Object.fromEntries(ids.map(id => {
            const d = document.getElementById(id).dataset;
            return [id, {state: d.state, points: Number(d.points || 0),
                         series: d.series ? d.series.split(",") : []}];
        }))""",
        [*CHARTS, "alerts-list", "signals-table"],
    )


def live_alert_appears(page, settings: Settings, timeout_s: float = 30.0) -> None:
    """An alert put on grid.alerts shows up in the list without a reload. The relay reads
    from the end of the topic once it is assigned, so the alert is sent again each second
    until the page shows it."""
    page.wait_for_selector("#ws-state[data-state=open]", timeout=10_000)
    asset = f"tx_live_{uuid.uuid4().hex[:6]}"
    deadline = time.monotonic() + timeout_s
    with settings.kafka_producer() as p:
        while time.monotonic() < deadline:
            alert = Alert(
                datetime.now(UTC),
                uuid.uuid4().hex,
                asset,
                "overheating",
                "critical",
                f"hot spot on {asset}",
                {"hot_spot_c": 131.0},
            )
            p.send(GRID_ALERTS.name, key=asset.encode(), value=encode_alert(alert))
            p.flush()
            try:
                page.wait_for_selector(f"#alerts-list li.live:has-text('{asset}')", timeout=1_000)
            except PlaywrightTimeout:
                continue
            item = page.locator("#alerts-list li.live").filter(has_text=asset).first
            assert asset in item.inner_text() and "critical" in item.get_attribute("class")
            return
    raise AssertionError(f"no live alert for {asset} reached the page in {timeout_s:.0f} s")


def test_dashboard_draws_every_panel_from_the_api(seeded: Settings, chromium, tmp_path: Path):
    errors: list[str] = []
    with serving(seeded) as base:
        context = chromium.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
        page.on(
            "response",
            lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        page.goto(f"{base}/", wait_until="load")
        panels = wait_for_panels(page)

        not_ready = {k: v for k, v in panels.items() if v["state"] != "ready" or not v["points"]}
        assert not not_ready, f"panels without data: {not_ready}; browser errors: {errors}"
        assert tuple(panels["chart-mix"]["series"]) == FUELS
        assert tuple(panels["chart-health"]["series"]) == KINDS
        assert panels["chart-health"]["points"] == 10 * len(KINDS)
        # 24 h of demand and of generation, the same hours as issued a day ahead, and
        # the next 24 h's forecast; the 7-day 24 h MAPE pools the models by points.
        assert panels["chart-demand"]["points"] == 4 * HOURS
        assert panels["chart-demand"]["series"] == ["demand", "generation", "issued", "forecast"]
        assert page.locator("#demand-accuracy").inner_text() == "24h MAPE 1.3 % over 7 d (96 h)"
        assert panels["chart-carbon"]["series"] == ["production", "consumption", "forecast"]
        # The warehouse's events; live alerts from whatever else is on the broker may join them.
        assert panels["alerts-list"]["points"] >= 3
        events = page.locator("#alerts-list li:not(.live):not(.note)").all_inner_texts()
        assert sorted(e.split("\n")[1].split(" ")[0] for e in events) == [
            "spike",
            "stuck_sensor",
            "transformer_overheating",
        ], events
        rows = page.locator("#signals-table tbody tr")
        assert rows.count() == HOURS
        assert set(page.locator("#signals-table td:nth-child(2)").all_inner_texts()) == {
            "export",
            "hold",
            "import",
        }
        status = {
            k: page.locator(f"#stat-{k}").inner_text()
            for k in ("frequency", "demand", "generation", "export", "lmp")
        }
        assert status["frequency"] == "60.012", status
        assert "31.5" in status["lmp"] and "28.3" in status["lmp"], status
        assert all(v not in ("\u2013", "") for v in status.values()), status
        assert page.locator("#grid-status").get_attribute("data-state") == "ready"

        live_alert_appears(page, seeded)

        shot = tmp_path / "dashboard.png"
        page.screenshot(path=str(shot), full_page=True)
        context.close()

    keep_screenshot(seeded, shot)
    assert not errors, errors


def test_panels_say_no_data_yet_on_an_empty_warehouse(stack: Settings, chromium):
    """Tables built but nothing in them yet: every panel says so, nothing breaks."""
    for empty in fresh_warehouse(stack, "grid_intel_dashboard_empty"):
        with psycopg.connect(empty.warehouse, autocommit=True) as conn:
            conn.execute(DBT_TABLES)
        with serving(empty) as base:
            page = chromium.new_page(viewport={"width": 1366, "height": 768})
            page.goto(f"{base}/", wait_until="load")
            panels = wait_for_panels(page)
            # Live alerts from the shared broker may fill the list; the warehouse has none.
            panels.pop("alerts-list")
            assert {k: v["state"] for k, v in panels.items()} == dict.fromkeys(panels, "empty")
            assert page.locator("#alerts-list li:not(.live):not(.note)").count() == 0
            assert "no data yet" in page.locator("#chart-mix").inner_text()
            page.close()


def test_vendor_library_is_served_and_unknown_names_are_not(seeded: Settings):
    with serving(seeded) as base:
        lib = httpx.get(f"{base}/static/vendor/echarts.min.js")
        assert lib.status_code == 200 and b"echarts" in lib.content[:2000]
        assert httpx.get(f"{base}/static/vendor/../../app.py").status_code == 404
        assert httpx.get(f"{base}/static/vendor/nope.js").status_code == 404
        assert httpx.get(f"{base}/static/dashboard.js").status_code == 200
        assert "chart-mix" in httpx.get(f"{base}/").text
