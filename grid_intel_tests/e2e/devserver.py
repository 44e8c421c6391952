"""`dagster dev` for the e2e tier: its own DAGSTER_HOME, storage database and port."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from grid_intel.settings import Settings
from grid_intel.stack.dagster import DagsterDev
from grid_intel.stack.proc import free_port


@contextmanager
def dagster_dev(lane: Settings, state: Path, **overrides: object) -> Iterator[Settings]:
    """Started on `lane`'s warehouse, stopped and its storage dropped after.

    Its sensors start at the topics' ends, not at a day of other tests' data.
    """
    db = f"dagster_e2e_{uuid.uuid4().hex[:8]}"
    admin = lane.local_pg_url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'create database "{db}"')
    settings = lane.model_copy(
        update={
            "state_dir": state,
            "dagster_port": free_port(),
            "dagster_pg_url": lane.local_pg_url(db),
            "sensor_lookback_hours": 0.0,
            **overrides,
        }
    )
    dev = DagsterDev(settings)
    try:
        dev.start(print)
        yield settings
    finally:
        dev.stop(purge=False, progress=print)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{db}" with (force)')
