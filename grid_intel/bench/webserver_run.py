"""One asset partition launched through the Dagster webserver, as the UI's Materialize
button does, and its event log read back: the daemon queues it, dequeues it and starts
its run process, so what is timed is what a user's run costs."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from grid_intel.bench.run_phases import Event
from grid_intel.operations.graphql import DagsterApiError, DagsterGraphQL

LOCATION = "grid_intel"  # workspace.yaml's location_name
REPOSITORY = "__repository__"
ASSET_JOB = "__ASSET_JOB"
TERMINAL = {"SUCCESS", "FAILURE", "CANCELED"}

CHECKS = """
query($key: AssetKeyInput!) {
  assetNodeOrError(assetKey: $key) {
    __typename
    ... on AssetNode { assetChecksOrError { ... on AssetChecks { checks { name } } } }
  }
}"""

LAUNCH = """
mutation($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on RunConfigValidationInvalid { errors { message } }
    ... on Error { message }
  }
}"""

STATUS = """
query($id: ID!) { runOrError(runId: $id) { __typename ... on Run { status } } }"""

EVENTS = """
query($id: ID!, $cursor: String) {
  runOrError(runId: $id) {
    __typename
    ... on Run {
      eventConnection(afterCursor: $cursor, limit: 1000) {
        cursor hasMore
        events {
          __typename
          ... on MessageEvent { eventType timestamp stepKey message }
          ... on ErrorEvent { error { message } }
          ... on MaterializationEvent {
            assetKey { path }
            metadataEntries {
              label
              ... on FloatMetadataEntry { floatValue }
              ... on IntMetadataEntry { intValue }
            }
          }
        }
      }
    }
  }
}"""


@dataclass(frozen=True)
class RunLog:
    events: list[Event]
    # Per materialized asset ("bronze/grid_frequency"), its numeric metadata.
    materializations: dict[str, dict[str, float]]
    errors: list[str]  # what failed steps and a failed run said, for the bench's error


def asset_checks(client: DagsterGraphQL, path: Sequence[str]) -> list[str]:
    """The asset's check names, which the UI's Materialize button runs with it."""
    node = client.query(CHECKS, {"key": {"path": list(path)}})["assetNodeOrError"]
    if node["__typename"] != "AssetNode":
        raise DagsterApiError(f"no asset {'/'.join(path)} in the code location")
    return [c["name"] for c in (node["assetChecksOrError"] or {}).get("checks", [])]


def launch_params(path: Sequence[str], partition: str, checks: Sequence[str]) -> dict:
    """ExecutionParams for one partition of one asset and its checks."""
    key = {"path": list(path)}
    return {
        "selector": {
            "repositoryLocationName": LOCATION,
            "repositoryName": REPOSITORY,
            "jobName": ASSET_JOB,
            "assetSelection": [key],
            "assetCheckSelection": [{"assetKey": key, "name": n} for n in checks],
        },
        "runConfigData": {},
        "mode": "default",
        "executionMetadata": {"tags": [{"key": "dagster/partition", "value": partition}]},
    }


def launch(client: DagsterGraphQL, params: dict) -> str:
    result = client.query(LAUNCH, {"params": params})["launchRun"]
    if result["__typename"] != "LaunchRunSuccess":
        why = result.get("message") or "; ".join(e["message"] for e in result.get("errors", []))
        raise DagsterApiError(f"the webserver refused the run ({result['__typename']}): {why}")
    return result["run"]["runId"]


def wait_for_run(
    client: DagsterGraphQL, run_id: str, timeout_s: float, progress: Callable[[str], None]
) -> str:
    """Poll the run's status until it ends; its last status."""
    deadline, said = time.monotonic() + timeout_s, ""
    while True:
        status = client.query(STATUS, {"id": run_id})["runOrError"]["status"]
        if status != said:
            progress(f"run {run_id[:8]}: {status.lower()}")
            said = status
        if status in TERMINAL:
            return status
        if time.monotonic() > deadline:
            raise DagsterApiError(f"run {run_id} still {status} after {timeout_s:.0f} s")
        time.sleep(0.5)


def _numbers(entries: Sequence[dict]) -> dict[str, float]:
    out = {}
    for e in entries:
        value = e.get("floatValue", e.get("intValue"))
        if value is not None:
            out[e["label"]] = float(value)
    return out


def run_log(client: DagsterGraphQL, run_id: str) -> RunLog:
    """Every event of the run as (type, seconds, step), and its materializations' numbers."""
    events: list[Event] = []
    materializations: dict[str, dict[str, float]] = {}
    errors: list[str] = []
    cursor = None
    while True:
        run = client.query(EVENTS, {"id": run_id, "cursor": cursor})["runOrError"]
        if run["__typename"] != "Run":
            raise DagsterApiError(f"run {run_id}: {run['__typename']}")
        page = run["eventConnection"]
        for e in page["events"]:
            if e.get("eventType") is None:
                continue
            events.append((e["eventType"], float(e["timestamp"]) / 1000, e.get("stepKey")))
            if e["__typename"] == "MaterializationEvent" and e.get("assetKey"):
                asset = "/".join(e["assetKey"]["path"])
                materializations[asset] = _numbers(e["metadataEntries"])
            if e.get("error"):
                errors.append(f"{e.get('stepKey') or 'run'}: {e['error']['message'].strip()}")
        cursor = page["cursor"]
        if not page["hasMore"]:
            return RunLog(events, materializations, errors)
