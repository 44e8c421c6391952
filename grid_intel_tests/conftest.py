"""Stack fixtures shared by the tiers.

The stack is brought up once per session (or an already running one is used)
and only what this session started is stopped at the end. With CI=true a
service that cannot be reached fails the run instead of skipping tests.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from grid_intel.settings import Settings, get_settings
from grid_intel.stack import manager
from grid_intel.warehouse.connection import connect
from grid_intel.warehouse.migrate import migrate

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TIERS = ("unit", "integration", "e2e")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with the tier its folder names."""
    for item in items:
        parts = Path(str(item.fspath)).parts
        for tier in TIERS:
            if tier in parts:
                item.add_marker(getattr(pytest.mark, tier))


def unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true and a required service is unavailable: {reason}", pytrace=False)
    pytest.skip(f"service unavailable: {reason}")


def _progress(message: str) -> None:
    print(f"[stack] {message}", flush=True)


@pytest.fixture(scope="session")
def base_settings() -> Settings:
    return get_settings()


@pytest.fixture(scope="session")
def stack(base_settings: Settings) -> Iterator[Settings]:
    """PostgreSQL and Kafka up (started here if needed, stopped after if started here)."""
    before = {s.name for s in manager.status(base_settings) if s.healthy}
    try:
        manager.up(base_settings, manager.Selection(), _progress)
    except Exception as exc:  # any start failure: fail in CI, skip locally
        unavailable(str(exc))
    yield base_settings
    started = {"postgres", "kafka"} - before
    if started:
        manager.down(base_settings, False, _progress, only=started)


@pytest.fixture(scope="session")
def timescale_stack(stack: Settings) -> Iterator[Settings]:
    """The TimescaleDB lane up as well."""
    before = {s.name for s in manager.status(stack) if s.healthy}
    try:
        manager.up(stack, manager.Selection(timescale=True), _progress)
    except Exception as exc:  # any start failure: fail in CI, skip locally
        unavailable(str(exc))
    yield stack
    if "timescale" not in before:
        manager.down(stack, False, _progress, only={"timescale"})


@pytest.fixture(scope="session")
def test_db(stack: Settings) -> Iterator[Settings]:
    """Settings whose warehouse is a fresh, migrated database, dropped after the session."""
    name = f"grid_intel_test_{uuid.uuid4().hex[:8]}"
    admin_url = stack.local_pg_url("postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    settings = stack.with_warehouse(stack.local_pg_url(name))
    with connect(settings.warehouse) as conn:
        migrate(conn)
    yield settings
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture(scope="session")
def timescale_db(timescale_stack: Settings) -> Settings:
    """Settings whose warehouse is the migrated TimescaleDB lane."""
    settings = timescale_stack.with_warehouse(timescale_stack.timescale_url)
    with connect(settings.warehouse) as conn:
        migrate(conn)
    return settings


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """The dbt manifest, built once by the same command users run."""
    from grid_intel.defs.transform.project import dbt_project, prepare

    prepare()
    return dbt_project.manifest_path
