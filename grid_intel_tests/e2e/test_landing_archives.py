"""`dagster dev` loads archives dropped in the landing folder with nobody clicking."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from grid_intel.settings import Settings
from grid_intel.simulation.archives import write_archives
from grid_intel.stack.dagster import DagsterDev
from grid_intel.warehouse.connection import connect
from grid_intel_tests.e2e.test_dagster_dev import (
    MATERIALIZATIONS,
    RUN_TAGS,
    SENSOR_TICKS,
    free_port,
    gql,
    materialized_by,
)


@pytest.fixture(scope="module")
def dev_with_landing(test_db: Settings, dbt_manifest, tmp_path_factory) -> Iterator[Settings]:
    db = f"dagster_e2e_{uuid.uuid4().hex[:8]}"
    admin = test_db.local_pg_url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'create database "{db}"')
    state = tmp_path_factory.mktemp("state")
    settings = test_db.model_copy(
        update={
            "state_dir": state,
            "landing_dir": state / "drop",
            "dagster_port": free_port(),
            "dagster_pg_url": test_db.local_pg_url(db),
            "sensor_lookback_hours": 0.0,
        }
    )
    dev = DagsterDev(settings)
    dev.start(print)
    yield settings
    dev.stop(purge=False, progress=print)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{db}" with (force)')


def test_the_landing_sensor_loads_dropped_archives(dev_with_landing: Settings):
    settings = dev_with_landing
    yesterday = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(
        days=1
    )
    write_archives(
        settings.resolved_landing_dir,
        3,
        yesterday - timedelta(days=1),
        yesterday + timedelta(hours=1),
        print,
    )
    key = f"{yesterday:%Y-%m-%d}"
    deadline = time.monotonic() + 540
    done: dict[str, bool] = {}
    while time.monotonic() < deadline:
        done = {
            "outages": bool(materialized_by(settings, ["bronze", "outages"], key)),
            "miso_lmp": bool(materialized_by(settings, ["bronze", "miso_lmp"], key)),
            "asset_registry": bool(
                gql(settings, MATERIALIZATIONS, {"key": {"path": ["bronze", "asset_registry"]}})[
                    "assetNodeOrError"
                ]["assetMaterializations"]
            ),
        }
        if all(done.values()):
            break
        time.sleep(5)
    assert all(done.values()), done
    (tags,) = materialized_by(settings, ["bronze", "outages"], key)[:1]
    assert tags["grid_intel/trigger"] == "landing-file"
    assert tags["dagster/sensor_name"] == "landing_archives_sensor"
    ticks = gql(settings, SENSOR_TICKS, {"name": "landing_archives_sensor"})
    assert ticks["sensorOrError"]["sensorState"]["status"] == "RUNNING"
    with connect(settings.warehouse) as conn:
        (n,) = conn.execute(
            "select count(*) from bronze.miso_lmp"
            " where interval_start >= %s and interval_start < %s",
            (yesterday, yesterday + timedelta(days=1)),
        ).fetchone()
    assert n > 0
    # An ECCC month file touches a month of days: they load in week-long partition ranges.
    weather = gql(settings, MATERIALIZATIONS, {"key": {"path": ["bronze", "weather_hourly"]}})
    runs = {m["runId"] for m in weather["assetNodeOrError"]["assetMaterializations"]}
    ranged = [
        r
        for r in runs
        if any(
            t["key"] == "dagster/asset_partition_range_start"
            for t in gql(settings, RUN_TAGS, {"id": r})["runOrError"]["tags"]
        )
    ]
    assert ranged, runs
