"""What the demo prints last: where everything is, and three things to try next."""

from __future__ import annotations

from datetime import timedelta

from grid_intel.demo.run import Addresses
from grid_intel.settings import Settings, redact


def tour(settings: Settings, at: Addresses) -> list[str]:
    w = at.windows
    earlier = w.recent - timedelta(hours=6)
    return [
        "",
        f"Dashboard   {at.dashboard}/   (REST API docs: {at.dashboard}/docs)",
        f"Dagster UI  {at.ui}   (the demo's backfill: Overview > Backfills)",
        f"Warehouse   {redact(settings.warehouse)}",
        f"Kafka       {settings.kafka_bootstrap}",
        "",
        "Three things to try:",
        f"  1. Lineage from Kafka to the price signals: {at.ui}/assets/gold/price_signals"
        "?view=lineage",
        "  2. Forecasts for six earlier hours, as a backfill the UI follows:",
        "     .venv/bin/grid-intel backfill 'key:\"gold/demand_forecasts\"' "
        f"--start {earlier:%Y-%m-%dT%H:00} --end {w.recent:%Y-%m-%dT%H:00}",
        "  3. The assets in a notebook: .venv/bin/jupyter execute notebooks/grid_intel_tour.ipynb",
        "",
        "The simulator keeps streaming. Stop everything with: .venv/bin/grid-intel stack down",
    ]
