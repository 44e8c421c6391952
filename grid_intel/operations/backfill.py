"""`grid-intel backfill`: a real Dagster asset backfill, launched through the webserver.

The selection (Dagster's selection syntax: `*`, `key:gold/*`, `group:silver`, ...) is
resolved against the code location's own definitions; each selected asset gets the
partitions of its own granularity (hours or days) inside [start, end), so one backfill
spans the whole graph and the daemon orders hourly parents before daily children and
honours each asset's BackfillPolicy. Progress is read back the way the UI reads it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import dagster as dg

from grid_intel.asset_metadata import ON_DEMAND
from grid_intel.operations.graphql import DagsterGraphQL

Progress = Callable[[str], None]

TERMINAL = {"COMPLETED", "COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED"}
SUCCEEDED = {"COMPLETED", "COMPLETED_SUCCESS"}

LAUNCH = """
mutation($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message }
    ... on InvalidSubsetError { message }
    ... on PartitionSetNotFoundError { message }
    ... on UnauthorizedError { message }
  }
}"""

STATUS = """
query($id: String!) {
  partitionBackfillOrError(backfillId: $id) {
    __typename
    ... on PartitionBackfill {
      status
      error { message }
      assetBackfillData {
        assetBackfillStatuses {
          __typename
          ... on AssetPartitionsStatusCounts {
            assetKey { path }
            numPartitionsTargeted numPartitionsInProgress
            numPartitionsMaterialized numPartitionsFailed
          }
          ... on UnpartitionedAssetStatus {
            assetKey { path } inProgress materialized failed
          }
        }
      }
    }
    ... on PythonError { message }
    ... on BackfillNotFoundError { message }
  }
}"""


class BackfillError(RuntimeError):
    """The backfill could not be planned or launched, or did not succeed."""


@dataclass(frozen=True)
class AssetPartitions:
    """One asset's share of a backfill: its partition keys, or None when unpartitioned."""

    key: dg.AssetKey
    partitions: tuple[str, ...] | None

    @property
    def count(self) -> int:
        return 1 if self.partitions is None else len(self.partitions)


@dataclass(frozen=True)
class BackfillPlan:
    start: datetime
    end: datetime
    assets: tuple[AssetPartitions, ...]
    skipped: tuple[tuple[dg.AssetKey, str], ...] = ()
    # Unpartitioned assets with nothing partitioned upstream (the registry and the
    # reference models): backfilled first, on their own (`stages`).
    reference: frozenset[dg.AssetKey] = frozenset()

    def stages(self) -> list[BackfillPlan]:
        """The reference assets as a backfill before the rest, when the plan holds both.
        Every hour's checks judge readings against the registry; in one backfill the
        daemon queued the registry behind a week's bronze day-runs, whose checks then
        judged each hour alone (65 s a day instead of about 8)."""
        first = tuple(a for a in self.assets if a.key in self.reference)
        rest = tuple(a for a in self.assets if a.key not in self.reference)
        if not first or not rest:
            return [self]
        return [replace(self, assets=first, skipped=()), replace(self, assets=rest)]

    @property
    def partitions(self) -> int:
        """Asset partitions targeted (an unpartitioned asset counts once)."""
        return sum(a.count for a in self.assets)

    @property
    def title(self) -> str:
        """Dagster titles allow 100 characters and no % * \"; the selection goes in the
        description."""
        return f"grid-intel backfill {self.start:%Y-%m-%dT%H:%M}..{self.end:%Y-%m-%dT%H:%M} UTC"

    def params(self, description: str) -> dict:
        """LaunchBackfillParams: one contiguous key range per partitioned asset."""
        by_asset = []
        for a in self.assets:
            entry: dict = {"assetKey": {"path": list(a.key.path)}}
            if a.partitions is not None:
                entry["partitions"] = {"range": {"start": a.partitions[0], "end": a.partitions[-1]}}
            by_asset.append(entry)
        return {"partitionsByAssets": by_asset, "title": self.title, "description": description}


