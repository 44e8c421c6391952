"""Landing files → bronze rows without a database: which files a UTC day reads, rows kept to
the day, bad rows with their lines, and the landing sensor's decisions."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import polars as pl
import pytest

from grid_intel.archives import eccc, gis, miso, outages, registry, work_orders
from grid_intel.archives.files import lines
from grid_intel.archives.parsed import Parsed, Reject
from grid_intel.ingestion import archive_files as af
from grid_intel.ingestion import archives
from grid_intel.ingestion.archive_load import MissingArchives, check_present
from grid_intel.ingestion.landing_watch import FileStamp, LandingCursor, decide, scan
from grid_intel.market import parse_miso_lmp
from grid_intel.sensor_cursor import CursorError
from grid_intel.settings import Settings
from grid_intel.simulation.archives import write_archives

# 00:00 UTC on 1 April is 18:00 LST on 31 March and 19:00 EST on 31 March.
FIRST = date(2026, 3, 31)
DAYS = (FIRST, FIRST + timedelta(days=1))
STATION = "502S001"


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("landing")
    start = datetime.combine(FIRST, datetime.min.time(), tzinfo=UTC)
    write_archives(folder, 3, start, start + timedelta(days=2), lambda _: None)
    # A landing whose first export starts that UTC day: market day 30 March is not there.
    for name in (
        miso.da_file_name(FIRST - timedelta(days=1)),
        miso.rt_file_name(FIRST - timedelta(days=1)),
    ):
        (folder / "miso" / name).unlink()
    return folder


def names(folder: Path) -> set[str]:
    return set(scan(folder))


def test_landing_dir_setting(monkeypatch, tmp_path):
    monkeypatch.delenv("GRID_INTEL_LANDING_DIR", raising=False)
    assert Settings(_env_file=None, state_dir=tmp_path).resolved_landing_dir == tmp_path / "landing"
    monkeypatch.setenv("GRID_INTEL_LANDING_DIR", str(tmp_path / "drop"))
    assert Settings(_env_file=None).resolved_landing_dir == tmp_path / "drop"


@pytest.mark.parametrize(
    ("day", "months"),
    [
        (date(2026, 3, 31), [(2026, 3)]),  # LST 30 Mar 18:00 .. 31 Mar 18:00
        (date(2026, 4, 1), [(2026, 3), (2026, 4)]),  # LST 31 Mar 18:00 .. 1 Apr 18:00
        (date(2027, 1, 1), [(2026, 12), (2027, 1)]),
        (date(2028, 2, 29), [(2028, 2)]),
        (date(2028, 3, 1), [(2028, 2), (2028, 3)]),
    ],
)
def test_a_utc_day_reads_the_lst_months_it_overlaps(day, months):
    assert af.lst_months(day) == months


def test_eccc_month_file_touches_the_utc_days_of_its_lst_span():
    source, days = af.touched(af.weather_file(STATION, 2026, 3))
    # LST March is 1 Mar 06:00 UTC .. 1 Apr 06:00 UTC.
    assert source == af.WEATHER_HOURLY
    assert days[0] == date(2026, 3, 1) and days[-1] == date(2026, 4, 1) and len(days) == 32


def test_miso_market_day_runs_five_to_five_utc():
    assert miso.market_days(date(2026, 4, 1)) == (date(2026, 3, 31), date(2026, 4, 1))
    for name in ("miso/20260331_da_expost_lmp.csv", "miso/20260331_5MIN_LMP.csv"):
        assert af.touched(name) == (af.MISO_LMP, (date(2026, 3, 31), date(2026, 4, 1)))
    # The year's last market day ends at 05:00 UTC on 1 January.
    assert af.touched("miso/20261231_5MIN_LMP.csv")[1] == (date(2026, 12, 31), date(2027, 1, 1))


def test_per_day_exports_and_whole_tables_and_other_files():
    assert af.touched("outages/outages_20260401.csv") == (af.OUTAGES, (date(2026, 4, 1),))
    assert af.touched("maintenance/work_orders_20260401.csv") == (
        af.WORK_ORDERS,
        (date(2026, 4, 1),),
    )
    assert af.touched("registry/transformers.csv") == (af.ASSET_REGISTRY, ())
    assert af.touched("gis/grid.geojson") == (af.GIS_FEATURES, ())
    assert af.touched("registry/notes.txt") is None
    assert af.touched("outages/outages_2026-04-01.csv") is None


def test_day_files_of_each_source(landing):
    present = names(landing)
    april = af.day_files(af.WEATHER_HOURLY, date(2026, 4, 1), present)
    assert not april.missing and len(april.present) == 2 * 7  # 7 stations x March, April
    assert af.weather_file(STATION, 2026, 3) in april.present
    march = af.day_files(af.WEATHER_HOURLY, FIRST, present)
    assert len(march.present) == 7 and not march.missing
    miso_day = af.day_files(af.MISO_LMP, date(2026, 4, 1), present)
    assert miso_day.present == (
        "miso/20260331_da_expost_lmp.csv",
        "miso/20260331_5MIN_LMP.csv",
        "miso/20260401_da_expost_lmp.csv",
        "miso/20260401_5MIN_LMP.csv",
    )
    # The landing's first day has no market day D-1.
    assert af.day_files(af.MISO_LMP, FIRST, present).missing == (
        "miso/20260330_da_expost_lmp.csv",
        "miso/20260330_5MIN_LMP.csv",
    )
    assert af.day_files(af.OUTAGES, FIRST, present).present == ("outages/outages_20260331.csv",)
    assert af.day_files(af.WORK_ORDERS, date(2026, 4, 2), present).missing == (
        "maintenance/work_orders_20260402.csv",
    )
    assert len(af.whole_files(af.ASSET_REGISTRY, present).present) == len(registry.RECORDS)
    assert af.whole_files(af.GIS_FEATURES, present).present == ("gis/grid.geojson",)


def test_a_station_missing_half_a_day_is_missing_but_a_new_station_is_not(landing):
    present = names(landing) - {af.weather_file(STATION, 2026, 3)}
    april = af.day_files(af.WEATHER_HOURLY, date(2026, 4, 1), present)
    assert april.missing == (af.weather_file(STATION, 2026, 3),)
    # On 31 March (March only) the station simply has no file: the others load.
    assert not af.day_files(af.WEATHER_HOURLY, FIRST, present).missing
    nothing = af.day_files(af.WEATHER_HOURLY, date(2025, 6, 10), present)
    assert nothing.missing == (af.weather_file("<Climate ID>", 2025, 6),)


def test_missing_files_fail_with_the_path_and_what_to_do(landing):
    cov = af.day_files(af.MISO_LMP, FIRST, names(landing))
    with pytest.raises(MissingArchives) as err:
        check_present([cov], landing)
    text = str(err.value)
    assert f"{landing}/miso/20260330_da_expost_lmp.csv" in text
    assert "grid-intel simulate archives --start 2026-03-30 --days 2" in text


def bounds(day: date) -> tuple[datetime, datetime]:
    return af.day_bounds(day)


def test_weather_rows_keep_the_day_with_their_lines(landing):
    rel = af.weather_file(STATION, 2026, 4)
    path = landing / rel
    parsed, text = eccc.parse(path), lines(path)
    m = archives.weather_rows(parsed, text, rel, *bounds(date(2026, 4, 1)))
    # April LST starts at 06:00 UTC on 1 April: 18 hours of that day are in this file.
    assert len(m.rows) == 18 and m.unobserved == 0 and not m.rejects
    assert m.outside == parsed.frame.height - 18
    cols = [c for c, _ in archives.WEATHER_HOURLY.columns]
    for row in m.rows:
        rec = dict(zip(cols, row, strict=True))
        local = rec["ts"].astimezone(eccc.LST).strftime("%Y-%m-%d %H:%M")
        assert text[rec["source_line"] - 1].split(",")[4] == f'"{local}"'
        assert rec["source_file"] == rel and rec["climate_id"] == STATION
    # Hours after the archives' last day are blank in the file: counted, not loaded.
    later = archives.weather_rows(parsed, text, rel, *bounds(date(2026, 4, 2)))
    assert later.rows == [] and later.unobserved == 24


def test_a_corrupted_line_is_a_reject_and_the_other_lines_keep_theirs(tmp_path, landing):
    rel = af.weather_file(STATION, 2026, 4)
    path = tmp_path / "weather.csv"
    text = lines(landing / rel)
    text[5] = text[5].replace('"', "", 2)[:40]  # line 6 of the file cut short
    path.write_text("\n".join(text) + "\n")
    parsed = eccc.parse(path)
    m = archives.weather_rows(parsed, lines(path), rel, *bounds(date(2026, 4, 1)))
    assert [r.line for r in m.rejects] == [6] and len(m.rows) == 17
    assert 6 not in {row[-1] for row in m.rows}
    (q,) = archives.quarantine_rows(af.WEATHER_HOURLY, rel, m.rejects)
    assert q[:3] == (af.WEATHER_HOURLY, rel, 6) and q[3] == text[5] and "fields" in q[4]


def test_miso_rows_split_market_days_at_05_utc(landing):
    rel = "miso/20260331_da_expost_lmp.csv"
    parsed = parse_miso_lmp(landing / rel)
    nodes = parsed.frame["Location"].n_unique()
    d0 = archives.miso_rows(parsed, rel, *bounds(FIRST))
    d1 = archives.miso_rows(parsed, rel, *bounds(date(2026, 4, 1)))
    assert len(d0.rows) == 19 * nodes and len(d1.rows) == 5 * nodes  # 05:00-24:00, 00:00-05:00
    assert d0.outside == 5 * nodes and len(d0.rows) + len(d1.rows) == parsed.frame.height
    cols = [c for c, _ in archives.MISO_LMP.columns]
    first = dict(zip(cols, min(d0.rows), strict=True))
    assert first["interval_start"] == datetime(2026, 3, 31, 5, tzinfo=UTC)
    assert first["market"] == miso.DA_MARKET and first["source_file"] == rel
    assert first["energy"] == pytest.approx(first["lmp"] - first["congestion"] - first["loss"])
    rt = parse_miso_lmp(landing / "miso/20260331_5MIN_LMP.csv")
    assert (
        len(archives.miso_rows(rt, rel, *bounds(FIRST)).rows)
        == 19 * 12 * rt.frame["Location"].n_unique()
    )


def work_order_csv(path: Path, rows: list[list[str]]) -> Parsed:
    header = ",".join(n for n, _ in work_orders.COLUMNS)
    path.write_text("\n".join([header, *(",".join(r) for r in rows)]) + "\n")
    return work_orders.parse(path)


def order(wid: str, status: str, planned: str, opened: str, completed: str) -> list[str]:
    head = [wid, "t1", "transformer", "s1", "winnipeg", "inspection", status, "4"]
    return [*head, planned, opened, completed, "1.0", "", "", ""]


def test_work_orders_are_filed_by_opened_else_planned_time(tmp_path):
    path = tmp_path / "work_orders_20260401.csv"
    parsed = work_order_csv(
        path,
        [
            order(
                "A",
                "completed",
                "2026-04-01T10:00:00Z",
                "2026-04-01T10:30:00Z",
                "2026-04-01T11:00:00Z",
            ),
            order("B", "cancelled", "2026-04-01T09:00:00Z", "", ""),
            order("C", "cancelled", "", "", ""),
            order("D", "completed", "", "2026-04-02T00:10:00Z", "2026-04-02T01:00:00Z"),
            ["bad"],
        ],
    )
    text = lines(path)
    m = archives.work_order_rows(parsed, text, "maintenance/x.csv", *bounds(date(2026, 4, 1)))
    cols = [c for c, _ in archives.WORK_ORDERS.columns]
    got = {r[1]: dict(zip(cols, r, strict=True)) for r in m.rows}
    assert set(got) == {"A", "B"} and m.outside == 1
    assert got["A"]["ts"] == datetime(2026, 4, 1, 10, 30, tzinfo=UTC)
    assert got["B"]["ts"] == datetime(2026, 4, 1, 9, tzinfo=UTC)
    assert got["A"]["source_line"] == 2 and got["B"]["source_line"] == 3
    assert got["A"]["breakers_opened"] == []
    assert sorted((r.line, r.error.split(" ")[0]) for r in m.rejects) == [
        (4, "neither"),
        (6, "expected"),
    ]


def test_outage_rows_keep_outages_that_started_on_the_day(landing):
    rows = 0
    for day in DAYS:
        rel = f"outages/{outages.file_name(day)}"
        parsed = outages.parse(landing / rel)
        m = archives.export_rows(archives.OUTAGES, parsed, lines(landing / rel), rel, *bounds(day))
        assert len(m.rows) == parsed.frame.height and m.outside == 0
        assert [r[-1] for r in m.rows] == list(range(2, 2 + parsed.frame.height))
        rows += len(m.rows)
    other = outages.parse(landing / f"outages/{outages.file_name(FIRST)}")
    moved = archives.export_rows(archives.OUTAGES, other, [], "x", *bounds(date(2026, 4, 3)))
    assert moved.rows == [] and moved.outside == other.frame.height


def test_registry_rows_quarantine_a_repeated_id(tmp_path, landing):
    src = landing / "registry/interties.csv"
    text = lines(src)
    path = tmp_path / "interties.csv"
    path.write_text("\n".join([*text, text[1]]) + "\n")
    parsed = registry.parse(path)
    m = archives.registry_rows("interties", parsed, lines(path), "registry/interties.csv")
    assert len(m.rows) == len(text) - 1
    kind, rid, attributes, source_file, line = m.rows[0]
    assert (kind, line, source_file) == ("interties", 2, "registry/interties.csv")
    assert set(attributes) == {n for n, _ in registry.columns("interties")} - {"id"}
    (dup,) = m.rejects
    assert dup.line == len(text) + 1 and "first on line 2" in dup.error and rid in dup.error


def test_gis_rows_carry_their_feature_lines_and_properties(landing):
    path = landing / "gis/grid.geojson"
    parsed, text = gis.parse(path), lines(path)
    m = archives.gis_rows(parsed, text, "gis/grid.geojson")
    assert len(m.rows) == parsed.frame.height and not m.rejects
    cols = [c for c, _ in archives.GIS_FEATURES.columns]
    first = dict(zip(cols, m.rows[0], strict=True))
    assert first["source_line"] == 2 and isinstance(first["properties"], dict)
    assert first["properties"]["id"] == first["id"]
    bad = Parsed(path, parsed.frame[1:], [Reject(2, text[1], "feature 0: broken")])
    again = archives.gis_rows(bad, text, "gis/grid.geojson")
    assert again.rows[0][cols.index("source_line")] == 3


def test_row_lines_skip_blank_lines_and_rejects():
    text = ["h", "a", "", "b", "bad", "c"]
    frame = pl.DataFrame({"x": ["a", "b", "c"]})
    parsed = Parsed(Path("f"), frame, [Reject(5, "bad", "no")])
    assert archives.row_lines(text, 2, parsed) == [2, 4, 6]
    # Counts that disagree give unknown lines rather than wrong ones.
    assert archives.row_lines(text[:4], 2, parsed) == [None, None, None]


def test_quarantine_rows_join_one_lines_errors_and_keep_nul_visible():
    rows = archives.quarantine_rows(
        "gis", "gis/grid.geojson", [Reject(1, "{a}", "feature 0: x"), Reject(1, "{b}\x00", "y")]
    )
    assert rows == [("gis", "gis/grid.geojson", 1, "{a}\n{b}\\x00", "feature 0: x; y")]


def test_table_columns_cover_what_the_readers_give():
    assert {c for c, _ in archives.WEATHER_HOURLY.columns} >= set(eccc.SCHEMA)
    assert {c for c, _ in archives.MISO_LMP.columns} >= {archives.snake(c) for c in miso.COLUMNS}
    assert {c for c, _ in archives.OUTAGES.columns} >= {c for c, _ in outages.COLUMNS}
    assert {c for c, _ in archives.WORK_ORDERS.columns} >= {c for c, _ in work_orders.COLUMNS}
    assert {c for c, _ in archives.GIS_FEATURES.columns} >= set(gis.SCHEMA)


# --- the landing sensor's decisions --------------------------------------------------------


def stamps(folder: Path) -> dict[str, FileStamp]:
    return scan(folder)


def test_scan_skips_writes_in_progress_and_other_folders(tmp_path):
    (tmp_path / "outages").mkdir()
    (tmp_path / "labels").mkdir()
    (tmp_path / "outages/outages_20260401.csv").write_text("x\n")
    (tmp_path / "outages/.outages_20260402.csv.12.tmp").write_text("x\n")
    (tmp_path / "labels/faults.jsonl").write_text("{}\n")
    assert list(scan(tmp_path)) == ["outages/outages_20260401.csv"]


def test_cursor_round_trip_and_refusal():
    cursor = LandingCursor({"a/b.csv": FileStamp(5, 6)}, {af.OUTAGES: [date(2026, 4, 1)]})
    assert LandingCursor.from_json(cursor.to_json()) == cursor
    with pytest.raises(CursorError, match="reset it"):
        LandingCursor.from_json('{"v": 1, "files": 3}')


def keys(step) -> set[tuple[str, date | None]]:
    return {(r.source, d) for r in step.requests for d in r.days or (None,)}


def test_first_tick_requests_complete_days_then_nothing(landing):
    files = stamps(landing)
    first, last = date(2026, 1, 1), date(2026, 4, 5)
    step = decide(LandingCursor(), files, first, last, today=date(2026, 4, 6))
    got = keys(step)
    assert {(af.OUTAGES, d) for d in DAYS} | {(af.WORK_ORDERS, d) for d in DAYS} <= got
    assert (af.MISO_LMP, date(2026, 4, 1)) in got
    assert (af.MISO_LMP, FIRST) not in got  # market day 30 March is not there
    # The landing has no market day 30 March, nor 2 April (whose 00:00-05:00 UTC is in it).
    assert [c.day for c in step.waiting if c.source == af.MISO_LMP] == [FIRST, date(2026, 4, 2)]
    assert (af.ASSET_REGISTRY, None) in got and (af.GIS_FEATURES, None) in got
    weather_days = {d for s, d in got if s == af.WEATHER_HOURLY}
    # 1 March's first six UTC hours are in February's LST files, which are not there.
    assert min(weather_days) == date(2026, 3, 2) and max(weather_days) == last
    assert date(2026, 3, 1) in {c.day for c in step.waiting if c.source == af.WEATHER_HOURLY}
    assert len({r.run_key for r in step.requests}) == len(step.requests)
    # A month of weather days goes in runs of at most a week of consecutive days.
    weather_runs = [r.days for r in step.requests if r.source == af.WEATHER_HOURLY]
    assert all(1 <= len(run) <= 7 for run in weather_runs)
    assert all((b - a).days == 1 for run in weather_runs for a, b in pairwise(run))
    assert weather_runs[0][0] == date(2026, 3, 2) and len(weather_runs) == 5  # 35 days
    assert next(r.run_key for r in step.requests if r.source == af.WEATHER_HOURLY).startswith(
        "weather_hourly:2026-03-02..2026-03-08:"
    )
    again = decide(step.cursor, files, first, last, today=date(2026, 4, 6))
    assert again.requests == [] and again.changed == []
    # The same files give the same run keys.
    assert decide(LandingCursor(), files, first, last, date(2026, 4, 6)).requests == step.requests


def test_a_changed_file_requests_its_days_with_a_new_key(tmp_path, landing):
    folder = tmp_path / "landing"
    shutil.copytree(landing, folder)
    first, last, today = date(2026, 1, 1), date(2026, 4, 5), date(2026, 4, 6)
    step = decide(LandingCursor(), stamps(folder), first, last, today)
    before = {(r.source, r.days): r.run_key for r in step.requests}
    path = folder / "miso/20260401_5MIN_LMP.csv"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1000))
    after = decide(step.cursor, stamps(folder), first, last, today)
    assert keys(after) == {(af.MISO_LMP, date(2026, 4, 1))}
    assert [(c.day, c.missing[0]) for c in after.waiting] == [
        (date(2026, 4, 2), "miso/20260402_da_expost_lmp.csv")
    ]
    assert after.requests[0].run_key != before[(af.MISO_LMP, (date(2026, 4, 1),))]


def test_todays_files_wait_for_the_day_to_close_and_later_days_are_skipped(landing):
    files = {p: s for p, s in stamps(landing).items() if p.startswith("outages/")}
    today = date(2026, 4, 1)
    step = decide(LandingCursor(), files, date(2026, 1, 1), FIRST, today)
    assert keys(step) == {(af.OUTAGES, FIRST)}
    assert step.cursor.pending == {af.OUTAGES: [today]}
    still = decide(step.cursor, files, date(2026, 1, 1), FIRST, today)
    assert still.requests == [] and still.cursor.pending == {af.OUTAGES: [today]}
    closed = decide(still.cursor, files, date(2026, 1, 1), today, today + timedelta(days=1))
    assert keys(closed) == {(af.OUTAGES, today)} and closed.cursor.pending == {}
    eccc_only = {af.weather_file(STATION, 2026, 4): FileStamp(1, 1)}
    future = decide(LandingCursor(), eccc_only, date(2026, 1, 1), FIRST, today)
    assert future.cursor.pending == {af.WEATHER_HOURLY: [today]}
    assert f"{af.WEATHER_HOURLY} 2026-04-30" in future.skipped
