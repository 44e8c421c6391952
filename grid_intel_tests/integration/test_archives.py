"""Archive assets on the real database: landing files → exactly the parsed rows of the day,
re-runs, quarantined lines, missing files, the landing sensor, and the TimescaleDB lane."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from grid_intel.archives import eccc, gis, outages, registry, weather_forecasts, work_orders
from grid_intel.archives.files import lines
from grid_intel.defs.landing.assets import ARCHIVE_ASSETS
from grid_intel.defs.landing.sensors import landing_sensor
from grid_intel.defs.resources import LandingResource, WarehouseResource
from grid_intel.ingestion import archive_files as af
from grid_intel.ingestion import archives
from grid_intel.ingestion.archive_load import TABLES
from grid_intel.ingestion.landing_watch import scan
from grid_intel.market import parse_miso_lmp
from grid_intel.settings import Settings
from grid_intel.simulation.archives import write_archives
from grid_intel.warehouse.connection import connect
from grid_intel.warehouse.migrate import hypertables

FIRST = date(2026, 3, 31)
DAY = date(2026, 4, 1)  # reads two LST months per station and two market days
KEY = DAY.isoformat()


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("landing")
    start = datetime.combine(FIRST, datetime.min.time(), tzinfo=UTC)
    write_archives(folder, 3, start, start + timedelta(days=2), lambda _: None)
    return folder


def materialize(
    settings: Settings, folder: Path, source: str, key: str | None = KEY
) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [ARCHIVE_ASSETS[source]],
        partition_key=key,
        resources={
            "warehouse": WarehouseResource(url=settings.warehouse),
            "landing": LandingResource(folder=str(folder)),
        },
        raise_on_error=False,
    )


def metadata(result: dg.ExecuteInProcessResult, source: str) -> dict[str, object]:
    assert result.success
    (mat,) = result.asset_materializations_for_node(ARCHIVE_ASSETS[source].op.name)
    return {k: v.value for k, v in mat.metadata.items()}


def failure(result: dg.ExecuteInProcessResult) -> str:
    assert not result.success
    (event,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    return event.step_failure_data.error.message


def columns(source: str, without: tuple[str, ...] = ("source_line",)) -> list[str]:
    return [c for c, _ in TABLES[source].columns if c not in without]


def loaded(settings: Settings, source: str, cols: list[str], day: date | None = DAY) -> list:
    table = TABLES[source]
    where, args = "", ()
    if day is not None:
        start, end = af.day_bounds(day)
        where, args = f" where {table.time_column} >= %s and {table.time_column} < %s", (start, end)
    with connect(settings.warehouse) as conn:
        return sorted(
            conn.execute(f"select {', '.join(cols)} from {table.qualified}{where}", args),
            key=repr,
        )


def parsed_day(folder: Path, source: str, day: date) -> pl.DataFrame:
    """The day's rows straight from the readers, with their file."""
    start, end = af.day_bounds(day)
    cov = af.day_files(source, day, af_names(folder))
    frames = []
    for rel in cov.present:
        if source == af.WEATHER_HOURLY:
            frame = eccc.parse(folder / rel).frame
        elif source == af.MISO_LMP:
            frame = parse_miso_lmp(folder / rel).frame.rename(archives.snake)
        elif source == af.OUTAGES:
            frame = outages.parse(folder / rel).frame
        elif source == af.WEATHER_FORECASTS:
            frame = weather_forecasts.parse(folder / rel).frame
        else:
            frame = work_orders.parse(folder / rel).frame.with_columns(
                ts=pl.coalesce("opened_utc", "planned_start_utc")
            )
        frames.append(frame.with_columns(source_file=pl.lit(rel)))
    time_col = TABLES[source].time_column
    frame = pl.concat(frames).filter((pl.col(time_col) >= start) & (pl.col(time_col) < end))
    return frame


def af_names(folder: Path) -> set[str]:
    return set(scan(folder))


@pytest.mark.parametrize("source", af.DAILY)
def test_a_day_loads_exactly_the_parsed_rows_and_reloads_the_same(
    test_db: Settings, landing: Path, source: str
):
    want = parsed_day(landing, source, DAY)
    assert want.height > 0
    cols = columns(source)
    meta = metadata(materialize(test_db, landing, source), source)
    got = loaded(test_db, source, cols)
    assert got == sorted(want.select(cols).iter_rows(), key=repr)
    assert meta["dagster/row_count"] == want.height == len(got)
    assert meta["files"] == sorted(af.day_files(source, DAY, af_names(landing)).present)
    assert meta["quarantined"] == 0
    if source in (af.WEATHER_HOURLY, af.MISO_LMP):
        assert meta["outside_day"] > 0  # month files, and market days crossing midnight UTC
    with_lines = loaded(test_db, source, columns(source, ()))
    again = metadata(materialize(test_db, landing, source), source)
    assert loaded(test_db, source, columns(source, ())) == with_lines
    assert again["rows_replaced"] == again["dagster/row_count"] == meta["dagster/row_count"]


