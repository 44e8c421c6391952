"""`bench dbt-partition`: one hourly partition of the dbt models (silver and gold).

On a database of its own, the bench loads a simulated day of bronze (as `bench
backfill` does), builds the reference models, then times one hour's partition of
the hourly silver and gold models twice: the first build and a re-run of the same
hour (the incremental, delete+insert path a late-data retry takes), with dbt in the
run's process and then, as before, as a subprocess per build. The baseline,
measured in the same run, is a raw `create table as select` of that hour's rows
of every bronze table the hourly models read.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import dagster as dg

from grid_intel.bench.backfill import GROUP_INPUTS, START, _load_bronze
from grid_intel.bench.database import scratch_database
from grid_intel.settings import Settings
from grid_intel.stack.dagster import QUIET
from grid_intel.warehouse.connection import connect

Progress = Callable[[str], None]
HOUR = START + timedelta(hours=12)  # noon of the loaded day: every lookback has data
TIME_COLUMN = {"miso_lmp": "interval_start"}  # the others are keyed by `ts`
DBT_MODES = {"dbt in process": True, "dbt subprocess per build": False}


def hour_ctas_sql(table: str) -> tuple[str, str]:
    """The baseline's statements for one bronze table: copy the hour, then drop the copy."""
    ts = TIME_COLUMN.get(table, "ts")
    copy = (
        f"create table bronze.baseline_{table} as select * from bronze.{table} "
        f"where {ts} >= %(start)s and {ts} < %(end)s"
    )
    return copy, f"drop table bronze.baseline_{table}"


def _baseline(db_url: str) -> tuple[float, int]:
    """Seconds to copy the hour's bronze inputs raw, and how many rows they are."""
    window = {"start": HOUR, "end": HOUR + timedelta(hours=1)}
    rows = 0
    with connect(db_url) as conn:
        t0 = time.perf_counter()
        for table in GROUP_INPUTS["hourly"]:
            copy, drop = hour_ctas_sql(table)
            rows += conn.execute(copy, window).rowcount
            conn.execute(drop)
        conn.commit()
        return time.perf_counter() - t0, rows


def bench_dbt_partition(
    settings: Settings, scale: int, scan_seconds: int, progress: Progress, rerun: bool = True
) -> dict[str, object]:
    """Seconds to build one hourly partition of the silver and gold models (and, with
    `rerun`, to build it again over itself)."""
    from grid_intel.defs.dbt.assets import dbt_hourly_assets, dbt_reference_assets
    from grid_intel.defs.dbt.project import dbt_resource
    from grid_intel.defs.resources import build_resources

    key = HOUR.strftime("%Y-%m-%d-%H:00")
    models = sum(len(a.keys) for a in dbt_hourly_assets)
    report: dict[str, object] = {
        "benchmark": "dbt_partition",
        "partition": key,
        "scale": scale,
        "scan_seconds": scan_seconds,
        "runs": [],
    }
    with scratch_database(settings.warehouse) as db_url:
        _load_bronze(settings, db_url, 1, scale, scan_seconds // 4, progress)
        resources = build_resources(settings.with_warehouse(db_url))
        dg.materialize([dbt_reference_assets], resources=resources, run_config=QUIET)
        attempts = ("first build", "re-run") if rerun else ("first build",)
        for mode, in_process in DBT_MODES.items():
            for attempt in attempts:
                run = f"{attempt}, {mode}"
                progress(f"dbt partition {key}: {run}, {models} hourly models")
                t0 = time.perf_counter()
                result = dg.materialize(
                    list(dbt_hourly_assets),
                    resources={**resources, "dbt": dbt_resource(in_process)},
                    partition_key=key,
                    run_config=QUIET,
                )
                seconds = time.perf_counter() - t0
                if not result.success:
                    raise RuntimeError(f"the dbt partition {key} failed ({run}); see the log above")
                baseline, rows = _baseline(db_url)
                report["runs"].append(  # type: ignore[union-attr]
                    {
                        "run": run,
                        "partition": key,
                        "models": models,
                        "bronze_rows": rows,
                        "seconds": round(seconds, 2),
                        "raw_ctas_seconds": round(baseline, 3),
                        "ratio_vs_raw_ctas": round(seconds / baseline, 1),
                    }
                )
                progress(
                    f"dbt partition {key}: {run} in {seconds:.1f} s "
                    f"(raw create-table-as-select of its {rows:,} bronze rows: {baseline:.2f} s)"
                )
    return report
