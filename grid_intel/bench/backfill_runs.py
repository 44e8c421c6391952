"""Where a backfill's time went: its runs, from Dagster's run storage through GraphQL.

A backfill's seconds alone do not say what to make faster. Each run's assets, partition
range, start and length, and the run-seconds per kind of run, show the longest runs and
the gaps when no run of the backfill was running (waiting on the daemon, not on work).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from grid_intel.operations.graphql import DagsterGraphQL

RUNS = """
query($id: String!) {
  runsOrError(filter: {tags: [{key: "dagster/backfill", value: $id}]}, limit: 5000) {
    __typename
    ... on Runs {
      results {
        runId status startTime endTime
        assetSelection { path }
        tags { key value }
      }
    }
    ... on PythonError { message }
  }
}"""
RANGE_TAGS = ("dagster/asset_partition_range_start", "dagster/asset_partition_range_end")


def fetch(client: DagsterGraphQL, backfill_id: str) -> list[dict[str, Any]]:
    """The backfill's runs as Dagster reports them."""
    node = client.query(RUNS, {"id": backfill_id})["runsOrError"]
    if node["__typename"] != "Runs":
        raise RuntimeError(f"listing the runs of backfill {backfill_id}: {node.get('message')}")
    return node["results"]


def label(paths: Sequence[Sequence[str]]) -> str:
    """A run's assets in a few words: the one asset, or the first and how many more."""
    keys = sorted("/".join(p) for p in paths)
    if not keys:
        return "(no assets)"
    return keys[0] if len(keys) == 1 else f"{keys[0]} +{len(keys) - 1}"


def partitions(tags: Sequence[dict[str, str]]) -> str:
    t = {x["key"]: x["value"] for x in tags}
    start, end = (t.get(k) for k in RANGE_TAGS)
    if start and end:
        return start if start == end else f"{start}..{end}"
    return t.get("dagster/partition", "")


def timeline(runs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per run that started, by start: offset from the backfill's first run,
    seconds, what it built."""
    started = [r for r in runs if r.get("startTime")]
    if not started:
        return []
    t0 = min(r["startTime"] for r in started)
    rows = [
        {
            "start_s": round(r["startTime"] - t0, 1),
            "seconds": round((r.get("endTime") or r["startTime"]) - r["startTime"], 1),
            "status": r["status"],
            "assets": label([a["path"] for a in r.get("assetSelection") or []]),
            "partitions": partitions(r.get("tags") or []),
        }
        for r in started
    ]
    return sorted(rows, key=lambda row: row["start_s"])


def idle_seconds(rows: Sequence[dict[str, Any]]) -> float:
    """Seconds between the first start and the last end when no run was running."""
    idle, reached = 0.0, None
    for row in sorted(rows, key=lambda r: r["start_s"]):
        end = row["start_s"] + row["seconds"]
        if reached is not None and row["start_s"] > reached:
            idle += row["start_s"] - reached
        reached = end if reached is None else max(reached, end)
    return round(idle, 1)


def by_assets(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run-seconds per kind of run (its assets), longest first."""
    total: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        total[row["assets"]].append(row["seconds"])
    out = [
        {"assets": k, "runs": len(v), "run_seconds": round(sum(v), 1), "longest": max(v)}
        for k, v in total.items()
    ]
    return sorted(out, key=lambda r: -r["run_seconds"])
