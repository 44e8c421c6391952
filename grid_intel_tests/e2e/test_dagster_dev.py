"""`dagster dev` (webserver + daemon) on the real stack, driven through its GraphQL API
and, for the lineage page, in Chromium."""

import itertools
import subprocess
import sys

from grid_intel.settings import Settings, project_root
from grid_intel.stack.dagster import dagster_env
from grid_intel_tests.e2e.browser import keep_screenshot, launched
from grid_intel_tests.e2e.conftest import Deployment
from grid_intel_tests.e2e.dagster_api import gql

LINEAGE = """
query { assetNodes { assetKey { path } dependencyKeys { path } } }"""

# What the UI's lineage must show, edge by edge, from each bronze topic to the products.
# Anomaly detectors read bronze directly: they need the raw values and quality flags
# that silver's validation would drop.
CHAINS = {
    "forecasts": [
        "bronze/sensor_readings",
        "silver/validated_readings",
        "gold/hourly_station_stats",
        "gold/demand_hourly",
        "gold/forecast_models",
        "gold/demand_forecasts",
    ],
    "health": [
        "bronze/sensor_readings",
        "silver/validated_readings",
        "gold/transformer_ageing_hourly",
        "gold/equipment_health",
        "gold/equipment_health_heatmap",
    ],
    "anomalies": ["bronze/sensor_readings", "gold/anomaly_events", "gold/anomaly_evaluation"],
    "prices": [
        "bronze/market_prices",
        "silver/market_prices",
        "gold/prices_hourly",
        "gold/lmp_forecasts",
        "gold/price_signals",
    ],
    "carbon": [
        "bronze/sensor_readings",
        "silver/validated_readings",
        "gold/hourly_station_stats",
        "gold/generation_mix_hourly",
        "gold/carbon_intensity",
        "gold/carbon_forecast",
    ],
}


def test_the_ui_shows_lineage_from_bronze_to_every_product(deployment: Deployment):
    nodes = gql(deployment.settings, LINEAGE, {})["assetNodes"]
    parents = {
        "/".join(n["assetKey"]["path"]): {"/".join(d["path"]) for d in n["dependencyKeys"]}
        for n in nodes
    }
    for product, chain in CHAINS.items():
        for upstream, downstream in itertools.pairwise(chain):
            assert upstream in parents[downstream], f"{product}: {upstream} -> {downstream}"
    layers = {key.split("/")[0] for key in parents}
    assert layers == {"bronze", "silver", "gold"}, layers


def test_lineage_page_renders_in_a_browser(deployment: Deployment, tmp_path):
    base = f"http://127.0.0.1:{deployment.settings.dagster_port}"
    shot = tmp_path / "dagster-lineage.png"
    for browser in launched():
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(
            f"{base}/assets/gold/carbon_intensity?view=lineage&lineageScope=upstream&lineageDepth=3"
        )
        # The graph draws each asset as a node with its name (long names are elided in
        # the middle); bronze's readings must be there three hops up.
        for name in ("carbon_intensity", "interchange_hourly", "validated_readings"):
            page.get_by_text(name, exact=True).first.wait_for(timeout=90_000)
        page.get_by_text("sensor_readings", exact=True).first.wait_for(timeout=30_000)
        skip = page.get_by_role("button", name="Skip")  # the UI's first-visit newsletter dialog
        if skip.count():
            skip.first.click()
        page.wait_for_timeout(1500)  # let the layout settle before the picture
        page.screenshot(path=str(shot))
    keep_screenshot(deployment.settings, shot)


def test_definitions_validate(test_db: Settings, dbt_manifest):
    # Validation opens the instance, whose storage is the stack's PostgreSQL.
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "grid_intel",
            "dagster",
            "definitions",
            "validate",
            "-w",
            str(project_root() / "workspace.yaml"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "grid_intel" in out.stdout + out.stderr


def test_dagster_env_points_runs_at_the_same_services(test_db: Settings, tmp_path):
    env = dagster_env(test_db.with_state_dir(tmp_path))
    assert env["GRID_INTEL_WAREHOUSE_URL"] == test_db.warehouse
    kafka = test_db.kafka_env()  # brokers, protocol and (for TLS) the CA
    assert {name: env[name] for name in kafka} == kafka
    assert (tmp_path / "dagster" / "dagster.yaml").resolve() == (
        project_root() / "dagster.yaml"
    ).resolve()
    assert env["DAGSTER_HOME"] == str(tmp_path / "dagster")
