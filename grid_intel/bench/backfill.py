"""`bench backfill`: the dbt assets backfilled over days as one run per asset group.

On a database of its own, the bench loads simulated bronze for the days (SCADA
readings thinned to one scan per `scan_seconds`, and every archive through its
asset), then times one single-run backfill of the hourly dbt assets over all the
hours and one of the daily assets over all the days — what a Dagster backfill
with `BackfillPolicy.single_run()` launches. The baseline, measured in the same
run, is a raw `create table as select` of the bronze rows the group reads: what
merely copying its input once costs.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import numpy as np

from grid_intel.bench.database import scratch_database
from grid_intel.defs.partitions import range_tags
from grid_intel.ingestion.tables import BRONZE_SENSOR_READINGS
from grid_intel.settings import Settings
from grid_intel.simulation.archives import write_archives
from grid_intel.simulation.scada import ScadaSimulator
from grid_intel.stack.dagster import QUIET
from grid_intel.warehouse.connection import connect
from grid_intel.warehouse.writer import replace_window

Progress = Callable[[str], None]
START = datetime(2026, 1, 19, tzinfo=UTC)  # a winter week from a Monday, fixed for comparability
GROUP_INPUTS = {
    "hourly": ("sensor_readings", "grid_frequency", "market_prices", "miso_lmp"),
    "daily": ("weather_hourly", "outages", "work_orders"),
}


def point_places(sim: ScadaSimulator) -> list[tuple[str, str, str]]:
    """(point, RTU, substation) in the order of the simulator's value columns."""
    substation = {r.id: r.substation for r in sim.registry.rtus}
    return [(p.id, p.rtu, substation[p.rtu]) for p in sim.registry.points]