def test_rows_carry_their_file_and_line(test_db: Settings, landing: Path):
    metadata(materialize(test_db, landing, af.WEATHER_HOURLY), af.WEATHER_HOURLY)
    rows = loaded(test_db, af.WEATHER_HOURLY, ["source_file", "source_line", "ts"])
    assert len(rows) == 24 * 7
    for rel, line, ts in rows[:: 7 * 3]:
        field = lines(landing / rel)[line - 1].split(",")[4].strip('"')
        assert field == ts.astimezone(eccc.LST).strftime("%Y-%m-%d %H:%M")


def test_a_backfill_run_loads_a_range_of_days(test_db: Settings, landing: Path):
    result = dg.materialize(
        [ARCHIVE_ASSETS[af.WEATHER_HOURLY]],
        tags={
            "dagster/asset_partition_range_start": FIRST.isoformat(),
            "dagster/asset_partition_range_end": KEY,
        },
        resources={
            "warehouse": WarehouseResource(url=test_db.warehouse),
            "landing": LandingResource(folder=str(landing)),
        },
    )
    mats = result.asset_materializations_for_node(ARCHIVE_ASSETS[af.WEATHER_HOURLY].op.name)
    assert sorted(m.partition for m in mats) == [FIRST.isoformat(), KEY]
    assert mats[0].metadata["dagster/row_count"].value == 2 * 24 * 7
    for day in (FIRST, DAY):
        assert len(loaded(test_db, af.WEATHER_HOURLY, ["ts"], day)) == 24 * 7


def test_registry_and_gis_replace_their_tables(test_db: Settings, landing: Path):
    meta = metadata(materialize(test_db, landing, af.ASSET_REGISTRY, None), af.ASSET_REGISTRY)
    want = {
        (kind, rec["id"]): {k: v for k, v in rec.items() if k != "id"}
        for kind in registry.RECORDS
        for rec in registry.read(landing / "registry" / f"{kind}.csv").iter_rows(named=True)
    }
    got = loaded(test_db, af.ASSET_REGISTRY, ["kind", "id", "attributes"], None)
    assert {(k, i): a for k, i, a in got} == want and meta["dagster/row_count"] == len(want)
    metadata(materialize(test_db, landing, af.ASSET_REGISTRY, None), af.ASSET_REGISTRY)
    assert len(loaded(test_db, af.ASSET_REGISTRY, ["id"], None)) == len(want)

    frame = gis.read(landing / "gis/grid.geojson")
    metadata(materialize(test_db, landing, af.GIS_FEATURES, None), af.GIS_FEATURES)
    got = loaded(test_db, af.GIS_FEATURES, ["kind", "id", "lon", "lat", "properties"], None)
    assert len(got) == frame.height
    by_id = {(k, i): (lon, lat, p) for k, i, lon, lat, p in got}
    for rec in frame.iter_rows(named=True):
        lon, lat, props = by_id[(rec["kind"], rec["id"])]
        assert (lon, lat) == (rec["lon"], rec["lat"]) and props["id"] == rec["id"]


def quarantine(settings: Settings, path: str) -> list[tuple]:
    with connect(settings.warehouse) as conn:
        return conn.execute(
            "select source, line, raw, error from bronze.file_quarantine where path = %s"
            " order by line",
            (path,),
        ).fetchall()


def test_a_corrupted_line_is_quarantined_and_the_rest_loaded(
    test_db: Settings, landing: Path, tmp_path: Path
):
    folder = tmp_path / "landing"
    shutil.copytree(landing, folder)
    rel = af.weather_file("502S001", 2026, 4)
    text = lines(folder / rel)
    # 1 April 12:00 UTC is 06:00 LST: line 2 of the April file is 00:00 LST.
    n = 2 + 6
    good = text[n - 1]
    text[n - 1] = good[:60]  # cut short
    (folder / rel).write_text("\n".join(text) + "\n", encoding="utf-8-sig")
    meta = metadata(materialize(test_db, folder, af.WEATHER_HOURLY), af.WEATHER_HOURLY)
    ((source, line, raw, error),) = quarantine(test_db, rel)
    assert (source, line, raw) == (af.WEATHER_HOURLY, n, text[n - 1]) and error
    assert meta["quarantined"] == 1 and meta["dagster/row_count"] == 24 * 7 - 1
    stations = loaded(test_db, af.WEATHER_HOURLY, ["climate_id", "ts"])
    assert ("502S001", datetime(2026, 4, 1, 12, tzinfo=UTC)) not in stations
    assert len(stations) == 24 * 7 - 1
    # Mended, the line loads and leaves the quarantine.
    text[n - 1] = good
    (folder / rel).write_text("\n".join(text) + "\n", encoding="utf-8-sig")
    metadata(materialize(test_db, folder, af.WEATHER_HOURLY), af.WEATHER_HOURLY)
    assert quarantine(test_db, rel) == []
    assert len(loaded(test_db, af.WEATHER_HOURLY, ["ts"])) == 24 * 7


