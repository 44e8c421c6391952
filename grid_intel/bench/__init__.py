"""Benchmarks: each figure beside a baseline measured in the same run, as a ratio.

Imported lazily: `bench.bench_<name>` loads only its own module (and so only its own
heavy dependencies), which keeps each of the suite's benchmark processes quick to start.
"""

from __future__ import annotations

import importlib

from grid_intel.bench.report import save, table

MODULES = {
    "bench_api": "api",
    "bench_backfill": "backfill",
    "bench_checks": "checks",
    "bench_dbt_partition": "dbt_partition",
    "bench_forecast": "forecast",
    "bench_forecast_accuracy": "forecast_accuracy",
    "bench_ingest": "ingest",
    "bench_orchestration": "orchestration",
    "bench_simulate": "simulate",
    "bench_stream": "stream",
}

__all__ = [*MODULES, "save", "table"]


def __getattr__(name: str) -> object:
    if name not in MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"grid_intel.bench.{MODULES[name]}"), name)
