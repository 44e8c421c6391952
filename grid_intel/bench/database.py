"""A throw-away database on the warehouse's server, dropped after the bench."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg

from grid_intel.warehouse.connection import connect
from grid_intel.warehouse.migrate import migrate


def database_url(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextmanager
def scratch_database(
    server_url: str, prefix: str = "grid_intel_bench", *, migrated: bool = True
) -> Iterator[str]:
    """The URL of a fresh database on `server_url`'s server (migrated as a warehouse
    unless `migrated` is false, e.g. for Dagster's storage), dropped with its
    connections afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin_url = database_url(server_url, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    url = database_url(server_url, name)
    try:
        if migrated:
            with connect(url) as conn:
                migrate(conn)
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')