def hour_rows(
    sim: ScadaSimulator, places: list[tuple[str, str, str]], hour: datetime, every: int
) -> Iterator[tuple[object, ...]]:
    """One simulated hour of bronze.sensor_readings rows, every `every`-th scan."""
    block = sim.hour(hour)
    values = np.round(block["values"][::every], 4)
    for i, epoch in enumerate(block["ts"][::every]):
        ts = datetime.fromtimestamp(float(epoch), tz=UTC)
        seq = int(epoch // 4)
        for j, (pid, rtu, sub) in enumerate(places):
            yield (ts, rtu, sub, pid, float(values[i, j]), None, seq, 1, 0, i * len(places) + j)


def _load_bronze(
    settings: Settings, db_url: str, days: int, scale: int, every: int, progress: Progress
) -> int:
    from grid_intel.defs.landing.assets import ARCHIVE_ASSETS
    from grid_intel.defs.resources import build_resources

    end = START + timedelta(days=days)
    with tempfile.TemporaryDirectory(prefix="grid-intel-bench-") as landing:
        write_archives(Path(landing), 1, START - timedelta(days=1), end, lambda _: None, scale)
        resources = build_resources(
            settings.with_warehouse(db_url).model_copy(update={"landing_dir": Path(landing)})
        )
        for name, asset in ARCHIVE_ASSETS.items():
            keys = [(START + timedelta(days=d)).strftime("%Y-%m-%d") for d in range(days)]
            for key in keys if asset.partitions_def else [None]:
                dg.materialize([asset], resources=resources, partition_key=key, run_config=QUIET)
            progress(
                f"bronze: {name} loaded for {len(keys) if asset.partitions_def else 1} partition(s)"
            )
    sim = ScadaSimulator(seed=1, scale=scale)
    places = point_places(sim)
    rows = 0
    with connect(db_url) as conn:
        hour = START
        while hour < end:
            result = replace_window(
                conn,
                BRONZE_SENSOR_READINGS.table,
                hour_rows(sim, places, hour, every),
                hour,
                hour + timedelta(hours=1),
            )
            rows += result.inserted
            if hour.hour == 23:
                progress(f"bronze: {hour:%Y-%m-%d} readings loaded ({rows:,} so far)")
            hour += timedelta(hours=1)
    return rows


def _baseline_s(db_url: str, tables: tuple[str, ...]) -> float:
    """A raw copy of a group's bronze inputs: `create table as select *` of each."""
    t0 = time.perf_counter()
    with connect(db_url) as conn:
        for t in tables:
            conn.execute(f"create table bronze.baseline_{t} as select * from bronze.{t}")
            conn.execute(f"drop table bronze.baseline_{t}")
        conn.commit()
    return time.perf_counter() - t0


def _rows(db_url: str, group: str) -> tuple[int, int]:
    """Rows in the group's bronze inputs, and in its dbt models."""
    from grid_intel.defs.dbt.assets import dbt_daily_assets, dbt_hourly_assets

    assets = dbt_hourly_assets if group == "hourly" else dbt_daily_assets
    with connect(db_url) as conn:

        def count(table: str) -> int:
            return int(conn.execute(f"select count(*) from {table}").fetchone()[0])  # type: ignore[index]

        inputs = sum(count(f"bronze.{t}") for t in GROUP_INPUTS[group])
        outputs = sum(count(".".join(k.path)) for a in assets for k in a.keys)
    return inputs, outputs


def _time_group(
    db_url: str,
    resources: dict[str, object],
    group: str,
    assets: tuple[dg.AssetsDefinition, ...],
    start: datetime,
    end: datetime,
    fmt: str,
    step: timedelta,
    progress: Progress,
) -> dict[str, object]:
    """One single-run backfill of a group over [start, end), beside its raw-copy baseline."""
    first, last = start.strftime(fmt), (end - step).strftime(fmt)
    progress(f"{group}: one backfill run over {first} … {last}")
    t0 = time.perf_counter()
    result = dg.materialize(
        list(assets),
        resources=resources,
        run_config=QUIET,
        tags=range_tags(first, last),
    )
    seconds = time.perf_counter() - t0
    if not result.success:
        raise RuntimeError(f"the {group} backfill run failed; see the log above")
    baseline = _baseline_s(db_url, GROUP_INPUTS[group])
    inputs, outputs = _rows(db_url, group)
    run = {
        "group": group,
        "partitions": round((end - start) / step),
        "dagster_runs": 1,
        "models": sum(len(a.keys) for a in assets),
        "bronze_rows": inputs,
        "rows_written": outputs,
        "seconds": round(seconds, 2),
        "partitions_per_min": round(60 * (end - start) / step / seconds, 1),
        "bronze_rows_per_s": round(inputs / seconds),
        "raw_copy_seconds": round(baseline, 2),
        "ratio_vs_raw_copy": round(baseline / seconds, 3),
    }
    progress(
        f"{group}: {run['partitions']} partitions in {seconds:.1f} s "
        f"({run['partitions_per_min']} partitions/min, {run['bronze_rows_per_s']:,} bronze "
        f"rows/s, {run['ratio_vs_raw_copy']:.2f}x "
        f"the speed of a raw copy of its inputs)"
    )
    return run


def bench_backfill(
    settings: Settings, days: int, scale: int, scan_seconds: int, progress: Progress
) -> dict[str, object]:
    """Seconds for a single-run backfill of each dbt asset group over `days` days."""
    from grid_intel.defs.dbt.assets import (
        dbt_daily_assets,
        dbt_hourly_assets,
        dbt_reference_assets,
    )
    from grid_intel.defs.resources import build_resources

    if scan_seconds % 4:
        raise ValueError(f"scan_seconds must be a multiple of the 4 s scan, got {scan_seconds}")
    end = START + timedelta(days=days)
    report: dict[str, object] = {
        "benchmark": "backfill",
        "days": days,
        "scale": scale,
        "scan_seconds": scan_seconds,
        "runs": [],
    }
    with scratch_database(settings.warehouse) as db_url:
        readings = _load_bronze(settings, db_url, days, scale, scan_seconds // 4, progress)
        report["bronze_readings"] = readings
        resources = build_resources(settings.with_warehouse(db_url))
        dg.materialize([dbt_reference_assets], resources=resources, run_config=QUIET)
        groups = (
            ("hourly", dbt_hourly_assets, "%Y-%m-%d-%H:00", timedelta(hours=1)),
            ("daily", dbt_daily_assets, "%Y-%m-%d", timedelta(days=1)),
        )
        for group, assets, fmt, step in groups:
            report["runs"].append(  # type: ignore[union-attr]
                _time_group(db_url, resources, group, assets, START, end, fmt, step, progress)
            )
    return report
