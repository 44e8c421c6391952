"""The API's connection pool, as its read-only database role (migration 0016)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import Request
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from grid_intel.settings import Settings


def open_pool(settings: Settings, max_size: int = 8) -> AsyncConnectionPool:
    """A pool opened lazily by the app's lifespan; connections are read-mostly and
    autocommit, so a slow reader never holds a transaction open."""
    return AsyncConnectionPool(
        settings.api_warehouse,
        min_size=1,
        max_size=max_size,
        open=False,
        kwargs={
            "autocommit": True,
            "row_factory": dict_row,
            "application_name": "grid-intel-api",
            "connect_timeout": max(1, int(settings.connect_timeout_s)),
        },
        timeout=settings.connect_timeout_s,
    )


def pool_of(request: Request) -> AsyncConnectionPool:
    return request.app.state.pool


async def fetch(
    request: Request, sql: str, params: Sequence[Any] | dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The rows of one query as dicts."""
    async with pool_of(request).connection() as conn:
        cur = await conn.execute(sql, params)
        return await cur.fetchall()
