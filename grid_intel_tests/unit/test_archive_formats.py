"""Each archive format: writer → reader gives the data back; readers name bad files and lines."""

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from grid_intel.archives import ArchiveError, eccc, gis, miso, outages, registry, work_orders
from grid_intel.grid.registry import build_registry
from grid_intel.market import parse_miso_lmp, read_miso_lmp
from grid_intel.simulation import maintenance
from grid_intel.simulation import outages as outage_model
from grid_intel.simulation.archives import gis_features, outage_frame, work_order_frame
from grid_intel.simulation.events import Events
from grid_intel.simulation.market import lmp
from grid_intel.simulation.observations import STATIONS, station_hours

DAY = date(2026, 1, 20)
REGISTRY = build_registry(1)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def month() -> tuple[eccc.Station, pl.DataFrame]:
    st = STATIONS[0]
    t0, t1 = eccc.month_hours(2026, 1)
    ts = np.arange(
        np.datetime64(t0.replace(tzinfo=None), "h"),
        np.datetime64(t1.replace(tzinfo=None), "h"),
        np.timedelta64(1, "h"),
    ).astype("datetime64[s]")
    return eccc.Station(st.name, st.climate_id, st.lat, st.lon), station_hours(3, st, ts)


def test_eccc_round_trip_in_lst(tmp_path, month):
    station, obs = month
    path = write(tmp_path, eccc.file_name(station.climate_id, 2026, 1), eccc.render(station, obs))
    assert path.name == "en_climate_hourly_MB_502S001_01-2026_P1H.csv"
    raw = path.read_text(encoding="utf-8-sig").split("\n")
    assert raw[0].startswith('"Longitude (x)","Latitude (y)","Station Name","Climate ID"')
    assert raw[1].split(",")[4] == '"2026-01-01 00:00"'  # LST month starts at local midnight
    back = eccc.read(path)
    assert back.height == obs.height == 31 * 24
    assert back["ts"].to_list() == obs["ts"].to_list()
    assert back["ts"][0] == datetime(2026, 1, 1, 6, tzinfo=UTC)  # 00:00 CST = 06:00 UTC
    assert (back["station_name"] == "WINNIPEG RICHARDSON INT'L A").all()
    for name, tol in (("temp_c", 0.05), ("dew_point_c", 0.05), ("station_pressure_kpa", 0.005)):
        assert np.allclose(back[name], obs[name], atol=tol + 1e-9)
    assert np.allclose(back["wind_dir_deg"], obs["wind_dir_deg"], atol=5.0)
    assert np.allclose(back["wind_speed_kmh"], obs["wind_speed_kmh"], atol=0.5)
    assert back["wind_chill"].null_count() == obs["wind_chill"].null_count()
    assert back["weather"].to_list() == obs["weather"].to_list()


def test_eccc_blank_hours_and_missing_values(tmp_path, month):
    station, obs = month
    cut = datetime(2026, 1, 25, tzinfo=UTC)
    obs = obs.with_columns(
        [
            pl.when(pl.col("ts") >= cut).then(None).otherwise(pl.col(c)).alias(c)
            for c in obs.columns[1:]
        ]
    ).with_columns(
        temp_c=pl.when(pl.col("ts") == datetime(2026, 1, 3, tzinfo=UTC))
        .then(None)
        .otherwise("temp_c")
    )
    back = eccc.read(write(tmp_path, "m.csv", eccc.render(station, obs)))
    assert back.height == 31 * 24
    assert (
        back.filter(pl.col("ts") >= cut)["temp_c"].null_count()
        == back.filter(pl.col("ts") >= cut).height
    )
    gap = back.filter(pl.col("ts") == datetime(2026, 1, 3, tzinfo=UTC))
    assert gap["temp_c"].item() is None and gap["temp_flag"].item() == "M"
    assert back.filter(pl.col("ts") >= cut)["temp_flag"].null_count() > 0  # not observed, no flag


