"""A throw-away database on the warehouse's server, migrated, dropped after the bench."""

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
def scratch_database(warehouse_url: str) -> Iterator[str]:
    """The URL of a fresh, migrated database, dropped (with its connections) afterwards."""
    name = f"grid_intel_bench_{uuid.uuid4().hex[:8]}"
    admin_url = database_url(warehouse_url, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    url = database_url(warehouse_url, name)
    try:
        with connect(url) as conn:
            migrate(conn)
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')
