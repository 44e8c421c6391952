"""The demo: the simulated grid streams through Kafka and fills the layers on its own.

Recent history is published at once, a live simulator keeps streaming, and
`dagster dev` runs the landing and topic sensors and the automation that load
each hour into bronze, silver and gold as it closes: nobody clicks. The demo
waits until the history's hours are in, showing them arrive, and leaves
everything running.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import dagster as dg

from grid_intel.settings import Settings
from grid_intel.stack import manager
from grid_intel.stack.dagster import dagster_env
from grid_intel.stack.service import Progress
from grid_intel.stack.simulator import LiveSimulator

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
    with producer(settings.kafka_bootstrap, settings.connect_timeout_s, bulk=True) as p:
        stats = history(p, Feeds(seed), starts[0], until, progress)
    progress(f"kafka: {hours} hours of history published: {stats.line()}")
    write_archives(settings.resolved_landing_dir, seed, starts[0], until, progress)
    LiveSimulator(settings, start=until, seed=seed).start(progress)
    ui = manager.DagsterDev(settings).start(progress)
    progress(f"dagster: UI at {ui.endpoint}; sensors are loading each closed hour")
    os.environ.update(dagster_env(settings))
    with dg.DagsterInstance.get() as instance:
        keys = [s.strftime("%Y-%m-%d-%H:%M") for s in starts]
        wait_for_layers(instance, keys, progress, timeout_s=900 + 120 * hours)
    return ui.endpoint
