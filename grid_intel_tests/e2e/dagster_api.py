"""What the e2e tests read from the Dagster webserver's GraphQL API, as the UI reads it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from grid_intel.operations.graphql import DagsterGraphQL
from grid_intel.settings import Settings

T = TypeVar("T")

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


def gql(settings: Settings, query: str, variables: dict) -> dict:
    """One query through the client `grid-intel backfill` uses (errors raise)."""
    with DagsterGraphQL.local(settings.dagster_port) as client:
        return client.query(query, variables)


def check_result(settings: Settings, path: list[str], name: str, partition: str) -> dict:
    """The latest result of a check on one partition, as the UI reads it."""
    executions = gql(
        settings, CHECK_RESULTS, {"key": {"path": path}, "name": name, "partition": partition}
    )["assetCheckExecutions"]
    assert executions, f"no {name} result for {partition}"
    return executions[0]


def materialized_by(settings: Settings, path: list[str], partition: str | None) -> list[dict]:
    """Tags of the runs that materialized this partition of the asset (None: an
    unpartitioned asset), the latest first."""
    node = gql(settings, MATERIALIZATIONS, {"key": {"path": path}})["assetNodeOrError"]
    runs = [m["runId"] for m in node["assetMaterializations"] if m["partition"] == partition]
    out = []
    for run_id in runs:
        tags = gql(settings, RUN_TAGS, {"id": run_id})["runOrError"]["tags"]
        out.append({t["key"]: t["value"] for t in tags})
    return out


def wait_for_first_tick(settings: Settings, sensor: str) -> None:
    """A sensor's first tick fixes its start at the topic's end: publish only after it."""

    def ticked() -> bool:
        state = gql(settings, SENSOR_TICKS, {"name": sensor})["sensorOrError"]
        assert state["__typename"] == "Sensor", state
        assert state["sensorState"]["status"] == "RUNNING"  # on by default
        return bool(state["sensorState"]["ticks"])

    assert wait_for(ticked, 180, interval_s=2), f"{sensor} never ticked"


def wait_for(done: Callable[[], T], timeout_s: float, interval_s: float = 3) -> T:
    """Poll `done` until it returns something truthy or `timeout_s` runs out; its last
    value either way, for the caller's assertion to show."""
    deadline = time.monotonic() + timeout_s
    while not (value := done()) and time.monotonic() < deadline:
        time.sleep(interval_s)
    return value


def wait_until_materialized(
    settings: Settings, wanted: list[tuple[list[str], str | None]], timeout_s: float
) -> dict[str, list[dict]]:
    """Per wanted (asset, partition), the tags of the runs that materialized it, once
    each has one (or whatever there is when `timeout_s` runs out)."""
    last: dict[str, list[dict]] = {}

    def all_done() -> bool:
        last.update({"/".join(p): materialized_by(settings, p, k) for p, k in wanted})
        return all(last.values())

    wait_for(all_done, timeout_s)
    return last
