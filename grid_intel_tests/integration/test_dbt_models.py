"""The dbt project on both lanes: built twice over the same partitions (a single-run
backfill, then partition by partition on the incremental path), its silver and
gold results compared with an independent polars computation on the same bronze
rows, registry and archives."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import numpy as np
import polars as pl
import pytest

from grid_intel.archives import outages as outage_files
from grid_intel.defs.resources import build_resources
from grid_intel.grid.registry import Registry, build_registry
from grid_intel.ingestion.tables import BRONZE_TOPICS
from grid_intel.market import read_miso_lmp
from grid_intel.settings import Settings
from grid_intel.simulation.archives import write_archives
from grid_intel.simulation.scada import ScadaSimulator
from grid_intel.warehouse.connection import connect
from grid_intel.warehouse.writer import replace_window
from grid_intel_tests.integration import gold_reference as ref

DAY = datetime(2026, 3, 11, tzinfo=UTC)  # one sustained and one momentary outage
HOURS = [DAY + timedelta(hours=10), DAY + timedelta(hours=11)]
START, END = HOURS[0], HOURS[-1] + timedelta(hours=1)
KEYS = [h.strftime("%Y-%m-%d-%H:00") for h in HOURS]
READING_COLUMNS = [c for c, _ in BRONZE_TOPICS[0].table.columns]


def wanted_points(registry: Registry) -> list[str]:
    """Demand, generation and interchange points, and one transformer's."""
    return [
        p.id
        for p in registry.points
        if p.asset_kind in ("region", "intertie", "station") or p.asset == "gs_kettle_t1"
    ]


# A legacy RTU reports this point in °F: silver must store it in °C like the rest.
FAHRENHEIT_POINT = "gs_kettle_t1.ambient_temp_c"


def as_fahrenheit_in_point_list(archives: Path) -> None:
    """Edit the exported point list as the utility's SCADA database would have it."""
    path = archives / "registry" / "points.csv"
    lines = path.read_text().splitlines()
    lines = [
        f"{FAHRENHEIT_POINT},rtu_gs_kettle,gs_kettle_t1,transformer,ambient_temp_c,degF,-58.0,113.0"
        if line.startswith(f"{FAHRENHEIT_POINT},")
        else line
        for line in lines
    ]
    path.write_text("\n".join(lines) + "\n")


def with_defects(rows: pl.DataFrame) -> pl.DataFrame:
    """Every kind of bad data the silver layer must recognise, at known places."""
    at = pl.col("ts")
    h1 = HOURS[1]
    dupes = rows.filter(at < START + timedelta(minutes=2)).with_columns(
        pl.col("kafka_offset") + 10_000_000
    )
    # A later copy that corrects the value: the latest copy wins.
    corrected = dupes.head(5).with_columns(pl.col("value") + 1.0, pl.col("kafka_offset") + 1)
    ghost = (
        rows.filter(pl.col("point_id") == "winnipeg.load_mw")
        .head(20)
        .with_columns(
            pl.lit("ghost.load_mw").alias("point_id"), pl.col("kafka_offset") + 20_000_000
        )
    )

    def point_in(pid: str, lo: int, hi: int) -> pl.Expr:
        return (
            (pl.col("point_id") == pid)
            & (at >= h1 + timedelta(minutes=lo))
            & (at < h1 + timedelta(minutes=hi))
        )

    gap = point_in("gs_kettle_t1.load_mva", 10, 22) | point_in("gs_kettle_t1.load_mva", 30, 56)
    bad = point_in("winnipeg.load_mw", 5, 6)
    out_of_range = point_in("tie_spc.active_power_mw", 40, 41)
    spike = point_in("gs_kettle_t1.top_oil_temp_c", 20, 20 + 1) & (at.dt.second() < 4)
    rows = rows.filter(~gap).with_columns(
        pl.when(bad).then(None).otherwise(pl.col("value")).alias("value"),
        pl.when(bad).then(pl.lit("bad")).otherwise(pl.col("quality")).alias("quality"),
    )
    rows = rows.with_columns(
        pl.when(out_of_range)
        .then(10_000.0)
        .when(spike)
        .then(pl.col("value") + 40.0)
        .otherwise(pl.col("value"))
        .alias("value")
    )
    return pl.concat([rows, dupes, corrected, ghost])


