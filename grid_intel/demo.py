"""The demo: stack up, the simulated grid through Kafka into bronze and silver, the UI running."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import dagster as dg

from grid_intel.settings import Settings
from grid_intel.stack import manager
from grid_intel.stack.dagster import dagster_env
from grid_intel.stack.service import Progress


def closed_hours(now: datetime, hours: int) -> list[datetime]:
    """Starts of the last `hours` complete UTC hours, oldest first."""
    top = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return [top - timedelta(hours=h) for h in range(hours, 0, -1)]


def materialize_partitions(
    settings: Settings,
    keys: list[str],
    progress: Progress,
    instance: dg.DagsterInstance | None = None,
) -> None:
    """Materialize bronze then dbt for each hourly partition, recorded in the instance."""
    from grid_intel.defs.ingestion.assets import BRONZE_ASSETS
    from grid_intel.defs.resources import build_resources
    from grid_intel.defs.transform.assets import grid_intel_dbt_assets

    resources = build_resources(settings)
    for i, key in enumerate(keys, 1):
        result = dg.materialize(
            [BRONZE_ASSETS["grid.frequency"], grid_intel_dbt_assets],
            partition_key=key,
            instance=instance,
            resources=resources,
            raise_on_error=True,
            # Step-by-step events stay in the run's log in the UI, not on the terminal.
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )
        rows = next(
            (
                m.metadata["dagster/row_count"].value
                for m in result.asset_materializations_for_node("bronze__grid_frequency")
            ),
            "?",
        )
        progress(
            f"materialized partition {key} ({i}/{len(keys)}): {rows} bronze rows, "
            f"run {result.run_id[:8]}"
        )


def run(settings: Settings, hours: int, progress: Progress, seed: int = 7) -> str:
    from grid_intel.defs.transform.project import prepare
    from grid_intel.kafka.client import producer
    from grid_intel.simulation.feeds import Feeds
    from grid_intel.simulation.producer import history

    manager.up(settings, manager.Selection(), progress)
    progress("dbt: building the manifest")
    prepare()
    starts = closed_hours(datetime.now(UTC), hours)
    with producer(settings.kafka_bootstrap, settings.connect_timeout_s, bulk=True) as p:
        stats = history(p, Feeds(seed), starts[0], starts[-1] + timedelta(hours=1), progress)
    progress(f"kafka: simulated grid published: {stats.line()}")
    os.environ.update(dagster_env(settings))
    with dg.DagsterInstance.get() as instance:
        materialize_partitions(
            settings, [s.strftime("%Y-%m-%d-%H:%M") for s in starts], progress, instance
        )
    ui = manager.DagsterDev(settings).start(progress)
    return ui.endpoint
