"""A backfill launched from the command line through the webserver, as the UI's own
mutation does, with the sensors and schedules paused for it and resumed after. Last in
the tier: by then the deployment's background work is done and the backfill's runs
are the only ones queued."""

import subprocess
import sys
import uuid
from datetime import timedelta

from grid_intel.operations.automation import running
from grid_intel.operations.graphql import DagsterGraphQL
from grid_intel.stack.dagster import dagster_env
from grid_intel_tests.e2e.conftest import Deployment
from grid_intel_tests.e2e.dagster_api import ASSET, check_result, gql
from grid_intel_tests.hours import hour_ago
from grid_intel_tests.integration.test_tracer import TRACED, counts, publish_hour


def test_backfill_from_the_ui_api_materializes_the_tracer(deployment: Deployment):
    """`grid-intel backfill` launches one asset backfill of two hours through the webserver
    and follows it until the daemon has run every partition."""
    settings = deployment.settings
    first = hour_ago(5)
    hours = [first, first + timedelta(hours=1)]
    region = f"e2e-{uuid.uuid4().hex[:8]}"
    for hour in hours:
        publish_hour(settings, hour, region)
    partition = hours[0].strftime("%Y-%m-%d-%H:%M")
    with DagsterGraphQL.local(settings.dagster_port) as client:
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
            f"http://127.0.0.1:{settings.dagster_port}/graphql",
            "--pause-automation",
        ],
        capture_output=True,
        text=True,
        timeout=280,  # inside the test's own 300 s, so the failure names the command
        env=dagster_env(settings),
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "completed_success: 4/4 asset partitions done (100%)" in out.stdout, out.stdout
    assert "partitions/min" in out.stdout and "launched" in out.stderr
    # The sensors and schedules were stopped for the backfill and are running again.
    assert f"paused {len(automation)}" in out.stderr and "resumed" in out.stderr
    with DagsterGraphQL.local(settings.dagster_port) as client:
        assert {i.name for i in running(client)} == automation

    for hour in hours:
        assert counts(settings, region, hour) == TRACED
    silver = gql(settings, ASSET, {"key": {"path": ["silver", "clean_frequency"]}})
    node = silver["assetNodeOrError"]
    assert {"path": ["bronze", "grid_frequency"]} in node["dependencyKeys"]
    assert any(m["partition"] == partition for m in node["assetMaterializations"])
    assert {c["name"] for c in node["assetChecksOrError"]["checks"]} >= {
        "unique_combination_clean_frequency_region__ts"
    }
    bronze = gql(settings, ASSET, {"key": {"path": ["bronze", "grid_frequency"]}})
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
    contract = check_result(settings, ["bronze", "grid_frequency"], "gx_contract", partition)
    assert contract["status"] == "SUCCEEDED" and contract["evaluation"]["success"]
    blocking = {
        c["name"]: c["blocking"] for c in bronze["assetNodeOrError"]["assetChecksOrError"]["checks"]
    }
    assert blocking["gx_contract"] and not blocking["gx_unique_events"]
    quarantine = check_result(settings, ["bronze", "grid_frequency"], "quarantine_rate", partition)
    assert quarantine["status"] == "FAILED", quarantine
    assert quarantine["evaluation"]["severity"] == "WARN"
    assert "bronze.quarantine" in quarantine["evaluation"]["description"]
