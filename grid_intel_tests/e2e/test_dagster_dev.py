"""`dagster dev` (webserver + daemon) on the real stack, driven through its GraphQL API."""

import itertools
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from grid_intel.operations.automation import running
from grid_intel.operations.graphql import DagsterGraphQL
from grid_intel.settings import Settings, project_root
from grid_intel.stack.dagster import dagster_env
from grid_intel_tests.e2e.browser import keep_screenshot, launched
from grid_intel_tests.integration.test_tracer import TRACED, counts, publish_hour

ASSET = """
query($key: AssetKeyInput!) {
  assetNodeOrError(assetKey: $key) {
    ... on AssetNode {
      dependencyKeys { path }
      dependedByKeys { path }
      assetMaterializations(limit: 5) { partition metadataEntries { label } }
      assetChecksOrError { ... on AssetChecks { checks { name blocking } } }
    }
  }
}"""


CHECK_RESULTS = """
query($key: AssetKeyInput!, $name: String!, $partition: String!) {
  assetCheckExecutions(assetKey: $key, checkName: $name, partition: $partition, limit: 5) {
    status partition evaluation { severity description success }
  }
}"""


def check_result(settings: Settings, path: list[str], name: str, partition: str) -> dict:
    """The latest result of a check on one partition, as the UI reads it."""
    executions = gql(
        settings, CHECK_RESULTS, {"key": {"path": path}, "name": name, "partition": partition}
    )["assetCheckExecutions"]
    assert executions, f"no {name} result for {partition}"
    return executions[0]


def gql(settings: Settings, query: str, variables: dict) -> dict:
    """One query through the client `grid-intel backfill` uses (errors raise)."""
    with DagsterGraphQL.local(settings.dagster_port) as client:
        return client.query(query, variables)


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


@pytest.mark.timeout(1200)
def test_backfill_from_the_ui_api_materializes_the_tracer(deployment: Settings):
    """`grid-intel backfill` launches one asset backfill of two hours through the webserver
    and follows it until the daemon has run every partition."""
    first = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=5)
    hours = [first, first + timedelta(hours=1)]
    region = f"e2e-{uuid.uuid4().hex[:8]}"
    for hour in hours:
        publish_hour(deployment, hour, region)
    partition = hours[0].strftime("%Y-%m-%d-%H:%M")
    with DagsterGraphQL.local(deployment.dagster_port) as client:
        automation = {i.name for i in running(client)}
    assert "layers_follow_upstream" in automation

    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "grid_intel",
            "backfill",
            "key:bronze/grid_frequency or key:silver/clean_frequency",
            "--start",
            hours[0].isoformat(),
            "--end",
            (hours[-1] + timedelta(hours=1)).isoformat(),
            "--url",
            f"http://127.0.0.1:{deployment.dagster_port}/graphql",
            "--pause-automation",
        ],
        capture_output=True,
        text=True,
        timeout=1000,
        env=dagster_env(deployment),
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "completed_success: 4/4 asset partitions done (100%)" in out.stdout, out.stdout
    assert "partitions/min" in out.stdout and "launched" in out.stderr
    # The sensors and schedules were stopped for the backfill and are running again.
    assert f"paused {len(automation)}" in out.stderr and "resumed" in out.stderr
    with DagsterGraphQL.local(deployment.dagster_port) as client:
        assert {i.name for i in running(client)} == automation

    for hour in hours:
        assert counts(deployment, region, hour) == TRACED
    silver = gql(deployment, ASSET, {"key": {"path": ["silver", "clean_frequency"]}})
    node = silver["assetNodeOrError"]
    assert {"path": ["bronze", "grid_frequency"]} in node["dependencyKeys"]
    assert any(m["partition"] == partition for m in node["assetMaterializations"])
    assert {c["name"] for c in node["assetChecksOrError"]["checks"]} >= {
        "unique_combination_clean_frequency_region__ts"
    }
    bronze = gql(deployment, ASSET, {"key": {"path": ["bronze", "grid_frequency"]}})
    (mat,) = [
        m
        for m in bronze["assetNodeOrError"]["assetMaterializations"]
        if m["partition"] == partition
    ][:1]
    assert {"dagster/row_count", "offset_ranges", "quarantined"} <= {
        e["label"] for e in mat["metadataEntries"]
    }
    # The quality checks ran in the backfill, per partition: the contract holds (blocking),
    # the malformed message fails the quarantine rate as a warning, and gold is not stopped.
    contract = check_result(deployment, ["bronze", "grid_frequency"], "gx_contract", partition)
    assert contract["status"] == "SUCCEEDED" and contract["evaluation"]["success"]
    blocking = {
        c["name"]: c["blocking"] for c in bronze["assetNodeOrError"]["assetChecksOrError"]["checks"]
    }
    assert blocking["gx_contract"] and not blocking["gx_unique_events"]
    quarantine = check_result(
        deployment, ["bronze", "grid_frequency"], "quarantine_rate", partition
    )
    assert quarantine["status"] == "FAILED", quarantine
    assert quarantine["evaluation"]["severity"] == "WARN"
    assert "bronze.quarantine" in quarantine["evaluation"]["description"]


