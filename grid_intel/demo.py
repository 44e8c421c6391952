"""The demo: the simulated grid streams through Kafka and fills the layers on its own.

Recent history is published at once, a live simulator keeps streaming, and
Dagster runs the landing and topic sensors and the automation that load
each hour into bronze, silver and gold as it closes: nobody clicks. One hour of
the history carries injected faults (gaps, duplicates, malformed and late
messages, spikes, dropouts, stuck sensors). The demo waits until the history's
hours are in, showing them arrive, prints each hour's data-quality checks (the
faulty hour fails its WARN checks, the clean ones pass) and leaves everything
running.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import dagster as dg

from grid_intel.settings import Settings
from grid_intel.simulation.faults import Fault
from grid_intel.stack import manager
from grid_intel.stack.api import ApiServer
from grid_intel.stack.dagster import QUIET, dagster_env
from grid_intel.stack.service import Progress
from grid_intel.stack.simulator import LiveSimulator
from grid_intel.stack.stream import StreamProcessor

WATCHED = (
    ("bronze", "sensor_readings"),
    ("bronze", "grid_frequency"),
    ("silver", "validated_readings"),
    ("silver", "clean_frequency"),
    ("gold", "hourly_station_stats"),
    ("gold", "demand_hourly"),
    ("gold", "generation_mix_hourly"),
    ("gold", "interchange_hourly"),
)


def closed_hours(now: datetime, hours: int) -> list[datetime]:
    """Starts of the last `hours` complete UTC hours, oldest first."""
    top = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return [top - timedelta(hours=h) for h in range(hours, 0, -1)]


def missing_partitions(instance: dg.DagsterInstance, keys: Sequence[str]) -> dict[str, list[str]]:
    """Per watched asset, which of the partitions `keys` are not materialized yet."""
    out = {}
    for path in WATCHED:
        done = instance.get_materialized_partitions(dg.AssetKey(list(path)))
        out["/".join(path)] = [k for k in keys if k not in done]
    return out


def wait_for_layers(
    instance: dg.DagsterInstance, keys: Sequence[str], progress: Progress, timeout_s: float
) -> None:
    """Report partitions as the sensors and automation materialize them; fail with advice."""
    deadline = time.monotonic() + timeout_s
    said = None
    while True:
        missing = missing_partitions(instance, keys)
        line = ", ".join(f"{a} {len(keys) - len(m)}/{len(keys)}" for a, m in missing.items())
        if line != said:
            progress(f"partitions materialized by the sensors: {line}")
            said = line
        if not any(missing.values()):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"partitions still missing after {timeout_s:.0f}s: {missing}. Look at the "
                "sensors' ticks and the runs in the Dagster UI (Automation and Runs pages)."
            )
        time.sleep(5)


# Faults the quality checks should see in the demo's faulty hour (about two of each).
DEMO_FAULTS = (
    "data_gap",
    "duplicate_message",
    "malformed_message",
    "late_message",
    "spike",
    "dropout",
    "stuck_sensor",
)
DEMO_FAULTS_PER_DAY = 48.0


def faulty_hour(starts: Sequence[datetime]) -> datetime:
    """The history's middle hour: with three or more, clean hours on either side."""
    return starts[(len(starts) - 1) // 2]


def check_outcomes(
    instance: dg.DagsterInstance, check_keys: Sequence[dg.AssetCheckKey], partition: str
) -> dict[dg.AssetCheckKey, bool | None]:
    """Each check's latest result for the partition (None: not evaluated yet)."""
    from dagster._core.storage.asset_check_execution_record import (
        AssetCheckExecutionRecordStatus as Status,
    )

    out: dict[dg.AssetCheckKey, bool | None] = {}
    for key in check_keys:
        records = instance.event_log_storage.get_asset_check_execution_history(key, limit=50)
        latest = next((r for r in records if r.partition == partition), None)
        done = latest is not None and latest.status in (Status.SUCCEEDED, Status.FAILED)
        out[key] = (latest.status == Status.SUCCEEDED) if done else None
    return out


def report_checks(
    instance: dg.DagsterInstance, keys: Sequence[str], progress: Progress, timeout_s: float = 180
) -> dict[str, list[str]]:
    """Per hour, the checks that failed (after waiting for the last ones to finish)."""
    from grid_intel.defs.quality.checks import QUALITY_CHECKS

    check_keys = [k for c in QUALITY_CHECKS for k in c.check_keys]
    deadline = time.monotonic() + timeout_s
    failed: dict[str, list[str]] = {}
    for partition in keys:
        while True:
            outcomes = check_outcomes(instance, check_keys, partition)
            if None not in outcomes.values() or time.monotonic() > deadline:
                break
            time.sleep(5)
        bad = sorted(
            f"{k.asset_key.to_user_string()}:{k.name}" for k, ok in outcomes.items() if ok is False
        )
        passed = sum(1 for ok in outcomes.values() if ok)
        pending = sum(1 for ok in outcomes.values() if ok is None)
        progress(
            f"quality {partition}: {passed} checks passed, {len(bad)} failed"
            + (f", {pending} not run" if pending else "")
            + (f": {', '.join(bad)}" if bad else "")
        )
        failed[partition] = bad
    return failed


def load_reference(settings: Settings, instance: dg.DagsterInstance) -> None:
    """The registry and the reference models, before any reading arrives: completeness and
    referential integrity judge each hour against them (the landing sensor reloads the
    same files later, which changes nothing)."""
    from grid_intel.defs.reference.assets import ARCHIVE_ASSETS
    from grid_intel.defs.resources import build_resources
    from grid_intel.defs.transform.assets import dbt_reference_assets

    whole = [a for a in ARCHIVE_ASSETS.values() if a.partitions_def is None]
    result = dg.materialize(
        [*whole, dbt_reference_assets],
        instance=instance,
        resources=build_resources(settings),
        run_config=QUIET,
        raise_on_error=False,
    )
    if not result.success:
        raise RuntimeError(
            f"loading the asset registry failed (run {result.run_id}): open the run in the "
            "Dagster UI, fix the registry export under the landing folder and run the demo again"
        )


def run(settings: Settings, hours: int, progress: Progress, seed: int = 7) -> str:
    from grid_intel.defs.transform.project import prepare
    from grid_intel.kafka.client import producer
    from grid_intel.simulation.archives import write_archives
    from grid_intel.simulation.feeds import Feeds
    from grid_intel.simulation.producer import history, now_floor

    manager.up(settings, manager.Selection(), progress)
    progress("dbt: building the manifest")
    prepare()
    starts = closed_hours(datetime.now(UTC), hours)
    until = now_floor()
    bad = faulty_hour(starts)
    faulty = Feeds(seed, faults=DEMO_FAULTS, faults_per_day=DEMO_FAULTS_PER_DAY)
    injected = [f for f in faulty.faults(bad, bad + timedelta(hours=1)) if f.kind in DEMO_FAULTS]
    with producer(settings.kafka_bootstrap, settings.connect_timeout_s, bulk=True) as p:
        stats = history(p, Feeds(seed), starts[0], bad, progress)
        stats.add(history(p, faulty, bad, bad + timedelta(hours=1), progress))
        stats.add(history(p, Feeds(seed), bad + timedelta(hours=1), until, progress))
    progress(f"kafka: {hours} hours of history published: {stats.line()}")
    kinds = sorted({f.kind for f in injected})
    progress(f"faults: {len(injected)} injected in {bad:%Y-%m-%d %H:00} UTC ({', '.join(kinds)})")
    record_labels(settings, seed, injected)
    StreamProcessor(settings).start(progress)
    write_archives(settings.resolved_landing_dir, seed, starts[0], until, progress)
    os.environ.update(dagster_env(settings))
    progress("registry: loading the asset registry and reference models first")
    with dg.DagsterInstance.get() as instance:
        load_reference(settings, instance)
    LiveSimulator(settings, start=until, seed=seed).start(progress)
    ui = manager.DagsterService(settings).start(progress)
    progress(f"dagster: UI at {ui.endpoint}; sensors are loading each closed hour")
    api = ApiServer(settings).start(progress)
    progress(f"api: dashboard and REST API at {api.endpoint}")
    with dg.DagsterInstance.get() as instance:
        keys = [s.strftime("%Y-%m-%d-%H:%M") for s in starts]
        wait_for_layers(instance, keys, progress, timeout_s=1200 + 240 * hours)
        report_checks(instance, keys, progress)
    report_alerts(settings, bad, progress)
    return ui.endpoint


def record_labels(settings: Settings, seed: int, injected: Sequence[Fault]) -> None:
    """The injected faults' ground truth, which gold/anomaly_evaluation scores against."""
    from grid_intel.simulation.labels import store
    from grid_intel.warehouse.connection import connect

    with connect(settings.warehouse) as conn:
        store(conn, seed, injected)


def report_alerts(settings: Settings, hour: datetime, progress: Progress) -> dict[str, int]:
    """What the stream processor raised on grid.alerts for the faulty hour, by kind."""
    from collections import Counter

    from grid_intel.streaming.processor import read_alerts

    kinds = Counter(
        a.kind
        for _, a in read_alerts(settings.kafka_bootstrap)
        if hour <= a.ts < hour + timedelta(hours=1)
    )
    said = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())) or "none yet"
    progress(f"stream: alerts on grid.alerts for {hour:%Y-%m-%d %H:00} UTC: {said}")
    return dict(kinds)
