"""Security on the real PostgreSQL: the API's role reads and cannot write, the
pipeline's role writes, API keys are kept only as hashes, and no password reaches
a log line.

Every privilege is tried over a real connection as the role the API uses
(`Settings.api_warehouse`, migrations 0016 and 0018), so a grant that widens
shows up here. Webhook signatures are covered by unit/test_webhooks.py (a
tampered body, a tampered timestamp, another secret, an edited signature and a
replay all fail), so they are not repeated here.
"""

from __future__ import annotations

import hashlib
import io
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import psycopg
import pytest
from psycopg import sql

from grid_intel import log
from grid_intel.api.auth import create_key, parse
from grid_intel.broker.windows import Window
from grid_intel.ingestion.runs import LoadRecord, record_failure
from grid_intel.settings import API_ROLE, Settings, get_settings
from grid_intel.warehouse.connection import connect

TAG = uuid.uuid4().hex[:8]
PROBE = f"security_probe_{TAG}"  # made after the migrations, as dbt makes its models


@pytest.fixture(scope="module")
def warehouse(test_db: Settings) -> Iterator[Settings]:
    with connect(test_db.warehouse, autocommit=True) as conn:
        for schema in ("silver", "gold"):
            table = sql.Identifier(schema, PROBE)
            conn.execute(sql.SQL("create table {} (ts timestamptz, v float8)").format(table))
            conn.execute(sql.SQL("insert into {} values (now(), 1)").format(table))
    yield test_db
    with connect(test_db.warehouse, autocommit=True) as conn:
        for schema in ("silver", "gold"):
            conn.execute(sql.SQL("drop table if exists {}").format(sql.Identifier(schema, PROBE)))


@pytest.fixture(scope="module")
def api(warehouse: Settings) -> Iterator[psycopg.Connection]:
    """A connection as the API's role, as the API's pool opens it."""
    with connect(warehouse.api_warehouse, autocommit=True) as conn:
        yield conn


def test_the_api_and_the_pipeline_connect_as_different_roles(api, warehouse):
    role = api.execute(
        "select current_user, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls"
        " from pg_roles where rolname = current_user"
    ).fetchone()
    assert role == (API_ROLE, False, False, False, False)
    assert urlsplit(warehouse.warehouse).username not in (None, API_ROLE)


# Each is refused to the API's role: writes and DDL in every layer, reads of bronze
# and of the pipeline's bookkeeping, minting or revoking keys, becoming another role.
DENIED = {
    "insert bronze": "insert into bronze.quarantine (topic, kafka_partition, kafka_offset, error)"
    " values ('t', 0, 0, 'e')",
    "read bronze": "select count(*) from bronze.grid_frequency",
    "update bronze": "update bronze.quarantine set error = error",
    "delete bronze": "delete from bronze.sensor_readings",
    "truncate bronze": "truncate bronze.grid_frequency",
    "create in bronze": "create table bronze.api_made (i int)",
    "insert silver": f"insert into silver.{PROBE} values (now(), 2)",
    "update silver": f"update silver.{PROBE} set v = 3",
    "delete silver": f"delete from silver.{PROBE}",
    "truncate silver": f"truncate silver.{PROBE}",
    "create in silver": "create table silver.api_made (i int)",
    "alter silver": f"alter table silver.{PROBE} add column x int",
    "insert gold": "insert into gold.equipment_health default values",
    "insert gold (new table)": f"insert into gold.{PROBE} values (now(), 2)",
    "update gold": f"update gold.{PROBE} set v = 3",
    "delete gold": "delete from gold.equipment_health",
    "truncate gold": "truncate gold.equipment_health",
    "create in gold": "create table gold.api_made (i int)",
    "drop gold": "drop table gold.equipment_health",
    "create in public": "create table public.api_made (i int)",
    "create schema": "create schema api_made",
    "read ops bookkeeping": "select count(*) from ops.ingestion_runs",
    "mint a key": "insert into ops.api_keys (name, prefix, key_hash) values ('x', 'p', 'h')",
    "revoke a key": "update ops.api_keys set revoked_at = now()",
    "delete keys": "delete from ops.api_keys",
    "delete subscriptions": "delete from ops.alert_subscriptions",
    "truncate deliveries": "truncate ops.webhook_deliveries",
    "become the pipeline": "set role postgres",
}


