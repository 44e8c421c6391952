"""`bench checks`: the asset checks of a day's range run on the day's readings.

On a database of its own, the bench loads a simulated day of bronze (as `bench
backfill` does) and builds the day's silver with one dbt range run, then times, each in
one Dagster run over the day's 24 hours as a backfill runs them: the Great Expectations
contract of `bronze/sensor_readings` and of `silver/validated_readings` alone, then
every check of each of the two assets. The baseline, measured in the same run, is one
raw scan of the same rows (`count(value)` over the day): what merely reading the data once
costs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import dagster as dg

from grid_intel.bench.backfill import START, _load_bronze
from grid_intel.bench.database import scratch_database
from grid_intel.defs.partitions import range_tags
from grid_intel.settings import Settings
from grid_intel.stack.dagster import QUIET
from grid_intel.warehouse.connection import connect

Progress = Callable[[str], None]
# The day's 24 hours as one range run, as a backfill runs them.
DAY_RANGE = range_tags(*((START + timedelta(hours=h)).strftime("%Y-%m-%d-%H:00") for h in (0, 23)))
TABLES = {
    ("bronze", "sensor_readings"): "bronze.sensor_readings",
    ("silver", "validated_readings"): "silver.validated_readings",
}


def _scan_s(db_url: str, table: str) -> tuple[float, int]:
    """Seconds for one raw scan of the day's rows of `table`, and how many there are."""
    with connect(db_url) as conn:
        t0 = time.perf_counter()
        row = conn.execute(
            f"select count(value) from {table} where ts >= %s and ts < %s",
            (START, START + timedelta(days=1)),
        ).fetchone()
        return time.perf_counter() - t0, int(row[0]) if row else 0


def _check_run(
    resources: dict[str, object], asset: tuple[str, str], names: list[str] | None
) -> tuple[float, dict[str, int]]:
    """One range run of the asset's checks (`names`, or all) over the day: its seconds
    and how many hour results failed, of which checks."""
    from grid_intel.defs.quality.checks import QUALITY_CHECKS

    checks = next(
        c for c in QUALITY_CHECKS if c.node_def.name == f"{asset[0]}__{asset[1]}__quality"
    )
    keys = [k for k in checks.check_keys if names is None or k.name in names]
    t0 = time.perf_counter()
    result = dg.materialize(
        [checks],
        selection=dg.AssetSelection.checks(*keys),
        resources=resources,
        run_config=QUIET,
        tags=DAY_RANGE,
        raise_on_error=False,
    )
    seconds = time.perf_counter() - t0
    per_hour = [e for e in result.get_asset_check_evaluations() if e.partition]
    return seconds, {
        "hour_results": len(per_hour),
        "failed": sum(not e.passed for e in per_hour),
        "failed_checks": sorted({e.check_name for e in per_hour if not e.passed}),
    }


def bench_checks(
    settings: Settings, scale: int, scan_seconds: int, progress: Progress
) -> dict[str, object]:
    """Seconds for a day's checks of the readings, bronze and silver, beside a raw scan."""
    from grid_intel.defs.dbt.assets import dbt_hourly_assets, dbt_reference_assets
    from grid_intel.defs.resources import build_resources

    if scan_seconds % 4:
        raise ValueError(f"scan_seconds must be a multiple of the 4 s scan, got {scan_seconds}")
    report: dict[str, object] = {
        "benchmark": "checks",
        "day": f"{START:%Y-%m-%d}",
        "scale": scale,
        "scan_seconds": scan_seconds,
        "runs": [],
    }
    with scratch_database(settings.warehouse) as db_url:
        report["bronze_readings"] = _load_bronze(
            settings, db_url, 1, scale, scan_seconds // 4, progress
        )
        resources = build_resources(settings.with_warehouse(db_url))
        dg.materialize([dbt_reference_assets], resources=resources, run_config=QUIET)
        progress("silver: one dbt range run over the day")
        built = dg.materialize(
            list(dbt_hourly_assets), resources=resources, run_config=QUIET, tags=DAY_RANGE
        )
        if not built.success:
            raise RuntimeError("the day's dbt range run failed; see the log above")
        for asset, table in TABLES.items():
            scan, rows = _scan_s(db_url, table)
            for label, names in (("gx_contract", ["gx_contract"]), ("every check", None)):
                seconds, outcome = _check_run(resources, asset, names)
                run = {
                    "asset": "/".join(asset),
                    "checks": label,
                    "hours": 24,
                    "rows": rows,
                    "seconds": round(seconds, 2),
                    **outcome,
                    "raw_scan_seconds": round(scan, 3),
                    "ratio_vs_raw_scan": round(seconds / scan, 1),
                }
                report["runs"].append(run)  # type: ignore[union-attr]
                progress(
                    f"{run['asset']} {label} over 24 hours of {rows:,} rows: {seconds:.1f} s "
                    f"({outcome['failed']} of {outcome['hour_results']} hour results failed "
                    f"{outcome['failed_checks']}; "
                    f"one raw scan of the rows {scan:.2f} s)"
                )
    return report
