"""A Dagster webserver and daemon of the bench's own (the stack's service, or with Dagster's
stock daemon): DAGSTER_HOME and pid files under <state>/bench-orchestration, a
fresh Dagster storage database and a fresh warehouse database, both dropped after.
Only the broker is shared with the stack.

Sensors and schedules are paused once it is up: a topic sensor would otherwise request
the hour the bench publishes, and the automation would build silver behind it, both
competing for the two cores while the bench times its own run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

from grid_intel.bench.dagster_services import dagster_services
from grid_intel.bench.database import scratch_database
from grid_intel.operations.automation import paused
from grid_intel.operations.daemons import daemons_healthy
from grid_intel.operations.graphql import DagsterApiError, DagsterGraphQL
from grid_intel.settings import Settings

Progress = Callable[[str], None]


def wait_for_daemons(client: DagsterGraphQL, timeout_s: float, progress: Progress) -> None:
    """The queue's daemon must be heartbeating, or the run's queue time is its start-up."""
    deadline = time.monotonic() + timeout_s
    while not daemons_healthy(client):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the Dagster daemons were not healthy after {timeout_s:.0f} s")
        time.sleep(2)
    progress("dagster: daemons healthy")


def pause_automation(client: DagsterGraphQL, progress: Progress, attempts: int = 5) -> ExitStack:
    """Sensors and schedules paused (resumed when the stack closes). Just after start-up
    the daemon may be writing a sensor's first state as it is stopped ("already present
    in storage"): `paused` then restarts those it stopped, and the pause is tried again."""
    for attempt in range(1, attempts + 1):
        stack = ExitStack()
        try:
            stack.enter_context(paused(client, progress))
            return stack
        except DagsterApiError as exc:
            if "already present" not in str(exc) or attempt == attempts:
                raise
            progress(f"dagster: pausing raced the daemon's first ticks, again (attempt {attempt})")
            time.sleep(3)
    raise AssertionError("unreachable")


@contextmanager
def own_dagster(settings: Settings, progress: Progress, services: bool) -> Iterator[Settings]:
    """Settings of a running Dagster of the bench's own, on settings' Dagster port:
    the stack's, or with `services` a webserver and Dagster's stock daemon."""
    state = settings.state_dir / "bench-orchestration"
    with (
        scratch_database(settings.warehouse) as warehouse,
        scratch_database(settings.warehouse, "dagster_bench", migrated=False) as storage,
    ):
        bench = settings.with_state_dir(
            state,
            warehouse_url=warehouse,
            dagster_pg_url=storage,
            dagster_home=state / "dagster",
            landing_dir=state / "landing",
            sensor_lookback_hours=0.0,
        )
        t0 = time.perf_counter()
        with dagster_services(bench, progress, stock=services):
            progress(f"dagster: webserver and daemon up after {time.perf_counter() - t0:.0f} s")
            with DagsterGraphQL.local(bench.dagster_port) as client:
                wait_for_daemons(client, 240, progress)
                with pause_automation(client, progress):
                    yield bench