def test_eccc_reader_names_the_bad_line(tmp_path, month):
    station, obs = month
    text = eccc.render(station, obs).decode("utf-8").split("\n")
    text[41] = text[41].replace('"2026-01-02 16:00"', '"2026-01-02 16:xx"')
    text[100] = text[100].replace(text[100].split(",")[9], '"warm"')
    path = write(tmp_path, "bad.csv", "\n".join(text).encode())
    parsed = eccc.parse(path)
    assert [r.line for r in parsed.rejects] == [42, 101]
    assert "Date/Time" in parsed.rejects[0].error and "Temp (°C)" in parsed.rejects[1].error
    assert parsed.frame.height == 31 * 24 - 2
    with pytest.raises(ArchiveError) as err:
        eccc.read(path)
    assert err.value.line == 42 and err.value.path == path
    assert str(err.value).startswith(f"{path}:42: ")
    with pytest.raises(ArchiveError, match=":1: not an ECCC hourly climate CSV"):
        eccc.read(write(tmp_path, "other.csv", b"a,b,c\n1,2,3\n"))


@pytest.fixture(scope="module")
def prices() -> tuple[pl.DataFrame, pl.DataFrame]:
    start = miso.market_day_start(DAY)
    ts = np.arange(
        np.datetime64(start.replace(tzinfo=None), "m"),
        np.datetime64((start + timedelta(days=1)).replace(tzinfo=None), "m"),
        np.timedelta64(5, "m"),
    )
    temp = -20 + np.sin(np.arange(len(ts)) / 40)
    wind = 6 + np.cos(np.arange(len(ts)) / 30)
    return lmp(3, "DA", ts[::12], temp[::12], wind[::12]), lmp(3, "RT", ts, temp, wind)


def test_miso_day_ahead_round_trip_and_hour_ending(tmp_path, prices):
    da, _ = prices
    path = write(tmp_path, miso.da_file_name(DAY), miso.render_da(DAY, da))
    assert path.name == "20260120_da_expost_lmp.csv"
    text = path.read_text().split("\n")
    assert text[1] == "01/20/2026" and text[4].startswith("Node,Type,Value,HE 1,HE 2")
    back = read_miso_lmp(path)
    assert back.columns == [
        "Interval Start",
        "Interval End",
        "Market",
        "Location",
        "Location Type",
        "LMP",
        "Energy",
        "Congestion",
        "Loss",
    ]
    first = back.filter(pl.col("Location") == "MHEB").row(0, named=True)
    assert first["Interval Start"] == datetime(2026, 1, 20, 5, tzinfo=UTC)  # HE 1 = 00-01 EST
    assert first["Interval End"] == datetime(2026, 1, 20, 6, tzinfo=UTC)
    assert first["Location Type"] == "Interface" and first["Market"] == miso.DA_MARKET
    joined = back.join(
        da, left_on=["Interval Start", "Location"], right_on=["interval_start", "location"]
    )
    assert joined.height == 48
    for ours, theirs in (("LMP", "lmp"), ("Congestion", "congestion"), ("Loss", "loss")):
        assert np.allclose(joined[ours], joined[theirs], atol=0.005 + 1e-9)
    assert np.allclose(joined["Energy"], joined["energy"], atol=0.016)
    assert np.allclose(back["Energy"], back["LMP"] - back["Congestion"] - back["Loss"])


def test_miso_real_time_round_trip(tmp_path, prices):
    _, rt = prices
    path = write(tmp_path, miso.rt_file_name(DAY), miso.render_rt(DAY, rt))
    text = path.read_text().rstrip("\n").split("\n")
    assert text[4] == "MKTHOUR_EST,PNODENAME,LMP,CON_LMP,LOSS_LMP"
    assert text[5].startswith("01/20/2026 00:00,MHEB,") and text[-1] == miso.RT_FOOTER
    back = read_miso_lmp(path)
    assert back.height == 2 * 288
    assert back["Interval Start"].min() == datetime(2026, 1, 20, 5, tzinfo=UTC)
    assert back["Interval End"].max() == datetime(2026, 1, 21, 5, tzinfo=UTC)
    assert set(back["Location Type"]) == {"Interface", "Hub"}
    joined = back.join(
        rt, left_on=["Interval Start", "Location"], right_on=["interval_start", "location"]
    )
    assert joined.height == 576
    assert np.allclose(joined["LMP"], joined["lmp"], atol=0.005 + 1e-9)


