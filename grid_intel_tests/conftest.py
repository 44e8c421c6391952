"""Stack fixtures shared by the tiers.

The stack is brought up once per session (or an already running one is used)
and only what this session started is stopped at the end. With CI=true a
service that cannot be reached fails the run instead of skipping tests.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import psycopg
import pytest

from grid_intel.settings import Settings, get_settings
from grid_intel.stack import manager
from grid_intel.warehouse.connection import connect
from grid_intel.warehouse.migrate import migrate

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TIERS = ("unit", "integration", "e2e", "faults")


def _tier(item: pytest.Item) -> int:
    parts = Path(str(item.fspath)).parts
    return next((i for i, tier in enumerate(TIERS) if tier in parts), len(TIERS))


@pytest.hookimpl(tryfirst=True)  # mark before `-m` selects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with the tier its folder names; run the fast tiers first."""
    for item in items:
        if _tier(item) < len(TIERS):
            item.add_marker(getattr(pytest.mark, TIERS[_tier(item)]))
    items.sort(key=_tier)


# Each tier's wall time, from its first test's start to its last test's end (the tiers
# run one after another), printed at the end of the run.
_TIER_SPAN: dict[str, list[float]] = {}


def _tier_of(nodeid: str) -> str:
    parts = nodeid.split("::")[0].split("/")
    return next((tier for tier in TIERS if tier in parts), "other")


def pytest_runtest_logstart(nodeid: str, location: tuple) -> None:
    _TIER_SPAN.setdefault(_tier_of(nodeid), [time.monotonic(), time.monotonic()])


def pytest_runtest_logfinish(nodeid: str, location: tuple) -> None:
    _TIER_SPAN[_tier_of(nodeid)][1] = time.monotonic()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _TIER_SPAN:
        return
    terminalreporter.section("wall time per tier")
    lines = [f"{tier:<12} {end - start:8.1f} s" for tier, (start, end) in _TIER_SPAN.items()]
    for line in lines:
        terminalreporter.write_line(line)
    if record := os.environ.get("GRID_INTEL_TIER_TIMES"):  # .ci/run prints them at its end
        with open(record, "a") as f:
            f.writelines(f"{line}\n" for line in lines)


def unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true and a required service is unavailable: {reason}", pytrace=False)
    pytest.skip(f"service unavailable: {reason}")


def _progress(message: str) -> None:
    print(f"[stack] {message}", flush=True)


@pytest.fixture(scope="session")
def base_settings() -> Settings:
    return get_settings()


def _bring_up(
    settings: Settings, selection: manager.Selection, wanted: set[str]
) -> Iterator[Settings]:
    """Start what is not already running; afterwards stop only that."""
    before = {s.name for s in manager.status(settings) if s.healthy}
    started = wanted - before
    try:
        manager.up(settings, selection, _progress)
    except Exception as exc:  # any start failure: fail in CI, skip locally
        manager.down(settings, False, _progress, only=started)
        unavailable(str(exc))
    yield settings
    if started:
        manager.down(settings, False, _progress, only=started)


@pytest.fixture(scope="session")
def stack(base_settings: Settings) -> Iterator[Settings]:
    """PostgreSQL and Kafka up (started here if needed, stopped after if started here)."""
    for settings in _bring_up(base_settings, manager.Selection(), {"postgres", "kafka"}):
        try:
            yield settings
        finally:
            _drop_template(settings)


@pytest.fixture(scope="session")
def timescale_stack(stack: Settings) -> Iterator[Settings]:
    """The TimescaleDB lane up as well."""
    yield from _bring_up(stack, manager.Selection(timescale=True), {"timescale"})


# One migrated database per server, cloned for each module: migrating takes seconds,
# `create database … template` a fraction of one.
_TEMPLATES: dict[str, str] = {}


def _migrated_template(stack: Settings) -> str:
    """The name of this server's migrated template database, made on first use."""
    admin_url = stack.local_pg_url("postgres")
    if admin_url not in _TEMPLATES:
        name = f"grid_intel_template_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'create database "{name}"')
        with connect(stack.local_pg_url(name)) as conn:
            migrate(conn)
        _TEMPLATES[admin_url] = name
    return _TEMPLATES[admin_url]


def _drop_template(stack: Settings) -> None:
    name = _TEMPLATES.pop(stack.local_pg_url("postgres"), None)
    if name is not None:
        with psycopg.connect(stack.local_pg_url("postgres"), autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')


def fresh_warehouse(stack: Settings, prefix: str) -> Iterator[Settings]:
    """Settings whose warehouse is a new, migrated database, dropped afterwards (for tests
    whose rows must not mix with other modules': a fleet, a set of regions). It is a copy
    of the session's migrated template: still a real PostgreSQL database."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin_url = stack.local_pg_url("postgres")
    template = _migrated_template(stack)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'create database "{name}" template "{template}"')
    settings = stack.with_warehouse(stack.local_pg_url(name))
    try:
        yield settings
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')


def query_frame(settings: Settings, sql: str, params: dict | None = None) -> pl.DataFrame:
    """A query's rows as a polars frame; jsonb values come back as their JSON text."""
    with connect(settings.warehouse) as conn:
        cur = conn.execute(sql, params)
        names = [d.name for d in cur.description]
        rows = [
            [json.dumps(v) if isinstance(v, dict | list) else v for v in row]
            for row in cur.fetchall()
        ]
    return pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)


@pytest.fixture(scope="session")
def test_db(stack: Settings) -> Iterator[Settings]:
    """Settings whose warehouse is a fresh, migrated database, dropped after the session."""
    yield from fresh_warehouse(stack, "grid_intel_test")


@pytest.fixture(scope="session")
def timescale_db(timescale_stack: Settings) -> Settings:
    """Settings whose warehouse is the migrated TimescaleDB lane."""
    settings = timescale_stack.with_warehouse(timescale_stack.timescale_url)
    with connect(settings.warehouse) as conn:
        migrate(conn)
    return settings


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """The dbt manifest, built by the command users run (`grid-intel dbt-prepare`, which
    `infra/dev.sh test` runs first) and again here only if a dbt file is newer: two
    pytest processes must not rewrite it while Dagster processes read it."""
    from grid_intel.defs.dbt.project import MANIFEST_PATH, manifest_is_current, prepare

    if not manifest_is_current(MANIFEST_PATH):
        prepare()
    return MANIFEST_PATH
