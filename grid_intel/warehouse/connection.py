"""Connections to the warehouse that fail fast with a message saying what to do."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from grid_intel import log
from grid_intel.settings import redact

if TYPE_CHECKING:
    import psycopg


class WarehouseUnavailable(RuntimeError):
    """The warehouse did not answer; the message says how to bring it up."""


@contextmanager
def connect(
    url: str, *, timeout_s: float = 5.0, autocommit: bool = False
) -> Iterator[psycopg.Connection]:
    """A psycopg connection, closed on exit; unreachable servers fail within `timeout_s`."""
    import psycopg

    try:
        conn = psycopg.connect(
            url,
            connect_timeout=max(1, int(timeout_s)),
            autocommit=autocommit,
            prepare_threshold=None,
            application_name="grid-intel",
        )
    except (psycopg.OperationalError, psycopg.ProgrammingError) as exc:
        # libpq quotes a malformed password on its own in its error: redact it, and do not
        # chain the original, whose text a traceback would print.
        reason = log.redact(" ".join(str(exc).split())[:300], log.url_secrets([url]))
        raise WarehouseUnavailable(
            f"cannot reach the warehouse at {redact(url)}: {reason}. "
            "Start the local stack with `grid-intel stack up`, or point "
            "GRID_INTEL_WAREHOUSE_URL at a running PostgreSQL."
        ) from None
    with conn:
        yield conn
