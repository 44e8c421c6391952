"""Benchmarks: each figure beside a baseline measured in the same run, as a ratio."""

from grid_intel.bench.api import bench_api
from grid_intel.bench.backfill import bench_backfill
from grid_intel.bench.forecast import bench_forecast
from grid_intel.bench.ingest import bench_ingest
from grid_intel.bench.report import save, table
from grid_intel.bench.simulate import bench_simulate
from grid_intel.bench.stream import bench_stream

__all__ = [
    "bench_api",
    "bench_backfill",
    "bench_forecast",
    "bench_ingest",
    "bench_simulate",
    "bench_stream",
    "save",
    "table",
]
