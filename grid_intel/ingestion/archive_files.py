"""Which landing files cover a UTC day, and which days a landing file touches.

The layout is the one `grid_intel.simulation.archives` writes; a utility's own
exports dropped in the same folders under the same names load the same way.
Paths are relative to the landing folder, with `/`. The sources keep different
clocks: ECCC months are Local Standard Time (UTC-6), so UTC day D is LST
[D-1 18:00, D 18:00) and its first day of a month needs two files per station;
a MISO market day is EST midnight to midnight (05:00-05:00 UTC), so UTC day D
needs market days D-1 and D; weather-forecast, outage and work-order exports are per
UTC day (a forecast's day is its issue's).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from grid_intel.archives.errors import ArchiveError
from grid_intel.archives.landing import FOLDERS
from grid_intel.grid.calendar import utc_days

WEATHER_HOURLY = "weather_hourly"
WEATHER_FORECASTS = "weather_forecasts"
MISO_LMP = "miso_lmp"
OUTAGES = "outages"
WORK_ORDERS = "work_orders"
ASSET_REGISTRY = "asset_registry"
GIS_FEATURES = "gis_features"
DAILY = (WEATHER_HOURLY, WEATHER_FORECASTS, MISO_LMP, OUTAGES, WORK_ORDERS)
WHOLE = (ASSET_REGISTRY, GIS_FEATURES)
# Each source loads into bronze.<source>, its rows filed under this column: a daily
# source's partition is the UTC day of it, a whole table's rows share their load time.
TIME_COLUMNS = {
    WEATHER_HOURLY: "ts",
    WEATHER_FORECASTS: "issued_utc",
    MISO_LMP: "interval_start",
    OUTAGES: "start_utc",
    WORK_ORDERS: "ts",
    ASSET_REGISTRY: "loaded_at",
    GIS_FEATURES: "loaded_at",
}

_ECCC = re.compile(
    rf"^{FOLDERS['weather']}/en_climate_hourly_MB_(?P<station>[^_/]+)_(?P<month>\d{{2}})-"
    r"(?P<year>\d{4})_P1H\.csv$"
)
_MISO = re.compile(rf"^{FOLDERS['miso_da']}/(?P<day>\d{{8}})_(?:da_expost_lmp|5MIN_LMP)\.csv$")
_WEATHER_FORECASTS = re.compile(
    rf"^{FOLDERS['weather_forecasts']}/weather_forecast_(?P<day>\d{{8}})\.csv$"
)
_OUTAGES = re.compile(rf"^{FOLDERS['outages']}/outages_(?P<day>\d{{8}})\.csv$")
_WORK_ORDERS = re.compile(rf"^{FOLDERS['work_orders']}/work_orders_(?P<day>\d{{8}})\.csv$")


@dataclass(frozen=True)
class Coverage:
    """The files a load needs: those present and those it expected but did not find."""

    source: str
    day: date | None
    present: tuple[str, ...]
    missing: tuple[str, ...]


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a UTC day."""
    start = datetime.combine(day, time(), tzinfo=UTC)
    return start, start + timedelta(days=1)


def lst_months(day: date) -> list[tuple[int, int]]:
    """The (year, month) LST months a UTC day overlaps: one, or two on the 1st."""
    from grid_intel.archives import eccc

    start, end = day_bounds(day)
    first = start.astimezone(eccc.LST)
    last = (end - timedelta(microseconds=1)).astimezone(eccc.LST)
    return sorted({(first.year, first.month), (last.year, last.month)})


def weather_file(station: str, year: int, month: int) -> str:
    from grid_intel.archives import eccc

    return f"{FOLDERS['weather']}/{eccc.file_name(station, year, month)}"


