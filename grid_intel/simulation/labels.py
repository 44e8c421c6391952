"""Fault labels to a JSON-lines file in the landing folder and to `ops.fault_labels`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
import psycopg
from psycopg.types.json import Jsonb

from grid_intel.simulation.faults import Fault

if TYPE_CHECKING:
    from grid_intel.settings import Settings


def write_jsonl(path: Path, seed: int, faults: Iterable[Fault]) -> int:
    """One label per line; returns how many were written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [orjson.dumps({"seed": seed, **f.label()}) for f in faults]
    path.write_bytes(b"\n".join(rows) + (b"\n" if rows else b""))
    return len(rows)


def store(conn: psycopg.Connection, seed: int, faults: Iterable[Fault]) -> int:
    """Upsert labels (re-running the same simulation changes nothing)."""
    rows = [
        (seed, f.kind, f.asset, f.start, f.end, list(f.points), Jsonb(f.detail)) for f in faults
    ]
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany(
            "insert into ops.fault_labels (seed, kind, asset, start_ts, end_ts, points, detail)"
            " values (%s, %s, %s, %s, %s, %s, %s)"
            " on conflict (seed, kind, asset, start_ts) do update set end_ts = excluded.end_ts,"
            " points = excluded.points, detail = excluded.detail",
            rows,
        )
    return len(rows)


def record(
    settings: Settings, seed: int, faults: Iterable[Fault], t0: datetime, t1: datetime
) -> tuple[int, Path]:
    """The ground truth of a simulation over [t0, t1): a file in the landing folder (kept
    beside the archives) and the rows `gold/anomaly_evaluation` scores against."""
    from grid_intel.warehouse.connection import connect

    faults = list(faults)
    path = (
        settings.resolved_landing_dir
        / "labels"
        / f"faults_seed{seed}_{t0:%Y%m%dT%H%M}_{t1:%Y%m%dT%H%M}.jsonl"
    )
    write_jsonl(path, seed, faults)
    with connect(settings.warehouse, timeout_s=settings.connect_timeout_s) as conn:
        store(conn, seed, faults)
    return len(faults), path
