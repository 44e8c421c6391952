"""Bench reports: a readable table and a JSON file per run."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

START = datetime(2026, 1, 20, 12, tzinfo=UTC)  # a winter weekday, fixed for comparability

COLUMNS = {
    "simulate": (
        "scale",
        "points",
        "readings",
        "generate_readings_per_s",
        "raw_producer_readings_per_s",
        "simulate_to_kafka_readings_per_s",
        "ratio_vs_raw_producer",
        "seconds",
    ),
    "backfill": (
        "group",
        "partitions",
        "dagster_runs",
        "models",
        "bronze_rows",
        "rows_written",
        "seconds",
        "partitions_per_min",
        "bronze_rows_per_s",
        "raw_copy_seconds",
        "ratio_vs_raw_copy",
    ),
    "checks": (
        "asset",
        "checks",
        "hours",
        "rows",
        "seconds",
        "hour_results",
        "failed",
        "raw_scan_seconds",
        "ratio_vs_raw_scan",
    ),
    "dbt_partition": (
        "run",
        "partition",
        "models",
        "bronze_rows",
        "seconds",
        "raw_ctas_seconds",
        "ratio_vs_raw_ctas",
    ),
    "forecast_accuracy": (
        "series",
        "origins",
        "auto_mape_pct",
        "mstl_mape_pct",
        "seasonal_naive_mape_pct",
        "ratio_vs_mstl",
        "auto_s_per_call",
        "mstl_s_per_call",
        "beats_mstl",
    ),
    "forecast": (
        "phase",
        "series",
        "seconds",
        "baseline",
        "baseline_seconds",
        "ratio_vs_baseline",
        "goal_seconds",
        "meets_goal",
    ),
    "ingest": (
        "scale",
        "readings",
        "messages",
        "raw_copy_readings_per_s",
        "ingest_readings_per_s",
        "ratio_vs_raw_copy",
        "decode_only_readings_per_s",
        "ingest_seconds",
    ),
    "api": (
        "endpoint",
        "requests",
        "achieved_rps",
        "p50_ms",
        "p99_ms",
        "max_ms",
        "errors",
        "p99_vs_baseline",
        "meets_goal",
    ),
    "orchestration": (
        "figure",
        "seconds",
        "baseline",
        "baseline_seconds",
        "ratio",
        "goal_seconds",
        "meets_goal",
        "detail",
    ),
    "stream": (
        "scale",
        "readings",
        "messages",
        "raw_consumer_readings_per_s",
        "processor_readings_per_s",
        "ratio_vs_raw_consumer",
        "alerts",
        "latency_alerts",
        "latency_p50_ms",
        "latency_p99_ms",
        "broker_p50_ms",
        "latency_p50_vs_broker",
    ),
}


def table(report: dict[str, object], columns: Sequence[str] | None = None) -> str:
    cols = tuple(columns or COLUMNS[str(report["benchmark"])])
    rows = [cols] + [tuple(str(r[c]) for c in cols) for r in report["runs"]]  # type: ignore
    widths = [max(len(r[i]) for r in rows) for i in range(len(cols))]
    return "\n".join("  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) for r in rows)


def save(report: dict[str, object], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{report['benchmark']}_{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(report, indent=2))
    return path
