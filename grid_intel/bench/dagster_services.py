"""`dagster-webserver` and Dagster's stock `dagster-daemon run`: the bench's baseline for
the stack's daemon (`grid_intel.stack.daemon`), whose backfill loop pauses 5 s between
iterations instead of 30."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from grid_intel.settings import Settings
from grid_intel.stack.dagster import DagsterService

Progress = Callable[[str], None]
DEV_CLI = "DAGSTER_IS_DEV_CLI"


def stock_daemon(workspace: str) -> list[str]:
    return [str(Path(sys.executable).parent / "dagster-daemon"), "run", "-w", workspace]


@contextmanager
def dagster_services(settings: Settings, progress: Progress, stock: bool = True) -> Iterator[None]:
    """The stack's Dagster service (with Dagster's stock daemon unless `stock` is off) on
    settings' Dagster port and home, stopped on the way out."""
    service = DagsterService(settings, stock_daemon if stock else None)
    try:
        service.start(progress)
        yield
    finally:
        service.stop(purge=False, progress=progress)
