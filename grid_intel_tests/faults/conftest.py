"""A private PostgreSQL and Kafka for fault tests, which restart them.

The shared stack (and the rest of the suite) must never see a restart, so each
session of fault tests starts its own servers on free ports in a temporary state
folder, and stops and purges them at the end.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from grid_intel.settings import Settings
from grid_intel.stack import manager
from grid_intel.stack.kafka import KafkaBroker
from grid_intel.stack.postgres import EmbeddedPostgres
from grid_intel.stack.proc import free_port
from grid_intel_tests.conftest import unavailable


def _progress(message: str) -> None:
    print(f"[private stack] {message}", flush=True)


@pytest.fixture(scope="session")
def private_stack(base_settings: Settings) -> Iterator[Settings]:
    """Settings for an embedded PostgreSQL and a KRaft broker of this session only.

    Not under pytest's tmp_path: any pytest session that starts resets
    /tmp/pytest-of-<user> to 0700, and the server's own account could then no
    longer reach its data folder to stop it.
    """
    state = Path(tempfile.mkdtemp(prefix="grid_intel_faults_"))
    settings = base_settings.model_copy(
        update={
            "state_dir": state,
            "warehouse_url": None,
            "dagster_pg_url": None,
            "kafka_bootstrap_servers": None,
            "pg_port": free_port(),
            "kafka_port": free_port(),
            "kafka_controller_port": free_port(),
            "kafka_tls_port": free_port(),
            "kafka_heap": "384m",
            "stream_metrics_port": 0,
        }
    )
    shared_libs = base_settings.state_dir / "kafka" / "libs"
    if (shared_libs / ".pom-digest").exists():  # the jars, without another Maven fetch
        shutil.copytree(shared_libs, state / "kafka" / "libs")
    try:
        manager.up(settings, manager.Selection(), _progress)
    except Exception as exc:  # any start failure: fail in CI, skip locally
        manager.down(settings, True, _progress, only={"postgres", "kafka"})
        shutil.rmtree(state, ignore_errors=True)
        unavailable(f"private stack: {exc}")
    try:
        yield settings
    finally:
        manager.down(settings, True, _progress, only={"postgres", "kafka"})
        shutil.rmtree(state, ignore_errors=True)


def restart_kafka(settings: Settings) -> None:
    """Stop the private broker (SIGTERM: a controlled shutdown) and start it again."""
    broker = KafkaBroker(settings)
    broker.stop(purge=False, progress=_progress)
    broker.start(_progress)


def stop_kafka(settings: Settings) -> None:
    KafkaBroker(settings).stop(purge=False, progress=_progress)


def start_kafka(settings: Settings) -> None:
    KafkaBroker(settings).start(_progress)


def restart_postgres(settings: Settings) -> None:
    """`pg_ctl stop -m fast` (open sessions are cut) then start, on the private server."""
    pg = EmbeddedPostgres(settings)
    pg.stop(purge=False, progress=_progress)
    pg.start(_progress)
