"""Encode simulated data as the platform's versioned JSON messages (bytes, keys, event times)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import orjson
import polars as pl

from grid_intel.simulation.market import LMP_COLUMNS
from grid_intel.simulation.scada import Scan

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Message:
    topic: str
    key: bytes
    value: bytes
    timestamp_ms: int
    readings: int = 1  # measurements carried (an RTU scan carries many)


def _iso(ts: datetime) -> str:
    return ts.isoformat().replace("+00:00", "Z")


def scan_message(scan: Scan, substation: str) -> Message:
    body = {
        "v": SCHEMA_VERSION,
        "ts": _iso(scan.ts),
        "rtu": scan.rtu,
        "substation": substation,
        "seq": scan.seq,
        "values": scan.values,
    }
    if scan.quality:
        body["quality"] = scan.quality
    return Message(
        "sensor.readings",
        scan.rtu.encode(),
        orjson.dumps(body),
        int(scan.ts.timestamp() * 1000),
        len(scan.values),
    )


def frequency_messages(frame: pl.DataFrame) -> Iterator[Message]:
    """Rows with ts, region, hz, rocof."""
    for ts, region, hz, rocof in frame.select("ts", "region", "hz", "rocof").iter_rows():
        body = {
            "v": SCHEMA_VERSION,
            "ts": _iso(ts),
            "region": region,
            "hz": round(hz, 4),
            "rocof": round(rocof, 5),
        }
        yield Message(
            "grid.frequency", region.encode(), orjson.dumps(body), int(ts.timestamp() * 1000)
        )


def price_messages(frame: pl.DataFrame) -> Iterator[Message]:
    """Rows in the gridstatus-style layout of `simulation.market.lmp`."""
    rows = frame.select(LMP_COLUMNS).iter_rows()
    for start, end, market, node, ltype, lmp, mec, mcc, mlc in rows:
        body = {
            "v": SCHEMA_VERSION,
            "ts": _iso(start),
            "market": market,
            "node": node,
            "location_type": ltype,
            "interval_minutes": int((end - start).total_seconds() // 60),
            "lmp": round(lmp, 2),
            "mec": round(mec, 2),
            "mcc": round(mcc, 2),
            "mlc": round(mlc, 2),
        }
        # Rounding each part separately can leave LMP a cent off the sum; keep it exact.
        body["lmp"] = round(body["mec"] + body["mcc"] + body["mlc"], 2)
        yield Message(
            "market.prices", node.encode(), orjson.dumps(body), int(start.timestamp() * 1000)
        )