def test_a_missing_or_unreadable_file_fails_the_run_naming_it(
    test_db: Settings, landing: Path, tmp_path: Path
):
    folder = tmp_path / "landing"
    shutil.copytree(landing, folder)
    before = loaded(test_db, af.OUTAGES, columns(af.OUTAGES))
    (folder / "outages/outages_20260401.csv").unlink()
    message = failure(materialize(test_db, folder, af.OUTAGES))
    assert f"{folder}/outages/outages_20260401.csv" in message
    assert "grid-intel simulate archives --start 2026-04-01 --days 1" in message
    # The previous day's market file is part of 1 April too.
    (folder / "miso/20260331_5MIN_LMP.csv").unlink()
    assert f"{folder}/miso/20260331_5MIN_LMP.csv" in failure(
        materialize(test_db, folder, af.MISO_LMP)
    )
    (folder / "maintenance/work_orders_20260401.csv").write_text("not,an,export\n")
    message = failure(materialize(test_db, folder, af.WORK_ORDERS))
    assert f"{folder}/maintenance/work_orders_20260401.csv:1: not a work orders CSV" in message
    assert loaded(test_db, af.OUTAGES, columns(af.OUTAGES)) == before


def keys(request: dg.RunRequest) -> list[str | None]:
    """The partitions a request runs: its key, or every day of its range."""
    start = request.tags.get("dagster/asset_partition_range_start")
    if start is None:
        return [request.partition_key]
    end = date.fromisoformat(request.tags["dagster/asset_partition_range_end"])
    first = date.fromisoformat(start)
    return [(first + timedelta(days=i)).isoformat() for i in range((end - first).days + 1)]


def test_the_landing_sensor_requests_changed_days_once(landing: Path):
    context = dg.build_sensor_context(
        cursor=None, resources={"landing": LandingResource(folder=str(landing))}
    )
    first = landing_sensor(context)
    got = {(r.asset_selection[0].path[-1], key) for r in first.run_requests for key in keys(r)}
    for day in (FIRST, DAY):
        assert (af.OUTAGES, day.isoformat()) in got and (af.WORK_ORDERS, day.isoformat()) in got
    # The archives hold market day 30 March too, so the landing's first UTC day is whole.
    assert (af.MISO_LMP, KEY) in got and (af.MISO_LMP, FIRST.isoformat()) in got
    assert (af.WEATHER_HOURLY, KEY) in got
    assert (af.ASSET_REGISTRY, None) in got and (af.GIS_FEATURES, None) in got
    assert len({r.run_key for r in first.run_requests}) == len(first.run_requests)
    context = dg.build_sensor_context(
        cursor=first.cursor, resources={"landing": LandingResource(folder=str(landing))}
    )
    second = landing_sensor(context)
    assert second.run_requests == []
    assert "watched" in second.skip_reason.skip_message
    assert "none new or changed" in second.skip_reason.skip_message


@pytest.mark.timescale
def test_a_daily_archive_on_timescaledb(timescale_db: Settings, landing: Path):
    want = parsed_day(landing, af.OUTAGES, DAY)
    meta = metadata(materialize(timescale_db, landing, af.WEATHER_HOURLY), af.WEATHER_HOURLY)
    assert meta["dagster/row_count"] == 24 * 7
    metadata(materialize(timescale_db, landing, af.WEATHER_HOURLY), af.WEATHER_HOURLY)
    assert len(loaded(timescale_db, af.WEATHER_HOURLY, ["ts"])) == 24 * 7
    metadata(materialize(timescale_db, landing, af.OUTAGES), af.OUTAGES)
    cols = columns(af.OUTAGES)
    assert loaded(timescale_db, af.OUTAGES, cols) == sorted(want.select(cols).iter_rows(), key=repr)
    with connect(timescale_db.warehouse) as conn:
        there = hypertables(conn)
    assert {f"bronze.{t}" for t in ("weather_hourly", "miso_lmp", "outages", "work_orders")} <= (
        there
    )
