"""Environment and Climate Change Canada's hourly climate CSV, one station-month per file.

The layout is ECCC's bulk-data one: a UTF-8 file with a byte-order mark, a
header of quoted column names, every field quoted, times in Local Standard
Time (Manitoba: CST, UTC-6, all year; LST ignores daylight saving), a value
and a flag column per element ("M" marks a missing value). Rows for hours not
yet observed are present but blank, as in ECCC's current-month files. Files are
named `en_climate_hourly_MB_<Climate ID>_<MM>-<YYYY>_P1H.csv`, the month being
the LST month.

The reader returns one row per hour with `ts` in UTC and snake_case columns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import polars as pl

from grid_intel.archives.errors import ArchiveError
from grid_intel.archives.files import checked_fields, csv_text, lines, numbered, optional_float
from grid_intel.archives.parsed import Parsed, Reject

LST = timezone(timedelta(hours=-6), "CST")
# (value column, flag column, output name, output flag name, decimals, unit scale)
ELEMENTS: tuple[tuple[str, str, str, str, int, int], ...] = (
    ("Temp (°C)", "Temp Flag", "temp_c", "temp_flag", 1, 1),
    ("Dew Point Temp (°C)", "Dew Point Temp Flag", "dew_point_c", "dew_point_flag", 1, 1),
    ("Rel Hum (%)", "Rel Hum Flag", "rel_hum_pct", "rel_hum_flag", 0, 1),
    ("Precip. Amount (mm)", "Precip. Amount Flag", "precip_mm", "precip_flag", 1, 1),
    ("Wind Dir (10s deg)", "Wind Dir Flag", "wind_dir_deg", "wind_dir_flag", 0, 10),
    ("Wind Spd (km/h)", "Wind Spd Flag", "wind_speed_kmh", "wind_speed_flag", 0, 1),
    ("Visibility (km)", "Visibility Flag", "visibility_km", "visibility_flag", 1, 1),
    ("Stn Press (kPa)", "Stn Press Flag", "station_pressure_kpa", "station_pressure_flag", 2, 1),
    ("Hmdx", "Hmdx Flag", "humidex", "humidex_flag", 0, 1),
    ("Wind Chill", "Wind Chill Flag", "wind_chill", "wind_chill_flag", 0, 1),
)
FRONT = (
    "Longitude (x)",
    "Latitude (y)",
    "Station Name",
    "Climate ID",
    "Date/Time (LST)",
    "Year",
    "Month",
    "Day",
    "Time (LST)",
)
HEADER: tuple[str, ...] = (*FRONT, *(c for e in ELEMENTS for c in e[:2]), "Weather")
# ECCC's files before precipitation amounts were added: the same without them.
HEADER_NO_PRECIP = tuple(c for c in HEADER if not c.startswith("Precip."))
# Elements that are not reported in some conditions (humidex in the cold, wind chill in
# the warmth): blank without an "M" flag.
CONDITIONAL = ("humidex", "wind_chill")
SCHEMA: dict[str, pl.DataType] = {
    "station_name": pl.String(),
    "climate_id": pl.String(),
    "longitude": pl.Float64(),
    "latitude": pl.Float64(),
    "ts": pl.Datetime("us", "UTC"),
    **{name: pl.Float64() for _, _, name, _, _, _ in ELEMENTS},
    **{flag: pl.String() for _, _, _, flag, _, _ in ELEMENTS},
    "weather": pl.String(),
}


@dataclass(frozen=True)
class Station:
    name: str
    climate_id: str
    lat: float
    lon: float


def file_name(climate_id: str, year: int, month: int) -> str:
    return f"en_climate_hourly_MB_{climate_id}_{month:02d}-{year}_P1H.csv"


def month_hours(year: int, month: int) -> tuple[datetime, datetime]:
    """The UTC span [start, end) of an LST month."""
    start = datetime(year, month, 1, tzinfo=LST)
    following = date(year + month // 12, month % 12 + 1, 1)
    return start.astimezone(UTC), datetime.combine(following, start.timetz()).astimezone(UTC)


def render(station: Station, frame: pl.DataFrame) -> bytes:
    """A station-month file from observations: `ts` (UTC) and the output-named elements.

    A row whose elements are all null is written blank (an hour not yet observed).
    """
    rows: list[list[object]] = [list(HEADER)]
    names = [e[2] for e in ELEMENTS]
    for rec in frame.iter_rows(named=True):
        local = rec["ts"].astimezone(LST)
        observed = any(rec.get(n) is not None for n in names)
        row: list[object] = [
            f"{station.lon:.2f}",
            f"{station.lat:.2f}",
            station.name,
            station.climate_id,
            local.strftime("%Y-%m-%d %H:%M"),
            f"{local.year}",
            f"{local.month:02d}",
            f"{local.day:02d}",
            local.strftime("%H:%M"),
        ]
        for _, _, name, _, decimals, scale in ELEMENTS:
            value = rec.get(name)
            if value is None:
                missing = observed and name not in CONDITIONAL
                row += ["", "M" if missing else ""]
            else:
                row += [f"{value / scale:.{decimals}f}", ""]
        row.append((rec.get("weather") or "") if observed else "")
        rows.append(row)
    return ("\ufeff" + csv_text(rows, quote_all=True)).encode("utf-8")


def parse(path: Path) -> Parsed:
    """Read a station-month file leniently: bad rows come back as rejects."""
    text = lines(path)
    if not text:
        raise ArchiveError(path, None, "empty file")
    try:
        header = tuple(checked_fields(text[0]))
    except ValueError as exc:
        raise ArchiveError(path, 1, f"unreadable column header: {exc}") from None
    if header not in (HEADER, HEADER_NO_PRECIP):
        raise ArchiveError(
            path,
            1,
            f"not an ECCC hourly climate CSV: header starts {list(header[:4])}, "
            f"expected {list(HEADER[:4])} … {HEADER[-1]!r} ({len(HEADER)} columns)",
        )
    index = {name: i for i, name in enumerate(header)}
    rows: list[dict[str, object]] = []
    rejects: list[Reject] = []
    for n, line in numbered(text, 2):
        try:
            rows.append(_row(checked_fields(line), index))
        except ValueError as exc:
            rejects.append(Reject(n, line, str(exc)))
    return Parsed(path, pl.DataFrame(rows, schema=SCHEMA, orient="row"), rejects)


def read(path: Path) -> pl.DataFrame:
    """Read a station-month file; ArchiveError on the first bad row."""
    return parse(path).strict()


def _row(f: list[str], index: dict[str, int]) -> dict[str, object]:
    if len(f) != len(index):
        raise ValueError(f"expected {len(index)} fields, found {len(f)}")
    stamp = f[index["Date/Time (LST)"]]
    try:
        local = datetime.strptime(stamp, "%Y-%m-%d %H:%M").replace(tzinfo=LST)
    except ValueError:
        raise ValueError(f"Date/Time (LST) {stamp!r} is not YYYY-MM-DD HH:MM") from None
    parts = (f[index["Year"]], f[index["Month"]], f[index["Day"]], f[index["Time (LST)"]])
    expected = (f"{local.year}", f"{local.month:02d}", f"{local.day:02d}", local.strftime("%H:%M"))
    if tuple(p.lstrip("0") for p in parts) != tuple(p.lstrip("0") for p in expected):
        raise ValueError(f"Year/Month/Day/Time {list(parts)} disagree with Date/Time {stamp!r}")
    out: dict[str, object] = {
        "station_name": f[index["Station Name"]],
        "climate_id": f[index["Climate ID"]],
        "longitude": _number(f, index, "Longitude (x)"),
        "latitude": _number(f, index, "Latitude (y)"),
        "ts": _utc(local, stamp),
    }
    for value_col, flag_col, name, flag, _, scale in ELEMENTS:
        if value_col not in index:
            out[name], out[flag] = None, None
            continue
        value = _number(f, index, value_col)
        if value is not None and not math.isfinite(value * scale):
            raise ValueError(f"{value_col}: {f[index[value_col]]!r} is out of range")
        out[name] = None if value is None else value * scale
        out[flag] = f[index[flag_col]] or None
    out["weather"] = f[index["Weather"]] or None
    return out


def _utc(local: datetime, stamp: str) -> datetime:
    try:
        return local.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"Date/Time (LST) {stamp!r} is out of range") from None


def _number(f: list[str], index: dict[str, int], column: str) -> float | None:
    try:
        return optional_float(f[index[column]])
    except ValueError as exc:
        raise ValueError(f"{column}: {exc}") from None