def plan_backfill(
    specs: Iterable[dg.AssetSpec],
    selected: set[dg.AssetKey],
    start: datetime,
    end: datetime,
    *,
    now: datetime | None = None,
    include_unpartitioned: bool = False,
) -> BackfillPlan:
    """Each selected asset's partitions whose windows lie in [start, end) and have ended by
    `now` (Dagster has no key for a window still open)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise BackfillError("start and end must carry a time zone (UTC)")
    if end <= start:
        raise BackfillError(
            f"end ({end:%Y-%m-%d %H:%M}) must be after start ({start:%Y-%m-%d %H:%M})"
        )
    now = now or datetime.now(UTC)
    assets, skipped = [], []
    for spec in sorted(specs, key=lambda s: s.key.to_user_string()):
        if spec.key not in selected:
            continue
        pdef = spec.partitions_def
        if spec.tags.get(ON_DEMAND) == "true":
            skipped.append((spec.key, "on demand only: materialize it by itself"))
            continue
        if pdef is None:
            if include_unpartitioned:
                assets.append(AssetPartitions(spec.key, None))
            else:
                skipped.append((spec.key, "unpartitioned (pass --include-unpartitioned)"))
            continue
        if not isinstance(pdef, dg.TimeWindowPartitionsDefinition):
            skipped.append((spec.key, f"{type(pdef).__name__} is not a time window"))
            continue
        window = dg.TimeWindow(max(start, pdef.start), min(end, now))
        keys = pdef.get_partition_keys_in_time_window(window) if window.end > window.start else []
        # Only windows that closed by `now`: the last key's window must have ended.
        keys = [k for k in keys if pdef.time_window_for_partition_key(k).end <= min(end, now)]
        if keys:
            assets.append(AssetPartitions(spec.key, tuple(keys)))
        else:
            skipped.append((spec.key, "no complete partition in the window"))
    if not assets:
        raise BackfillError(
            "nothing to backfill: no selected asset has a complete partition in "
            f"[{start:%Y-%m-%d %H:%M}, {end:%Y-%m-%d %H:%M}) UTC"
        )
    return BackfillPlan(start, end, tuple(assets), tuple(skipped), reference_keys(specs))


def reference_keys(specs: Iterable[dg.AssetSpec]) -> frozenset[dg.AssetKey]:
    """Unpartitioned assets with no partitioned asset anywhere upstream."""
    by_key = {s.key: s for s in specs}
    known: dict[dg.AssetKey, bool] = {}

    def is_reference(key: dg.AssetKey) -> bool:
        if key not in known:
            spec = by_key.get(key)
            known[key] = False  # a cycle never makes an asset reference data
            known[key] = (spec is None or spec.partitions_def is None) and all(
                is_reference(d.asset_key) for d in (spec.deps if spec else ())
            )
        return known[key]

    return frozenset(k for k in by_key if by_key[k].partitions_def is None and is_reference(k))


@dataclass
class Counts:
    targeted: int = 0
    materialized: int = 0
    failed: int = 0
    in_progress: int = 0

    def line(self) -> str:
        done = self.materialized + self.failed
        pct = 100 * done / self.targeted if self.targeted else 0.0
        return (
            f"{done}/{self.targeted} asset partitions done ({pct:.0f}%): "
            f"{self.materialized} materialized, {self.failed} failed, "
            f"{self.in_progress} in progress"
        )


def counts_of(statuses: Sequence[dict]) -> Counts:
    """Totals over the per-asset statuses the webserver reports."""
    c = Counts()
    for s in statuses:
        if s["__typename"] == "AssetPartitionsStatusCounts":
            c.targeted += s["numPartitionsTargeted"]
            c.materialized += s["numPartitionsMaterialized"]
            c.failed += s["numPartitionsFailed"]
            c.in_progress += s["numPartitionsInProgress"]
        else:
            c.targeted += 1
            c.materialized += int(s["materialized"])
            c.failed += int(s["failed"])
            c.in_progress += int(s["inProgress"])
    return c


@dataclass
class Outcome:
    backfill_id: str
    status: str
    seconds: float
    counts: Counts
    failed_assets: list[str] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return self.status in SUCCEEDED and self.counts.failed == 0

    @property
    def partitions_per_minute(self) -> float:
        return 60 * self.counts.materialized / self.seconds if self.seconds else 0.0


def launch(client: DagsterGraphQL, plan: BackfillPlan, description: str) -> str:
    result = client.query(LAUNCH, {"params": plan.params(description)})["launchPartitionBackfill"]
    if result["__typename"] != "LaunchBackfillSuccess":
        raise BackfillError(f"the webserver refused the backfill: {result.get('message', result)}")
    return result["backfillId"]


def status(client: DagsterGraphQL, backfill_id: str) -> tuple[str, Counts, list[str], list[dict]]:
    """The backfill's status, its counts, the assets with failed partitions and the
    webserver's per-asset statuses."""
    node = client.query(STATUS, {"id": backfill_id})["partitionBackfillOrError"]
    if node["__typename"] != "PartitionBackfill":
        raise BackfillError(f"backfill {backfill_id}: {node.get('message', node['__typename'])}")
    statuses = (node.get("assetBackfillData") or {}).get("assetBackfillStatuses") or []
    failed = [
        "/".join(s["assetKey"]["path"])
        for s in statuses
        if s.get("numPartitionsFailed") or s.get("failed")
    ]
    return node["status"], counts_of(statuses), failed, statuses