@pytest.mark.parametrize("name", DENIED)
def test_the_api_role_is_refused(api, name: str):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        api.execute(DENIED[name])


def test_the_api_role_reads_gold_and_silver_even_tables_made_after_its_grants(api, warehouse):
    with connect(warehouse.warehouse) as conn:
        gold = [
            r[0]
            for r in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'gold'"
            )
        ]
    assert PROBE in gold and "equipment_health" in gold
    for table in gold:
        api.execute(sql.SQL("select count(*) from {}").format(sql.Identifier("gold", table)))
    assert api.execute(f"select v from silver.{PROBE}").fetchall() == [(1.0,)]


def test_the_pipeline_role_writes_bronze(warehouse):
    with connect(warehouse.warehouse) as conn:
        cur = conn.execute(
            "insert into bronze.quarantine (topic, kafka_partition, kafka_offset, error)"
            " values (%s, 0, 0, 'probe')",
            (f"security.{TAG}",),
        )
        assert cur.rowcount == 1
        conn.rollback()


def test_api_keys_are_stored_only_as_hashes(api, warehouse):
    with connect(warehouse.warehouse) as conn:
        key = create_key(conn, f"security-{TAG}")  # what `grid-intel api-key create` calls
        row = conn.execute(
            "select * from ops.api_keys where name = %s", (f"security-{TAG}",)
        ).fetchone()
    prefix, secret = parse(key) or ("", "")
    assert len(secret) >= 40  # 256 random bits, url-safe base64
    stored = [str(v) for v in row if v is not None]
    assert not [v for v in stored if secret in v or key in v]
    assert hashlib.sha256(secret.encode()).hexdigest() in stored and prefix in stored
    # What the API can read of it is the same: a prefix to find it and a hash to compare.
    seen = api.execute("select * from ops.api_keys where prefix = %s", (prefix,)).fetchone()
    assert not [v for v in map(str, seen) if secret in v]


def _failed_load() -> LoadRecord:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    window = Window(start, start + timedelta(hours=1))
    return LoadRecord("bronze_x", "grid.frequency", "2026-01-01-00:00", window, "failed", 1.0)


@pytest.mark.parametrize(
    ("user", "password"),
    [
        # libpq refuses a password with an unescaped %, quoting it in its error.
        ("postgres", f"Hunter2%zz-{TAG}"),
        # The server refuses an unknown role; the error goes through connect().
        (f"nobody_{TAG}", f"Wr0ng-{TAG}"),
    ],
)
def test_a_failing_warehouse_connection_logs_no_password(
    warehouse, monkeypatch, user: str, password: str
):
    """The real path: a bronze load cannot record its failure in ops.ingestion_runs
    because the warehouse URL is wrong, and logs why (`ingestion.runs.record_failure`)."""
    parts = urlsplit(warehouse.warehouse)
    url = parts._replace(netloc=f"{user}:{password}@{parts.hostname}:{parts.port}").geturl()
    monkeypatch.setenv("GRID_INTEL_WAREHOUSE_URL", url)
    get_settings.cache_clear()
    out = io.StringIO()
    monkeypatch.setattr(sys, "stderr", out)
    try:
        for fmt in ("json", "console"):
            log.configure("INFO", fmt)
            record_failure(lambda: connect(get_settings().warehouse, timeout_s=3), _failed_load())
    finally:
        get_settings.cache_clear()
    text = out.getvalue()
    assert text.count("bronze load failure not recorded") == 2, text
    assert password not in text and "***" in text


def test_a_malformed_warehouse_url_fails_without_its_password(warehouse):
    parts = urlsplit(warehouse.warehouse)
    password = f"Hunter2%zz-{TAG}"
    url = parts._replace(netloc=f"postgres:{password}@{parts.hostname}:{parts.port}").geturl()
    with pytest.raises((psycopg.Error, RuntimeError)) as err, connect(url, timeout_s=3):
        pass
    assert password not in str(err.value)
