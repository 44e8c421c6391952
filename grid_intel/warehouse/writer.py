"""Window replacement: one transaction deletes a window's rows and COPYs the new ones.

Re-materializing a window therefore gives the same rows, a crash mid-COPY rolls
back to the rows that were there before, and concurrent runs of one window
queue on a transaction-scoped advisory lock instead of doubling its rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psycopg
    from psycopg import sql


@dataclass(frozen=True)
class TableSpec:
    """A time-partitioned table: its qualified name, time column and typed columns."""

    schema: str
    name: str
    columns: tuple[tuple[str, str], ...]
    time_column: str = "ts"

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.columns]

    @property
    def ident(self) -> sql.Identifier:
        from psycopg import sql

        return sql.Identifier(self.schema, self.name)


@dataclass(frozen=True)
class WriteResult:
    deleted: int
    inserted: int


def replace_window(
    conn: psycopg.Connection,
    table: TableSpec,
    rows: Iterable[Sequence[object]],
    start: datetime,
    end: datetime,
) -> WriteResult:
    """Replace the rows of [start, end) with `rows` (binary COPY) atomically."""
    from psycopg import sql

    with conn.transaction(), conn.cursor() as cur:
        # Two runs of one window (a sensor's and a backfill's) take turns: the second
        # one's delete then sees the first one's rows, so nothing is doubled.
        cur.execute(
            "select pg_advisory_xact_lock(hashtextextended(%s, 0))",
            (f"{table.qualified}:{start.isoformat()}:{end.isoformat()}",),
        )
        cur.execute(
            "select ops.ensure_time_partitions(%s::regclass, %s, %s)", (table.qualified, start, end)
        )
        cur.execute(
            sql.SQL("delete from {} where {} >= %s and {} < %s").format(
                table.ident, sql.Identifier(table.time_column), sql.Identifier(table.time_column)
            ),
            (start, end),
        )
        deleted = cur.rowcount
        inserted = _copy_rows(cur, table, rows)
    return WriteResult(deleted, inserted)


def _copy_rows(cur: psycopg.Cursor, table: TableSpec, rows: Iterable[Sequence[object]]) -> int:
    from psycopg import sql

    names = sql.SQL(", ").join(sql.Identifier(c) for c, _ in table.columns)
    inserted = 0
    with cur.copy(
        sql.SQL("copy {} ({}) from stdin (format binary)").format(table.ident, names)
    ) as copy:
        copy.set_types([t for _, t in table.columns])
        for row in rows:
            copy.write_row(row)
            inserted += 1
    return inserted


def quarantine(conn: psycopg.Connection, rows: Iterable[Sequence[object]]) -> int:
    """Keep rejected messages (topic, partition, offset, ts, key, value, error); idempotent."""
    batch = list(rows)
    if not batch:
        return 0
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany(
            "insert into bronze.quarantine"
            " (topic, kafka_partition, kafka_offset, record_ts, key, value, error)"
            " values (%s, %s, %s, %s, %s, %s, %s)"
            " on conflict (topic, kafka_partition, kafka_offset) do update"
            " set error = excluded.error, quarantined_at = now()",
            batch,
        )
    return len(batch)