def day_files(source: str, day: date, names: Collection[str]) -> Coverage:
    """The files of `names` (the landing folder's) a daily source reads for a UTC day.

    Weather expects every LST month of the day from each station that has a
    file for any of them, so a station that only starts or stops reporting
    does not block the others, while a station missing half a day does.
    """
    from grid_intel.archives import miso, outages, weather_forecasts, work_orders

    if source == WEATHER_HOURLY:
        months = lst_months(day)
        stations = sorted(
            {
                m["station"]
                for n in names
                if (m := _ECCC.match(n)) and (int(m["year"]), int(m["month"])) in months
            }
        )
        if not stations:
            # Nothing to name a station by: point at the pattern ECCC's files follow.
            wanted = [weather_file("<Climate ID>", y, mo) for y, mo in months]
            return Coverage(source, day, (), tuple(wanted))
        wanted = [weather_file(s, y, mo) for s in stations for y, mo in months]
    elif source == MISO_LMP:
        folder = FOLDERS["miso_da"]
        wanted = [
            f"{folder}/{name(d)}"
            for d in miso.market_days(day)
            for name in (miso.da_file_name, miso.rt_file_name)
        ]
    elif source == WEATHER_FORECASTS:
        wanted = [f"{FOLDERS['weather_forecasts']}/{weather_forecasts.file_name(day)}"]
    elif source == OUTAGES:
        wanted = [f"{FOLDERS['outages']}/{outages.file_name(day)}"]
    elif source == WORK_ORDERS:
        wanted = [f"{FOLDERS['work_orders']}/{work_orders.file_name(day)}"]
    else:
        raise ValueError(f"{source!r} is not a daily archive source: {', '.join(DAILY)}")
    return _coverage(source, day, wanted, names)


def whole_files(source: str, names: Collection[str]) -> Coverage:
    """The files an unpartitioned source reads: every registry kind, or the GeoJSON.

    The registry table is replaced whole, so a kind without its file would be
    emptied: every kind is expected (a header-only file for a kind there is none of).
    """
    from grid_intel.archives import gis, registry

    if source == ASSET_REGISTRY:
        wanted = [f"{FOLDERS['registry']}/{registry.file_name(k)}" for k in registry.RECORDS]
    elif source == GIS_FEATURES:
        wanted = [f"{FOLDERS['gis']}/{gis.FILE_NAME}"]
    else:
        raise ValueError(f"{source!r} is not an unpartitioned archive source: {', '.join(WHOLE)}")
    return _coverage(source, None, wanted, names)


def _coverage(source: str, day: date | None, wanted: list[str], names: Collection[str]) -> Coverage:
    """Which of the wanted files are there and which are missing."""
    present = set(names)
    return Coverage(
        source,
        day,
        tuple(w for w in wanted if w in present),
        tuple(w for w in wanted if w not in present),
    )


def touched(path: str) -> tuple[str, tuple[date, ...]] | None:
    """The source a landing file feeds and the UTC days it holds rows of.

    Days are empty for the unpartitioned sources; None for a file no source reads.
    """
    from grid_intel.archives import eccc, miso

    if m := _ECCC.match(path):
        t0, t1 = eccc.month_hours(int(m["year"]), int(m["month"]))
        return WEATHER_HOURLY, tuple(utc_days(t0, t1))
    if m := _MISO.match(path):
        start = miso.market_day_start(_day(m["day"]))
        return MISO_LMP, tuple(utc_days(start, start + timedelta(days=1)))
    if m := _WEATHER_FORECASTS.match(path):
        return WEATHER_FORECASTS, (_day(m["day"]),)
    if m := _OUTAGES.match(path):
        return OUTAGES, (_day(m["day"]),)
    if m := _WORK_ORDERS.match(path):
        return WORK_ORDERS, (_day(m["day"]),)
    for source in WHOLE:
        if path in whole_files(source, ()).missing:
            return source, ()
    return None


def _day(text: str) -> date:
    return datetime.strptime(text, "%Y%m%d").date()


def missing_message(coverage: Coverage, landing: str) -> str:
    """Why a load cannot run, naming the files and what to put there."""
    paths = ", ".join(f"{landing}/{p}" for p in coverage.missing)
    what = f"UTC day {coverage.day}" if coverage.day else "the whole table"
    if coverage.day is None:
        days = "--days 1"
    else:
        first = coverage.day - timedelta(days=1 if coverage.source == MISO_LMP else 0)
        days = f"--start {first} --days {(coverage.day - first).days + 1}"
    return (
        f"{coverage.source}: {what} needs {len(coverage.missing)} file(s) not in the landing "
        f"folder: {paths}. Drop the utility's export there under that name, or write "
        f"simulated archives with `grid-intel simulate archives {days} --out {landing}`; "
        "then re-run this partition (the landing sensor requests it when the file appears)."
    )


def unreadable_message(exc: ArchiveError) -> str:
    """Why a whole file was refused, and how to get past it."""
    return (
        f"{exc}. The file is not in the layout its reader expects, so nothing of this load "
        "was written. Replace it with a good export (simulated ones: `grid-intel simulate "
        "archives`), then re-run; a file with only some bad rows loads and quarantines those."
    )
