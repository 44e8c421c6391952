"""The demo's one backfill: every layer over the whole history, the hourly products (and
the per-minute gap-filled series) over its recent hours only.

The hourly products each fit or backtest models per issued hour (seconds each):
over four days they would be most of the demo's wait, and the dashboard shows the
latest issue. Their older hours stay missing in the UI, for a user's first backfill.
Reference data is loaded before the backfill (`loaded`): the quality checks judge
each hour against the registry.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

import dagster as dg

from grid_intel.demo.shape import Windows
from grid_intel.operations.backfill import BackfillPlan, plan_backfill

RECENT_ONLY = frozenset(
    dg.AssetKey(["gold", name])
    for name in (
        "demand_forecasts",
        "lmp_forecasts",
        "price_signals",
        "carbon_forecast",
        "anomaly_events",
        "anomaly_scores",
    )
) | {
    # Every point's minute-by-minute series with its gaps filled: 2.7 M rows a day
    # whatever the scan rate, read by no product, and a third of the history's dbt time.
    dg.AssetKey(["silver", "interpolated_gaps"])
}
# Not panels, and each judges history the demo does not have: the anomaly evaluation
# a closed day's labelled faults, the price-signal backtest weeks of issued signals.
LEFT_OUT = frozenset(
    {dg.AssetKey(["gold", "anomaly_evaluation"]), dg.AssetKey(["gold", "price_signal_backtest"])}
)


def demo_plan(
    specs: Iterable[dg.AssetSpec],
    w: Windows,
    now: datetime,
    loaded: Collection[dg.AssetKey] = (),
) -> BackfillPlan:
    """One plan, each asset with its own partition range."""
    specs = list(specs)
    keys = {s.key for s in specs} - LEFT_OUT - set(loaded)
    layers = plan_backfill(
        specs, keys - RECENT_ONLY, w.start, w.until, now=now, include_unpartitioned=True
    )
    products = plan_backfill(specs, keys & RECENT_ONLY, w.recent, w.until, now=now)
    assets = sorted((*layers.assets, *products.assets), key=lambda a: a.key.to_user_string())
    return BackfillPlan(w.start, w.until, tuple(assets), layers.skipped + products.skipped)
