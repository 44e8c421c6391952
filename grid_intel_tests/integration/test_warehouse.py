"""Migrations and the window writer on the real PostgreSQL."""

import time
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from grid_intel.ingestion.tables import BRONZE_GRID_FREQUENCY
from grid_intel.settings import Settings
from grid_intel.warehouse.connection import connect
from grid_intel.warehouse.migrate import MigrationError, bundled_files, migrate, recorded_lane
from grid_intel.warehouse.writer import replace_window

H = datetime(2026, 3, 1, 5, tzinfo=UTC)


def rows(n: int, region: str = "winnipeg", start: datetime = H) -> list[tuple]:
    return [
        (start + timedelta(seconds=10 * i), region, 60.0 + i / 1e4, 0.0, 1, 0, i) for i in range(n)
    ]


def test_migrations_are_idempotent_and_record_the_lane(test_db: Settings):
    with connect(test_db.warehouse) as conn:
        again = migrate(conn)
        assert again.applied == [] and len(again.current) == len(
            {f.split("_")[0] for f in bundled_files()}
        )
        assert recorded_lane(conn) == "postgres"
        schemas = {r[0] for r in conn.execute("select nspname from pg_namespace")}
        assert {"bronze", "silver", "gold", "ops"} <= schemas
        kind = conn.execute(
            "select relkind from pg_class where oid = 'bronze.grid_frequency'::regclass"
        ).fetchone()[0]
        assert kind == "p"  # range-partitioned on the plain-PostgreSQL lane


def test_an_edited_applied_migration_is_refused(test_db: Settings):
    files = bundled_files()
    first = sorted(files)[0]
    files[first] += "\n-- edited"
    with connect(test_db.warehouse) as conn, pytest.raises(MigrationError, match="changed after"):
        migrate(conn, files)


def test_replace_window_is_exact_on_rerun(test_db: Settings):
    end = H + timedelta(hours=1)
    with connect(test_db.warehouse) as conn:
        first = replace_window(conn, BRONZE_GRID_FREQUENCY.table, rows(360), H, end)
        second = replace_window(conn, BRONZE_GRID_FREQUENCY.table, rows(360), H, end)
        count = conn.execute(
            "select count(*) from bronze.grid_frequency where ts >= %s and ts < %s", (H, end)
        ).fetchone()[0]
    assert (first.deleted, first.inserted) == (0, 360)
    assert (second.deleted, second.inserted) == (360, 360)
    assert count == 360


def test_concurrent_loads_of_one_window_take_turns(test_db: Settings):
    """Without the window lock the second delete misses the first load's rows: doubled."""
    import threading

    from grid_intel.ingestion.tables import BRONZE_SENSOR_READINGS

    start = H + timedelta(hours=5)
    end = start + timedelta(hours=1)
    readings = [
        (start + timedelta(seconds=i), "rtu_a", "sub_a", f"p{i % 7}", float(i), None, i, 1, 0, i)
        for i in range(500)
    ]
    started = threading.Event()

    def slow_rows():
        started.set()
        for i, r in enumerate(readings):
            if i == 250:
                time.sleep(1.0)  # the other load starts while this one is mid-COPY
            yield r

    def load(rows) -> None:
        with connect(test_db.warehouse) as conn:
            replace_window(conn, BRONZE_SENSOR_READINGS.table, rows, start, end)

    first = threading.Thread(target=load, args=(slow_rows(),))
    first.start()
    started.wait(10)
    time.sleep(0.2)
    load(readings)
    first.join(30)
    with connect(test_db.warehouse) as conn:
        count = conn.execute(
            "select count(*) from bronze.sensor_readings where ts >= %s and ts < %s", (start, end)
        ).fetchone()[0]
    assert count == len(readings)


def test_a_failed_load_keeps_the_previous_rows(test_db: Settings):
    start = H + timedelta(hours=2)
    end = start + timedelta(hours=1)
    with connect(test_db.warehouse) as conn:
        replace_window(conn, BRONZE_GRID_FREQUENCY.table, rows(100, start=start), start, end)
        bad = [*rows(50, start=start), (start, "winnipeg", "not a number", 0.0, 1, 0, 999)]
        with pytest.raises((psycopg.Error, TypeError, ValueError)):
            replace_window(conn, BRONZE_GRID_FREQUENCY.table, bad, start, end)
        conn.rollback()
        count = conn.execute(
            "select count(*) from bronze.grid_frequency where ts >= %s and ts < %s", (start, end)
        ).fetchone()[0]
    assert count == 100


def test_fault_labels_upsert_idempotently(test_db: Settings):
    from grid_intel.simulation.faults import KINDS
    from grid_intel.simulation.feeds import Feeds
    from grid_intel.simulation.labels import store

    labels = Feeds(seed=9, faults=KINDS).faults(H, H + timedelta(days=1))
    with connect(test_db.warehouse) as conn:
        assert store(conn, 9, labels) == len(labels)
        store(conn, 9, labels)
        n = conn.execute("select count(*) from ops.fault_labels where seed = 9").fetchone()[0]
    assert n == len(labels) > 0
