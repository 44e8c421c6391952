"""`dagster dev` (webserver + daemon) on the real stack, driven through its GraphQL API."""

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from grid_intel.settings import Settings, project_root
from grid_intel.stack.dagster import dagster_env
from grid_intel_tests.e2e.devserver import dagster_dev as start_dagster_dev
from grid_intel_tests.integration.test_tracer import READINGS, counts, publish_hour

BACKFILL = """
mutation($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message }
  }
}"""

BACKFILL_STATUS = """
query($id: String!) {
  partitionBackfillOrError(backfillId: $id) {
    __typename
    ... on PartitionBackfill { status numPartitions }
    ... on PythonError { message }
  }
}"""

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


@pytest.fixture(
    scope="module", params=["postgres", pytest.param("timescaledb", marks=pytest.mark.timescale)]
)
def dagster_dev(request, dbt_manifest, tmp_path_factory) -> Iterator[Settings]:
    """`dagster dev` with its warehouse on the given lane."""
    lane = request.getfixturevalue("test_db" if request.param == "postgres" else "timescale_db")
    with start_dagster_dev(lane, tmp_path_factory.mktemp("state")) as settings:
        yield settings


def gql(settings: Settings, query: str, variables: dict) -> dict:
    url = f"http://127.0.0.1:{settings.dagster_port}/graphql"
    resp = httpx.post(url, json={"query": query, "variables": variables}, timeout=60)
    resp.raise_for_status()
    body = resp.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


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


def test_backfill_from_the_ui_api_materializes_the_tracer(dagster_dev: Settings):
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=4)
    region = f"e2e-{uuid.uuid4().hex[:8]}"
    publish_hour(dagster_dev, hour, region)
    partition = hour.strftime("%Y-%m-%d-%H:%M")

    launched = gql(
        dagster_dev,
        BACKFILL,
        {
            "params": {
                "partitionNames": [partition],
                "assetSelection": [
                    {"path": ["bronze", "grid_frequency"]},
                    {"path": ["silver", "clean_frequency"]},
                ],
            }
        },
    )["launchPartitionBackfill"]
    assert launched["__typename"] == "LaunchBackfillSuccess", launched
    deadline = time.monotonic() + 420
    status = None
    while time.monotonic() < deadline:
        result = gql(dagster_dev, BACKFILL_STATUS, {"id": launched["backfillId"]})
        status = result["partitionBackfillOrError"]["status"]
        if status in ("COMPLETED", "COMPLETED_SUCCESS", "FAILED", "COMPLETED_FAILED", "CANCELED"):
            break
        time.sleep(3)
    assert status in ("COMPLETED", "COMPLETED_SUCCESS"), status

    assert counts(dagster_dev, region, hour) == {
        "bronze": READINGS + 1,
        "bronze_distinct_offsets": READINGS + 1,
        "silver": READINGS,
        "quarantined": 1,
    }
    silver = gql(dagster_dev, ASSET, {"key": {"path": ["silver", "clean_frequency"]}})
    node = silver["assetNodeOrError"]
    assert {"path": ["bronze", "grid_frequency"]} in node["dependencyKeys"]
    assert any(m["partition"] == partition for m in node["assetMaterializations"])
    assert {c["name"] for c in node["assetChecksOrError"]["checks"]} >= {
        "unique_combination_clean_frequency_region__ts"
    }
    bronze = gql(dagster_dev, ASSET, {"key": {"path": ["bronze", "grid_frequency"]}})
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
    contract = check_result(dagster_dev, ["bronze", "grid_frequency"], "gx_contract", partition)
    assert contract["status"] == "SUCCEEDED" and contract["evaluation"]["success"]
    blocking = {
        c["name"]: c["blocking"] for c in bronze["assetNodeOrError"]["assetChecksOrError"]["checks"]
    }
    assert blocking["gx_contract"] and not blocking["gx_unique_events"]
    quarantine = check_result(
        dagster_dev, ["bronze", "grid_frequency"], "quarantine_rate", partition
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


def test_sensors_fill_bronze_and_silver_without_anyone_clicking(dagster_dev: Settings):
    sensor = "grid_frequency_kafka_sensor"
    wait_for_first_tick(dagster_dev, sensor)

    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    region = f"e2e-sensor-{uuid.uuid4().hex[:8]}"
    publish_hour(dagster_dev, hour, region)
    partition = hour.strftime("%Y-%m-%d-%H:%M")

    deadline = time.monotonic() + 480
    bronze = silver = []
    while time.monotonic() < deadline:
        bronze = materialized_by(dagster_dev, ["bronze", "grid_frequency"], partition)
        silver = materialized_by(dagster_dev, ["silver", "clean_frequency"], partition)
        if any(t.get("dagster/sensor_name") == sensor for t in bronze) and silver:
            break
        time.sleep(5)
    assert any(t.get("dagster/sensor_name") == sensor for t in bronze), bronze
    assert any(t.get("dagster/sensor_name") == "layers_follow_upstream" for t in silver), silver
    assert counts(dagster_dev, region, hour) == {
        "bronze": READINGS + 1,
        "bronze_distinct_offsets": READINGS + 1,
        "silver": READINGS,
        "quarantined": 1,
    }


def test_dagster_env_points_runs_at_the_same_services(test_db: Settings, tmp_path):
    env = dagster_env(test_db.model_copy(update={"state_dir": tmp_path}))
    assert env["GRID_INTEL_WAREHOUSE_URL"] == test_db.warehouse
    assert (tmp_path / "dagster" / "dagster.yaml").resolve() == (
        project_root() / "dagster.yaml"
    ).resolve()
    assert env["DAGSTER_HOME"] == str(tmp_path / "dagster")
