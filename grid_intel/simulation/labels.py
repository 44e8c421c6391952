"""Fault labels to a JSON-lines file in the landing folder and to `ops.fault_labels`."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import orjson
import psycopg
from psycopg.types.json import Jsonb

from grid_intel.simulation.faults import Fault


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
