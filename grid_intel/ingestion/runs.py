"""The ops record of each bronze load attempt, which `grid-intel exporter` serves as
metrics: bronze loads run in short-lived Dagster run processes, so they leave a row
rather than expose an endpoint nobody could scrape in time."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from grid_intel import log
from grid_intel.broker.windows import Window
from grid_intel.ingestion.load import LoadReport

if TYPE_CHECKING:
    import psycopg

Status = Literal["ok", "failed"]
ERROR_CHARS = 2000
_log = log.get("grid_intel.ingestion")


@dataclass(frozen=True)
class LoadRecord:
    asset: str
    topic: str
    partition_key: str
    window: Window
    status: Status
    duration_s: float
    rows_loaded: int = 0
    rows_quarantined: int = 0
    messages: int = 0
    highest_offsets: Mapping[int, int] = field(default_factory=dict)
    run_id: str | None = None
    error: str | None = None

    @classmethod
    def ok(
        cls,
        asset: str,
        topic: str,
        partition_key: str,
        window: Window,
        report: LoadReport,
        duration_s: float,
        run_id: str | None = None,
    ) -> LoadRecord:
        return cls(
            asset,
            topic,
            partition_key,
            window,
            "ok",
            duration_s,
            report.rows,
            report.quarantined,
            report.messages,
            dict(report.highest_offsets),
            run_id,
        )

    @classmethod
    def failed(
        cls,
        asset: str,
        topic: str,
        partition_key: str,
        window: Window,
        exc: BaseException,
        duration_s: float,
        run_id: str | None = None,
    ) -> LoadRecord:
        error = f"{type(exc).__name__}: {exc}"[:ERROR_CHARS]
        return cls(
            asset, topic, partition_key, window, "failed", duration_s, run_id=run_id, error=error
        )


def record(conn: psycopg.Connection, rec: LoadRecord) -> None:
    """Insert the attempt's row and, for a successful one, raise the topic's offsets."""
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(
            "insert into ops.ingestion_runs (asset, topic, partition_key, window_start,"
            " window_end, status, rows_loaded, rows_quarantined, messages, duration_s, run_id,"
            " error) values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                rec.asset,
                rec.topic,
                rec.partition_key,
                rec.window.start,
                rec.window.end,
                rec.status,
                rec.rows_loaded,
                rec.rows_quarantined,
                rec.messages,
                rec.duration_s,
                rec.run_id,
                rec.error,
            ),
        )
        if rec.status == "ok" and rec.highest_offsets:
            cur.executemany(
                "insert into ops.ingestion_offsets (topic, kafka_partition, next_offset)"
                " values (%s, %s, %s) on conflict (topic, kafka_partition) do update set"
                " next_offset = greatest(ops.ingestion_offsets.next_offset, excluded.next_offset),"
                " updated_at = now()",
                [(rec.topic, p, o + 1) for p, o in sorted(rec.highest_offsets.items())],
            )


def record_failure(
    connection: Callable[[], AbstractContextManager[psycopg.Connection]], rec: LoadRecord
) -> None:
    """Record a failed attempt on a fresh connection (the load's may be broken); if even
    that fails, log it and carry on, so the caller re-raises the load's own error."""
    try:
        with connection() as conn:
            record(conn, rec)
    except Exception as exc:  # the warehouse itself may be what failed
        _log.warning(
            "bronze load failure not recorded in ops.ingestion_runs",
            topic=rec.topic,
            partition_key=rec.partition_key,
            load_error=rec.error,
            error=f"{type(exc).__name__}: {exc}",
        )