def wait(
    client: DagsterGraphQL,
    backfill_id: str,
    progress: Progress,
    *,
    poll_seconds: float = 5.0,
    timeout_seconds: float = 6 * 3600,
    watch: Callable[[Sequence[dict]], None] | None = None,
) -> Outcome:
    """Poll until the backfill ends, reporting whenever its counts move (and handing each
    poll's per-asset statuses to `watch`)."""
    started = time.monotonic()
    said = ""
    while True:
        state, counts, failed, statuses = status(client, backfill_id)
        if watch is not None:
            watch(statuses)
        elapsed = time.monotonic() - started
        line = f"{state.lower()}: {counts.line()}"
        if line != said:
            progress(f"backfill {backfill_id}: {line} after {elapsed:.0f} s")
            said = line
        if state in TERMINAL:
            return Outcome(backfill_id, state, elapsed, counts, failed)
        if elapsed > timeout_seconds:
            raise BackfillError(
                f"backfill {backfill_id} still {state} after {elapsed:.0f} s; it keeps running "
                "in the daemon: watch it in the UI (Overview → Backfills) or cancel it there"
            )
        time.sleep(poll_seconds)


def run_backfill(
    client: DagsterGraphQL,
    plan: BackfillPlan,
    progress: Progress,
    *,
    description: str,
    poll_seconds: float = 5.0,
    timeout_seconds: float = 6 * 3600,
    watch: Callable[[Sequence[dict]], None] | None = None,
) -> Outcome:
    """Launch the plan and wait for it: its reference assets as a backfill of their own
    first when it holds others too (`BackfillPlan.stages`). The outcome is the last
    backfill's, with the counts and seconds of all."""
    done: Outcome | None = None
    stages = plan.stages()
    for i, stage in enumerate(stages):
        backfill_id = launch(client, stage, description)
        what = "reference data first: " if i == 0 and len(stages) > 1 else ""
        progress(
            f"backfill {backfill_id} launched: {what}{len(stage.assets)} assets, "
            f"{stage.partitions} asset partitions"
        )
        outcome = wait(
            client,
            backfill_id,
            progress,
            poll_seconds=poll_seconds,
            timeout_seconds=timeout_seconds,
            watch=watch,
        )
        if done is not None:
            outcome.counts = combined(done.counts, outcome.counts)
            outcome.seconds += done.seconds
            outcome.failed_assets = done.failed_assets + outcome.failed_assets
        done = outcome
        if not outcome.succeeded:
            break
    assert done is not None
    return done


def combined(a: Counts, b: Counts) -> Counts:
    return Counts(
        a.targeted + b.targeted,
        a.materialized + b.materialized,
        a.failed + b.failed,
        a.in_progress + b.in_progress,
    )


def plan_for_selection(
    selection: str, start: datetime, end: datetime, *, include_unpartitioned: bool = False
) -> BackfillPlan:
    """Plan against the code location's definitions (what the webserver serves)."""
    from grid_intel.definitions import defs

    try:
        asset_selection = dg.AssetSelection.from_string(selection)
        selected = set(asset_selection.resolve(defs.resolve_asset_graph()))
    except Exception as exc:  # the parser's errors have no common public base
        raise BackfillError(
            f"bad asset selection {selection!r}: {exc}; examples: '*', 'key:\"gold/*\"', "
            "'group:silver', 'key:bronze/grid_frequency+'"
        ) from exc
    return plan_backfill(
        defs.resolve_all_asset_specs(),
        selected,
        start,
        end,
        include_unpartitioned=include_unpartitioned,
    )