def bronze_readings(registry: Registry) -> pl.DataFrame:
    sim = ScadaSimulator(seed=7)
    column = sim.columns
    points = {p.id: p for p in registry.points}
    rtus = {r.id: r for r in registry.rtus}
    frames = []
    for hour in HOURS:
        block = sim.hour(hour)
        ts = pl.Series(np.asarray(block["ts"] * 1e6, dtype="int64")).cast(pl.Datetime("us", "UTC"))
        for pid in wanted_points(registry):
            p = points[pid]
            frames.append(
                pl.DataFrame(
                    {
                        "ts": ts,
                        "rtu": p.rtu,
                        "substation": rtus[p.rtu].substation,
                        "point_id": pid,
                        "value": np.round(block["values"][:, column[pid]], 4),
                        "quality": pl.Series([None] * len(ts), dtype=pl.String),
                        "seq": (block["ts"] // 4).astype("int64"),
                        "schema_version": 1,
                    }
                )
            )
    fahrenheit = pl.col("point_id") == FAHRENHEIT_POINT
    rows = (
        pl.concat(frames)
        .with_row_index("kafka_offset")
        .with_columns(
            pl.col("kafka_offset").cast(pl.Int64),
            pl.lit(0).alias("kafka_partition"),
            pl.when(fahrenheit).then(pl.col("value") * 9 / 5 + 32).otherwise(pl.col("value")),
        )
    )
    return with_defects(rows).select(READING_COLUMNS)


def load_bronze(settings: Settings, readings: pl.DataFrame, lmp: pl.DataFrame) -> None:
    """Replace the window's bronze readings and stream prices with the bronze writer
    (the stream is $1 off MISO's files, which must win)."""
    tables = {b.table.name: b.table for b in BRONZE_TOPICS}
    stream = lmp.filter((pl.col("Interval Start") >= START) & (pl.col("Interval Start") < END))
    prices = []
    for i, r in enumerate(stream.iter_rows(named=True)):
        da = r["Market"] == "DAY_AHEAD_HOURLY"
        prices.append(
            (
                r["Interval Start"],
                "DA" if da else "RT",
                r["Location"],
                r["Location Type"] or "Node",
                60 if da else 5,
                r["LMP"] + 1.0,
                r["Energy"],
                r["Congestion"],
                r["Loss"],
                1,
                0,
                i,
            )
        )
    with connect(settings.warehouse) as conn:
        replace_window(conn, tables["sensor_readings"], readings.iter_rows(), START, END)
        replace_window(conn, tables["market_prices"], prices, START, END)


def materialize(assets: list, settings: Settings, **kwargs) -> dg.ExecuteInProcessResult:
    result = dg.materialize(assets, resources=build_resources(settings), **kwargs)
    assert result.success
    return result


def build(settings: Settings, *, single_run: bool) -> list[dg.AssetCheckEvaluation]:
    """Hourly models over both hours (single run) or the second hour alone (the
    incremental path), then the day's; every dbt test must pass."""
    from grid_intel.defs.dbt.assets import dbt_daily_assets, dbt_hourly_assets

    runs = (
        [
            {
                "tags": {
                    "dagster/asset_partition_range_start": KEYS[0],
                    "dagster/asset_partition_range_end": KEYS[-1],
                }
            }
        ]
        if single_run
        else [{"partition_key": KEYS[-1]}]  # one window replaced beside one left as it was
    )
    results = [materialize(list(dbt_hourly_assets), settings, **run) for run in runs]
    results.append(
        materialize(list(dbt_daily_assets), settings, partition_key=DAY.strftime("%Y-%m-%d"))
    )
    checks = [e for r in results for e in r.get_asset_check_evaluations()]
    assert checks and all(c.passed for c in checks), [c.check_name for c in checks if not c.passed]
    return checks


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("landing")
    write_archives(folder, 7, DAY - timedelta(days=1), DAY + timedelta(days=1), lambda _: None)
    as_fahrenheit_in_point_list(folder)
    return folder


def prepare(settings: Settings, archives: Path) -> Settings:
    """Bronze for the window: readings and prices rows, archives through their assets."""
    from grid_intel.defs.dbt.assets import dbt_reference_assets
    from grid_intel.defs.landing.assets import ARCHIVE_ASSETS

    settings = settings.model_copy(update={"landing_dir": archives})
    for asset in ARCHIVE_ASSETS.values():
        day = {"partition_key": DAY.strftime("%Y-%m-%d")} if asset.partitions_def else {}
        materialize([asset], settings, **day)
    materialize([dbt_reference_assets], settings)
    load_bronze(settings, bronze_readings(build_registry()), lmp(archives))
    return settings


def lmp(archives: Path) -> pl.DataFrame:
    return pl.concat([read_miso_lmp(p) for p in sorted((archives / "miso").glob("*.csv"))])


def frame(settings: Settings, sql: str) -> pl.DataFrame:
    """A query's rows as a frame, timestamps in UTC."""
    with connect(settings.warehouse) as conn:
        cur = conn.execute(sql, {"start": START, "end": END, "day": DAY})
        names = [d.name for d in cur.description]
        out = pl.DataFrame(cur.fetchall(), schema=names, orient="row", infer_schema_length=None)
    return out.with_columns(
        pl.col(c).dt.convert_time_zone("UTC")
        for c, t in out.schema.items()
        if isinstance(t, pl.Datetime)
    )


def same(got: pl.DataFrame, want: pl.DataFrame, keys: list[str]) -> None:
    """Same keys, same values (numbers within 1e-6): shows the rows that differ."""
    cols = list(want.columns)
    assert got.height == want.height, (got.height, want.height)
    joined = got.select(cols).join(want.select(cols), on=keys, how="full", suffix="_want")
    differing = joined.filter(
        pl.any_horizontal(
            ~pl.col(c).eq_missing(pl.col(f"{c}_want"))
            & ~((pl.col(c) - pl.col(f"{c}_want")).abs() <= 1e-6)
            if want.schema[c].is_numeric()
            else ~pl.col(c).eq_missing(pl.col(f"{c}_want"))
            for c in cols
            if c not in keys
        )
    )
    assert differing.is_empty(), differing.head(10)


def compare_with_polars(settings: Settings, archives: Path) -> None:
    registry = build_registry()
    readings = ref.validated(bronze_readings(registry), registry, {FAHRENHEIT_POINT: "degF"})
    window = readings.filter((pl.col("ts") >= START) & (pl.col("ts") < END))

    got = frame(
        settings,
        "select point_id, ts, quality_code, value, copies from silver.validated_readings"
        " where ts >= %(start)s and ts < %(end)s",
    )
    same(
        got, window.select("point_id", "ts", "quality_code", "value", "copies"), ["point_id", "ts"]
    )
    codes = dict(got.group_by("quality_code").len().iter_rows())
    assert codes["bad_unknown_point"] == 20 and codes["bad_source"] == 15
    # The spike and the step back from it; and the step back from the out-of-range values.
    assert codes["bad_out_of_range"] == 15 and codes["uncertain_spike"] == 3
    assert got["copies"].max() == 3  # original, duplicate, correction
    # The °F point came back in °C (the reference holds the simulator's °C values).
    ambient = got.filter(pl.col("point_id") == FAHRENHEIT_POINT)["value"]
    assert ambient.len() > 0 and ambient.min() > -50 and ambient.max() < 45

    fills = frame(
        settings,
        "select point_id, minute, value, fill from silver.interpolated_gaps"
        " where minute >= %(start)s and minute < %(end)s",
    )
    same(fills, ref.gap_fill(readings, START, END, 15), ["point_id", "minute"])
    kettle = fills.filter(pl.col("point_id") == "gs_kettle_t1.load_mva")
    assert dict(kettle.group_by("fill").len().iter_rows()) == {
        "measured": 120 - 12 - 26,
        "carried_forward": 12 + 15,
        "gap": 11,
    }

    stats = ref.station_stats(readings)
    got = frame(
        settings,
        "select hour, point_id, min_value, max_value, mean_value, p95_value, readings,"
        " readings_received, availability from gold.hourly_station_stats"
        " where hour >= %(start)s and hour < %(end)s",
    )
    same(
        got,
        stats.drop("asset", "asset_kind", "measurement", "scan_interval_s"),
        ["hour", "point_id"],
    )

    demand, interchange = ref.demand(stats), ref.interchange(readings)
    prices = ref.prices(lmp(archives), START, END)  # the published files win over the stream
    files = sorted((archives / "outages").glob("*"))
    outages = pl.concat([outage_files.read(p) for p in files]).filter(
        (pl.col("start_utc") >= DAY) & (pl.col("start_utc") < DAY + timedelta(days=1))
    )
    reliability = ref.reliability(outages, registry, DAY)
    in_hours = "hour >= %(start)s and hour < %(end)s"
    expected = [
        ("gold.demand_hourly", in_hours, demand, ["hour", "region"]),
        ("gold.generation_mix_hourly", in_hours, ref.generation_mix(stats, registry),
         ["hour", "fuel"]),
        ("gold.interchange_hourly", in_hours, interchange, ["hour", "intertie"]),
        ("gold.prices_hourly", in_hours, prices, ["hour", "location"]),
        ("gold.reliability_daily", "day = %(day)s", reliability, ["region"]),
        ("gold.reliability_monthly", "month = date_trunc('month', %(day)s::timestamptz, 'UTC')",
         reliability.select("region", "saifi", "saidi_minutes", "maifi"), ["region"]),
        ("gold.capacity_factor_daily", "day = %(day)s",
         ref.capacity_factor(stats, registry).drop("capacity_mw"), ["station"]),
        ("gold.peak_demand_daily", "day = %(day)s", ref.peak_demand(demand, registry), ["day"]),
        ("gold.export_revenue_daily", "day = %(day)s", ref.export_revenue(interchange, prices),
         ["day"]),
    ]  # fmt: skip
    for table, where, want, keys in expected:
        got = frame(settings, f"select {', '.join(want.columns)} from {table} where {where}")
        same(got, want, keys)
    mb = frame(settings, "select saifi from gold.reliability_daily where day = %(day)s"
               " and region = 'MB'")  # fmt: skip
    assert mb["saifi"][0] > 0  # the day's sustained outage counts


def run_lane(settings: Settings, archives: Path) -> None:
    settings = prepare(settings, archives)
    build(settings, single_run=True)
    compare_with_polars(settings, archives)
    checks = build(settings, single_run=False)  # incremental path: each window replaced
    compare_with_polars(settings, archives)
    assert {c.asset_key.path[0] for c in checks} == {"silver", "gold"}


def test_dbt_project_on_postgres(test_db: Settings, dbt_manifest, archives: Path) -> None:
    run_lane(test_db, archives)
    with connect(test_db.warehouse) as conn:
        indexed = {
            (s, t, d.split("(")[-1].rstrip(")"))
            for s, t, d in conn.execute(
                "select schemaname, tablename, indexdef from pg_indexes"
                " where schemaname in ('silver', 'gold')"
            ).fetchall()
        }
    # Each window's delete and each hour's checks find their rows by the time column.
    assert {
        ("silver", "validated_readings", "ts"),
        ("silver", "interpolated_gaps", "minute"),
        ("gold", "hourly_station_stats", "hour"),
    } <= indexed
    rebuild_beside_another_writer(test_db, sorted({(s, t) for s, t, _ in indexed}))


def rebuild_beside_another_writer(settings: Settings, tables: list[tuple[str, str]]) -> None:
    """A build of an hour while another transaction writes the same tables (another
    window's run) must not wait for it: the index post-hook once took a SHARE lock even
    with the index there, and two runs deadlocked on it against persist_docs' lock.
    A build that waits for a lock fails after 20 s instead of hanging the test."""
    from grid_intel.defs.dbt.assets import dbt_hourly_assets

    with connect(settings.warehouse) as writer:
        for schema, table in tables:  # ROW EXCLUSIVE on each, held until this block ends
            writer.execute(f'delete from "{schema}"."{table}" where false')
        before = os.environ.get("PGOPTIONS")
        os.environ["PGOPTIONS"] = "-c lock_timeout=20s"
        try:
            materialize(list(dbt_hourly_assets), settings, partition_key=KEYS[-1])
        finally:
            if before is None:
                os.environ.pop("PGOPTIONS")
            else:
                os.environ["PGOPTIONS"] = before


@pytest.mark.timescale
def test_dbt_project_on_timescaledb(timescale_db: Settings, dbt_manifest, archives: Path) -> None:
    run_lane(timescale_db, archives)
    with connect(timescale_db.warehouse) as conn:
        caggs = conn.execute(
            "select view_schema || '.' || view_name"
            " from timescaledb_information.continuous_aggregates"
        ).fetchall()
        tables = {
            f"{s}.{t}"
            for s, t in conn.execute(
                "select hypertable_schema, hypertable_name from timescaledb_information.hypertables"
            ).fetchall()
        }
    assert ("gold.interchange_hourly",) in caggs
    assert {
        "silver.validated_readings",
        "silver.interpolated_gaps",
        "gold.hourly_station_stats",
    } <= tables


def test_dbt_docs_generate_one_page_with_every_gold_model(test_db: Settings, dbt_manifest) -> None:
    from grid_intel.defs.dbt.project import generate_docs
    from grid_intel.defs.resources import WarehouseResource

    warehouse = WarehouseResource(url=test_db.warehouse)
    page = generate_docs(warehouse.lane(), warehouse.dbt_env())
    html = page.read_text()
    for model in ("hourly_station_stats", "reliability_daily", "export_revenue_daily"):
        assert model in html
    assert "Good readings over expected scans" in html  # a column's description


def test_two_builds_of_one_group_take_turns_on_the_warehouse(test_db: Settings):
    """Two runs of the same dbt group started together on a fresh warehouse both created
    a model's missing table and one failed; a build now holds the group's lock."""
    from grid_intel.defs.dbt.assets import one_build_at_a_time
    from grid_intel.defs.resources import WarehouseResource

    warehouse = WarehouseResource(url=test_db.warehouse)
    taken = "select pg_try_advisory_lock(hashtextextended(%s, 0))"
    with connect(test_db.warehouse, autocommit=True) as other:
        with one_build_at_a_time(warehouse, "postgres", "grid_intel_dbt_hourly_silver"):
            assert not other.execute(taken, ("dbt:grid_intel_dbt_hourly_silver",)).fetchone()[0]
            # Another group builds meanwhile.
            assert other.execute(taken, ("dbt:grid_intel_dbt_hourly_gold",)).fetchone()[0]
        assert other.execute(taken, ("dbt:grid_intel_dbt_hourly_silver",)).fetchone()[0]