SENSOR_TICKS = """
query($name: String!) {
  sensorOrError(sensorSelector: {repositoryName: "__repository__",
                                 repositoryLocationName: "grid_intel", sensorName: $name}) {
    __typename
    ... on Sensor { sensorState { status ticks(limit: 1) { status } } }
  }
}"""

MATERIALIZATIONS = """
query($key: AssetKeyInput!) {
  assetNodeOrError(assetKey: $key) {
    ... on AssetNode { assetMaterializations(limit: 50) { partition runId } }
  }
}"""

RUN_TAGS = """
query($id: ID!) { runOrError(runId: $id) { ... on Run { tags { key value } } } }"""


def materialized_by(settings: Settings, path: list[str], partition: str) -> list[dict]:
    """Tags of the runs that materialized this partition of the asset."""
    node = gql(settings, MATERIALIZATIONS, {"key": {"path": path}})["assetNodeOrError"]
    runs = [m["runId"] for m in node["assetMaterializations"] if m["partition"] == partition]
    out = []
    for run_id in runs:
        tags = gql(settings, RUN_TAGS, {"id": run_id})["runOrError"]["tags"]
        out.append({t["key"]: t["value"] for t in tags})
    return out


def wait_for_first_tick(settings: Settings, sensor: str) -> None:
    """A sensor's first tick fixes its start at the topic's end: publish only after it."""
    deadline = time.monotonic() + 180
    while True:
        state = gql(settings, SENSOR_TICKS, {"name": sensor})["sensorOrError"]
        assert state["__typename"] == "Sensor", state
        assert state["sensorState"]["status"] == "RUNNING"  # on by default
        if state["sensorState"]["ticks"]:
            return
        assert time.monotonic() < deadline, f"{sensor} never ticked"
        time.sleep(2)


def test_sensors_fill_bronze_and_silver_without_anyone_clicking(deployment: Settings):
    sensor = "grid_frequency_kafka_sensor"
    wait_for_first_tick(deployment, sensor)

    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    region = f"e2e-sensor-{uuid.uuid4().hex[:8]}"
    publish_hour(deployment, hour, region)
    partition = hour.strftime("%Y-%m-%d-%H:%M")

    deadline = time.monotonic() + 480
    bronze = silver = []
    while time.monotonic() < deadline:
        bronze = materialized_by(deployment, ["bronze", "grid_frequency"], partition)
        silver = materialized_by(deployment, ["silver", "clean_frequency"], partition)
        if any(t.get("dagster/sensor_name") == sensor for t in bronze) and silver:
            break
        time.sleep(5)
    assert any(t.get("dagster/sensor_name") == sensor for t in bronze), bronze
    assert any(t.get("dagster/sensor_name") == "layers_follow_upstream" for t in silver), silver
    assert counts(deployment, region, hour) == TRACED


def test_dagster_env_points_runs_at_the_same_services(test_db: Settings, tmp_path):
    env = dagster_env(test_db.with_state_dir(tmp_path))
    assert env["GRID_INTEL_WAREHOUSE_URL"] == test_db.warehouse
    kafka = test_db.kafka_env()  # brokers, protocol and (for TLS) the CA
    assert {name: env[name] for name in kafka} == kafka
    assert (tmp_path / "dagster" / "dagster.yaml").resolve() == (
        project_root() / "dagster.yaml"
    ).resolve()
    assert env["DAGSTER_HOME"] == str(tmp_path / "dagster")


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


def test_the_ui_shows_lineage_from_bronze_to_every_product(deployment: Settings):
    nodes = gql(deployment, LINEAGE, {})["assetNodes"]
    parents = {
        "/".join(n["assetKey"]["path"]): {"/".join(d["path"]) for d in n["dependencyKeys"]}
        for n in nodes
    }
    for product, chain in CHAINS.items():
        for upstream, downstream in itertools.pairwise(chain):
            assert upstream in parents[downstream], f"{product}: {upstream} -> {downstream}"
    layers = {key.split("/")[0] for key in parents}
    assert layers == {"bronze", "silver", "gold"}, layers


def test_lineage_page_renders_in_a_browser(deployment: Settings, tmp_path):
    base = f"http://127.0.0.1:{deployment.dagster_port}"
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
    keep_screenshot(deployment, shot)
