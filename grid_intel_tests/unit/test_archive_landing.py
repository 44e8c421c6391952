"""The landing folder: layout, same seed → same bytes, and contents that agree with the feeds."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from grid_intel.archives import eccc, gis, outages, registry, weather_forecasts, work_orders
from grid_intel.cli import app
from grid_intel.grid.calendar import utc_days
from grid_intel.grid.regions import REGIONS_BY_ID
from grid_intel.ingestion import archive_files as af
from grid_intel.market import read_miso_lmp
from grid_intel.simulation.archives import write_archives
from grid_intel.simulation.events import standard_events
from grid_intel.simulation.feeds import price_frame
from grid_intel.simulation.weather import temperature_c

START = datetime(2026, 1, 31, tzinfo=UTC)
END = START + timedelta(days=2)
SEED = 5


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> tuple[Path, object]:
    folder = tmp_path_factory.mktemp("landing")
    said: list[str] = []
    report = write_archives(folder, SEED, START, END, said.append)
    assert len(said) == 5
    return folder, report


def test_layout_and_file_names(landing):
    folder, report = landing
    names = set(tree(folder))
    for day in ("20260131", "20260201"):
        assert {
            f"outages/outages_{day}.csv",
            f"maintenance/work_orders_{day}.csv",
            f"miso/{day}_da_expost_lmp.csv",
            f"miso/{day}_5MIN_LMP.csv",
            f"weather_forecasts/weather_forecast_{day}.csv",
        } <= names
    # 00:00 UTC on 31 January is 18:00 CST on the 30th: January and February LST files.
    assert "weather/en_climate_hourly_MB_502S001_01-2026_P1H.csv" in names
    assert "weather/en_climate_hourly_MB_502S001_02-2026_P1H.csv" in names
    assert {f"registry/{k}.csv" for k in registry.RECORDS} <= names
    assert "gis/grid.geojson" in names
    assert len(names) == len(report.files)
    assert report.files_by_kind()["weather"] == 14
    assert not [n for n in names if n.endswith(".tmp") or "/." in n]


def test_every_day_written_has_every_file_its_loads_read(landing):
    folder, _ = landing
    names = set(tree(folder))
    # 00:00 UTC on 31 January is 19:00 EST on the 30th: that market day's files too.
    assert {"miso/20260130_da_expost_lmp.csv", "miso/20260130_5MIN_LMP.csv"} <= names
    for day in utc_days(START, END):
        for source in af.DAILY:
            assert af.day_files(source, day, names).missing == (), (source, day)


def test_same_seed_same_bytes_and_rewrites_are_idempotent(landing, tmp_path):
    folder, _ = landing
    before = tree(folder)
    write_archives(tmp_path, SEED, START, END, lambda _m: None)
    assert tree(tmp_path) == before
    write_archives(folder, SEED, START, END, lambda _m: None)
    assert tree(folder) == before
    other = tmp_path / "other"
    write_archives(other, SEED + 1, START, END, lambda _m: None)
    assert (
        tree(other)["miso/20260131_da_expost_lmp.csv"] != before["miso/20260131_da_expost_lmp.csv"]
    )


def test_every_file_reads_back_without_rejects(landing):
    _, report = landing
    readers = {
        "weather": eccc.parse,
        "weather_forecasts": weather_forecasts.parse,
        "outages": outages.parse,
        "work_orders": work_orders.parse,
        "registry": registry.parse,
        "gis": gis.parse,
    }
    for f in report.files:
        if f.kind.startswith("miso"):
            assert read_miso_lmp(f.path).height == f.rows
            continue
        parsed = readers[f.kind](f.path)
        assert not parsed.rejects, f.path
        assert parsed.frame.height == f.rows, f.path


def test_archives_agree_with_the_simulated_feeds(landing):
    folder, _ = landing
    events = standard_events(SEED, 1)
    got = outages.read(folder / "outages/outages_20260131.csv")
    assert got["outage_id"].to_list() == [
        o.id for o in events.outages(START, START + timedelta(days=1))
    ]

    hour = datetime(2026, 1, 31, 14, tzinfo=UTC)
    da = read_miso_lmp(folder / "miso/20260131_da_expost_lmp.csv")
    published = price_frame(SEED, hour).filter(pl.col("market") == "DA")
    row = da.filter(pl.col("Interval Start") == hour).sort("Location")
    assert np.allclose(row["LMP"], published.sort("location")["lmp"], atol=0.005 + 1e-9)

    weather = eccc.read(folder / "weather/en_climate_hourly_MB_502S001_01-2026_P1H.csv")
    at = weather.filter(pl.col("ts") == datetime(2026, 1, 31, 5, tzinfo=UTC))  # 23:00 LST
    ts = np.array([np.datetime64("2026-01-31T05:00")])
    model = temperature_c(SEED, REGIONS_BY_ID["winnipeg"], ts)[0]
    assert at["temp_c"].item() == pytest.approx(model, abs=0.05)
    issue = weather_forecasts.read(folder / "weather_forecasts/weather_forecast_20260131.csv")
    tomorrow = issue.filter(
        (pl.col("region") == "winnipeg")
        & (pl.col("valid_utc") == datetime(2026, 2, 1, 5, tzinfo=UTC))
    )
    assert tomorrow["lead_hours"].item() == 17  # issued 12 UTC on the 31st
    truth = temperature_c(
        SEED, REGIONS_BY_ID["winnipeg"], np.array([np.datetime64("2026-02-01T05:00")])
    )
    assert abs(tomorrow["temp_c"].item() - truth[0]) < 4 * 1.5  # within 4 sigma a day ahead
    last = weather.filter(pl.col("ts") >= END)
    assert last.height == 0  # January ends before the covered days do
    feb = eccc.read(folder / "weather/en_climate_hourly_MB_502S001_02-2026_P1H.csv")
    assert feb.filter(pl.col("ts") < END)["temp_c"].null_count() == 0
    assert (
        feb.filter(pl.col("ts") >= END)["temp_c"].null_count()
        == feb.filter(pl.col("ts") >= END).height
    )


def test_days_cover_what_start_and_end_touch():
    assert utc_days(START + timedelta(hours=5), START + timedelta(hours=30)) == [
        START.date(),
        START.date() + timedelta(days=1),
    ]
    with pytest.raises(ValueError, match="not after"):
        utc_days(END, START)


def test_cli_writes_the_archives(tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "simulate",
            "archives",
            "--start",
            "2026-01-31",
            "--days",
            "1",
            "--seed",
            "5",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "outages=1 files" in result.output
    assert (tmp_path / "outages/outages_20260131.csv").is_file()