def test_miso_reader_refuses_other_files_and_truncation(tmp_path, prices):
    da, rt = prices
    other = write(tmp_path, "outages.csv", outages.render(outage_frame([])) + b"x\n" * 6)
    with pytest.raises(ArchiveError) as err:
        read_miso_lmp(other)
    assert err.value.line == 5 and "not a MISO" in err.value.reason
    assert str(err.value).startswith(f"{other}:5: ")
    with pytest.raises(ArchiveError, match="preamble"):
        read_miso_lmp(write(tmp_path, "short.csv", b"a,b\n1,2\n"))

    full = miso.render_da(DAY, da)
    cut = write(
        tmp_path, "20260120_da_expost_lmp.csv", full[: full.index(b"MINN.HUB,Hub,MCC") + 60]
    )
    with pytest.raises(ArchiveError) as err:
        read_miso_lmp(cut)
    assert err.value.path == cut and err.value.line == 9  # MINN.HUB's LMP row, now incomplete
    parsed = parse_miso_lmp(cut)
    assert [(r.line, r.error) for r in parsed.rejects] == [
        (9, "MINN.HUB has no MCC/MLC row"),
        (10, "expected 27 fields, found 11"),
    ]
    assert set(parsed.frame["Location"]) == {"MHEB"}  # the complete node is kept

    full = miso.render_rt(DAY, rt)
    cut = write(tmp_path, "20260120_5MIN_LMP.csv", full[: len(full) // 2].rsplit(b"\n", 1)[0])
    with pytest.raises(ArchiveError, match="truncated") as err:
        read_miso_lmp(cut)
    assert err.value.line == len(cut.read_text().split("\n"))


def test_miso_rows_with_bad_numbers_are_rejected_by_line_and_the_rest_kept(tmp_path, prices):
    """A garbled price fails the strict read naming its line; the lenient read keeps
    every other row, and what it keeps still adds up: LMP = energy + congestion + loss."""
    da, rt = prices
    text = miso.render_rt(DAY, rt).decode().split("\n")
    fields = text[7].split(",")
    text[7] = ",".join([*fields[:2], "12.3x", *fields[3:]])
    path = write(tmp_path, miso.rt_file_name(DAY), "\n".join(text).encode())
    with pytest.raises(ArchiveError) as err:
        read_miso_lmp(path)
    assert err.value.line == 8
    parsed = parse_miso_lmp(path)
    assert [r.line for r in parsed.rejects] == [8] and parsed.frame.height == 2 * 288 - 1
    kept = parsed.frame
    assert np.allclose(kept["LMP"], kept["Energy"] + kept["Congestion"] + kept["Loss"])

    text = miso.render_da(DAY, da).decode().split("\n")
    fields = text[5].split(",")
    text[5] = ",".join([*fields[:3], "n/a", *fields[4:]])
    parsed = parse_miso_lmp(write(tmp_path, miso.da_file_name(DAY), "\n".join(text).encode()))
    assert [(r.line, r.error) for r in parsed.rejects] == [
        (6, "'n/a' is not a number"),
        (7, "MHEB has no LMP row"),  # its MCC and MLC rows are set aside with it
    ]
    assert set(parsed.frame["Location"]) == {"MINN.HUB"}  # MHEB lost its LMP row, not more
    kept = parsed.frame
    assert np.allclose(kept["LMP"], kept["Energy"] + kept["Congestion"] + kept["Loss"])


def test_miso_hour_ending_is_eastern_standard_time_in_summer_too(tmp_path):
    """MISO's clock does not observe daylight saving: HE 1 of a July day is 05:00 UTC."""
    summer = date(2026, 7, 14)
    start = miso.market_day_start(summer)
    ts = np.arange(
        np.datetime64(start.replace(tzinfo=None), "h"),
        np.datetime64((start + timedelta(days=1)).replace(tzinfo=None), "h"),
        np.timedelta64(1, "h"),
    ).astype("datetime64[us]")
    da = lmp(3, "DA", ts, np.full(24, 25.0), np.full(24, 5.0))
    back = read_miso_lmp(write(tmp_path, miso.da_file_name(summer), miso.render_da(summer, da)))
    assert back["Interval Start"].min() == datetime(2026, 7, 14, 5, tzinfo=UTC)
    assert back["Interval Start"].max() == datetime(2026, 7, 15, 4, tzinfo=UTC)


@pytest.fixture(scope="module")
def events():
    ev = Events(5, REGISTRY)
    start = datetime(2025, 7, 1, tzinfo=UTC)
    return ev.outages(start, start + timedelta(days=30)), ev.work_orders(
        start, start + timedelta(days=30)
    )


def test_outage_and_work_order_exports_round_trip(tmp_path, events):
    records, orders = events
    frame = outage_frame(records)
    assert frame.height > 5
    back = outages.read(write(tmp_path, outages.file_name(DAY), outages.render(frame)))
    assert back.equals(frame)
    frame = work_order_frame(orders)
    back = work_orders.read(write(tmp_path, work_orders.file_name(DAY), work_orders.render(frame)))
    assert back.equals(frame)
    assert (
        {"inspection", "dga_sample", "corrective_repair"}
        <= set(back["kind"])
        <= set(work_orders.KINDS)
    )
    assert outages.CAUSES == outage_model.CAUSES
    assert work_orders.KINDS == maintenance.KINDS and work_orders.STATUSES == maintenance.STATUSES


def test_outage_reader_quarantines_rows_that_do_not_add_up(tmp_path, events):
    frame = outage_frame(events[0][:4])
    lines = outages.render(frame).decode().split("\n")
    lines[2] = lines[2].replace(",false", ",true")  # a long outage called momentary
    lines[3] = lines[3].replace(lines[3].split(",")[10], "meteor")
    parsed = outages.parse(write(tmp_path, "o.csv", "\n".join(lines).encode()))
    assert [r.line for r in parsed.rejects] == [3, 4]
    assert "momentary" in parsed.rejects[0].error and "cause" in parsed.rejects[1].error
    assert parsed.frame.height == 2


def test_registry_exports_round_trip_and_are_told_apart(tmp_path):
    for kind in registry.RECORDS:
        frame = registry.frame(kind, getattr(REGISTRY, kind), {"customers": {"ds_winnipeg_001": 7}})
        path = write(tmp_path, registry.file_name(kind), registry.render(kind, frame))
        assert registry.kind_of(path) == kind
        assert registry.read(path).equals(frame)
    tx = registry.read(tmp_path / "transformers.csv")
    assert {"rating_mva", "cooling", "top_oil_rise_c", "loss_ratio", "install_year"} <= set(
        tx.columns
    )
    with pytest.raises(ArchiveError, match="not a registry export"):
        registry.read(write(tmp_path, "x.csv", b"id,colour\n1,red\n"))


def test_gis_is_a_valid_feature_collection_inside_manitoba(tmp_path):
    features = gis_features(REGISTRY)
    path = write(tmp_path, gis.FILE_NAME, gis.render(features))
    doc = json.loads(path.read_text())
    assert doc["type"] == "FeatureCollection"
    kinds = {f["properties"]["kind"] for f in doc["features"]}
    assert kinds == {"substation", "station", "line"}
    for f in doc["features"]:
        coords = f["geometry"]["coordinates"]
        for lon, lat in [coords] if f["geometry"]["type"] == "Point" else coords:
            assert -102.0 <= lon <= -88.9 and 49.0 <= lat <= 60.0
    back = gis.read(path)
    assert back.height == len(features)
    subs = {s.id: s for s in REGISTRY.substations}
    for row in back.filter(pl.col("kind") == "line").iter_rows(named=True):
        line = REGISTRY.by_id[row["id"]]
        a, b = subs[line.from_substation], subs[line.to_substation]
        assert (row["lon"], row["lat"], row["lon_end"], row["lat_end"]) == (
            a.lon,
            a.lat,
            b.lon,
            b.lat,
        )
    text = path.read_text().split("\n")
    text[3] = text[3].replace('"Point"', '"Circle"')
    parsed = gis.parse(write(tmp_path, "bad.geojson", "\n".join(text).encode()))
    assert [r.line for r in parsed.rejects] == [4]
    with pytest.raises(ArchiveError, match="not JSON"):
        gis.read(write(tmp_path, "cut.geojson", path.read_bytes()[:500]))
