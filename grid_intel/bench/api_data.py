"""A month of prices and equipment health for `bench api`, written straight to a
scratch warehouse: the two tables its goal endpoints read, at production size."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import psycopg

from grid_intel.grid.registry import build_registry
from grid_intel.simulation.market import lmp

DAYS = 30
# silver.market_prices is a dbt model; the bench does not run dbt, so it creates the
# model's columns itself.
MARKET_PRICES_DDL = """
create table if not exists silver.market_prices (
    interval_start timestamptz not null, interval_end timestamptz not null,
    market text not null, location text not null, location_type text not null,
    lmp double precision, energy double precision, congestion double precision,
    loss double precision, source text not null
)
"""
MARKET_PRICES_INDEX = """
create index if not exists market_prices_latest
    on silver.market_prices (location, market, interval_start)
"""


def seed(conn: psycopg.Connection, end: datetime, scale: int = 1) -> list[str]:
    """Prices at both nodes and daily health of every asset of the registry at `scale`
    for the DAYS before `end`; returns the assets' ids."""
    start = end - timedelta(days=DAYS)
    ts = np.arange(
        np.datetime64(start.replace(tzinfo=None), "m"),
        np.datetime64(end.replace(tzinfo=None), "m"),
        np.timedelta64(5, "m"),
    ).astype("datetime64[us]")
    hours = np.arange(ts.size) / 12
    temp, wind = -15 + 6 * np.sin(hours * 2 * np.pi / 24), 6 + 3 * np.cos(hours / 17)
    prices = [lmp(3, "DA", ts[::12], temp[::12], wind[::12]), lmp(3, "RT", ts, temp, wind)]
    conn.execute(MARKET_PRICES_DDL)
    conn.execute(MARKET_PRICES_INDEX)
    markets = {"DA": "DAY_AHEAD_HOURLY", "RT": "REAL_TIME_5_MIN"}
    with conn.cursor() as cur:
        with cur.copy(
            "copy silver.market_prices (interval_start, interval_end, market, location, "
            "location_type, lmp, energy, congestion, loss, source) from stdin"
        ) as copy:
            for frame in prices:
                for r in frame.iter_rows():
                    copy.write_row((r[0], r[1], markets[r[2]], *r[3:], "stream"))
        registry = build_registry(scale)
        assets = [(t.id, "transformer", t.substation) for t in registry.transformers]
        assets += [(b.id, "breaker", b.substation) for b in registry.breakers]
        rng = np.random.default_rng(5)
        with cur.copy(
            "copy gold.equipment_health (day, asset, asset_kind, substation, health_index, band, "
            "worst_factor, cnaim_health_score, failure_probability, factors) from stdin"
        ) as copy:
            for d in range(DAYS):
                day = start + timedelta(days=d)
                for asset, kind, sub in assets:
                    hi = float(rng.uniform(40, 100))
                    copy.write_row(
                        (day, asset, kind, sub, hi, "good", "age", 1 + (100 - hi) / 10, 0.01, "{}")
                    )
    conn.commit()
    return [a for a, _, _ in assets]
