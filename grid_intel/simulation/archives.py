"""Write the simulated grid's history as the archives a utility would hand over.

Under a landing folder: `weather/` (ECCC hourly CSV per station and LST month),
`miso/` (DA ex-post and 5-minute LMP files per market day), `outages/` and
`maintenance/` (OMS and EAM exports per UTC day), `registry/` (one CSV per kind
of asset) and `gis/grid.geojson`. Archives cover the whole UTC days that
[start, end) touches; files are rewritten atomically with the same bytes for
the same seed, scale and days.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from grid_intel.archives import (
    eccc,
    gis,
    miso,
    outages,
    registry,
    tables,
    weather_forecasts,
    work_orders,
)
from grid_intel.archives.files import write_atomic
from grid_intel.archives.landing import FOLDERS
from grid_intel.archives.weather_forecasts import ISSUE_HOUR, LEADS
from grid_intel.grid.calendar import utc_days
from grid_intel.grid.geography import COMMUNITIES
from grid_intel.grid.regions import REGIONS_BY_ID
from grid_intel.grid.registry import Registry, build_registry
from grid_intel.simulation import weather_forecast
from grid_intel.simulation.customers import customers_by_substation
from grid_intel.simulation.events import Events, standard_events
from grid_intel.simulation.maintenance import WorkOrder
from grid_intel.simulation.market import lmp
from grid_intel.simulation.observations import STATIONS, station_hours
from grid_intel.simulation.outages import Outage
from grid_intel.simulation.weather import weather


@dataclass(frozen=True)
class ArchiveFile:
    kind: str
    path: Path
    rows: int


@dataclass
class ArchiveReport:
    folder: Path
    days: tuple[date, date]
    files: list[ArchiveFile] = field(default_factory=list)

    def add(self, kind: str, path: Path, data: bytes, rows: int) -> None:
        write_atomic(path, data)
        self.files.append(ArchiveFile(kind, path, rows))

    def rows_by_kind(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.files:
            out[f.kind] = out.get(f.kind, 0) + f.rows
        return out

    def files_by_kind(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.files:
            out[f.kind] = out.get(f.kind, 0) + 1
        return out

    def line(self) -> str:
        files, rows = self.files_by_kind(), self.rows_by_kind()
        parts = [f"{k}={files[k]} files/{rows[k]} rows" for k in files]
        return f"archives {self.days[0]}..{self.days[1]} in {self.folder}: " + " ".join(parts)


def write_archives(
    folder: Path,
    seed: int,
    start: datetime,
    end: datetime,
    progress: Callable[[str], None],
    scale: int = 1,
) -> ArchiveReport:
    """Write every archive for the UTC days of [start, end) under `folder`."""
    days = utc_days(start, end)
    report = ArchiveReport(folder, (days[0], days[-1]))
    reg = build_registry(scale)
    events = standard_events(seed, scale)
    _weather(report, seed, days)
    progress(f"weather: {report.files_by_kind()['weather']} ECCC station-month files")
    _weather_forecasts(report, seed, days)
    progress(f"weather forecasts: {len(days)} daily {ISSUE_HOUR} UTC issues, {LEADS} h ahead")
    # The first UTC day starts at 19:00 EST of the market day before it.
    market = sorted({m for d in days for m in miso.market_days(d)})
    _miso(report, seed, market)
    progress(f"miso: {len(market)} market days, DA ex-post and 5-minute LMP files")
    _events(report, events, days)
    rows = report.rows_by_kind()
    progress(f"outages: {rows['outages']} records; work orders: {rows['work_orders']}")
    _registry(report, reg)
    _gis(report, reg)
    rows = report.rows_by_kind()
    progress(f"registry: {report.files_by_kind()['registry']} files; GIS: {rows['gis']} features")
    return report


def _dir(report: ArchiveReport, kind: str) -> Path:
    return report.folder / FOLDERS[kind]


def _lst_months(days: list[date]) -> list[tuple[int, int]]:
    first = datetime.combine(days[0], datetime.min.time(), tzinfo=UTC).astimezone(eccc.LST)
    last = (
        datetime.combine(days[-1] + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
        - timedelta(hours=1)
    ).astimezone(eccc.LST)
    months = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _weather(report: ArchiveReport, seed: int, days: list[date]) -> None:
    """Whole LST months per station; hours from the end of the last day on are blank."""
    observed_to = datetime.combine(days[-1] + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    for year, month in _lst_months(days):
        t0, t1 = eccc.month_hours(year, month)
        ts = np.arange(
            np.datetime64(t0.replace(tzinfo=None), "h"),
            np.datetime64(t1.replace(tzinfo=None), "h"),
            np.timedelta64(1, "h"),
        ).astype("datetime64[s]")
        for st in STATIONS:
            frame = station_hours(seed, st, ts)
            blank = pl.col("ts") >= observed_to
            frame = frame.with_columns(
                [pl.when(blank).then(None).otherwise(pl.col(c)).alias(c) for c in frame.columns[1:]]
            )
            station = eccc.Station(st.name, st.climate_id, st.lat, st.lon)
            path = _dir(report, "weather") / eccc.file_name(st.climate_id, year, month)
            report.add("weather", path, eccc.render(station, frame), frame.height)


def _weather_forecasts(report: ArchiveReport, seed: int, days: list[date]) -> None:
    """Each day's issue (12 UTC)."""
    for day in days:
        issued = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=ISSUE_HOUR)
        frame = weather_forecast.issue(seed, issued)
        path = _dir(report, "weather_forecasts") / weather_forecasts.file_name(day)
        report.add("weather_forecasts", path, weather_forecasts.render(frame), frame.height)


def _miso(report: ArchiveReport, seed: int, days: list[date]) -> None:
    t0 = miso.market_day_start(days[0])
    t1 = miso.market_day_start(days[-1]) + timedelta(days=1)
    w = weather(seed, t0, t1, step_s=300, regions=(REGIONS_BY_ID["central"],))
    ts = w["ts"].dt.replace_time_zone(None).to_numpy()
    temp, wind = w["temp_c"].to_numpy(), w["wind_ms"].to_numpy()
    hourly = w["ts"].dt.minute().to_numpy() == 0
    da = lmp(seed, "DA", ts[hourly], temp[hourly], wind[hourly])
    rt = lmp(seed, "RT", ts, temp, wind)
    for d in days:
        path = _dir(report, "miso_da") / miso.da_file_name(d)
        report.add("miso_da", path, miso.render_da(d, da), 24 * da["location"].n_unique())
        path = _dir(report, "miso_rt") / miso.rt_file_name(d)
        report.add("miso_rt", path, miso.render_rt(d, rt), 288 * rt["location"].n_unique())


def outage_frame(records: list[Outage]) -> pl.DataFrame:
    """Outages in the OMS export's columns."""
    rows = [
        {
            "outage_id": o.id,
            "start_utc": o.start,
            "end_utc": o.end,
            "duration_min": round(o.duration_s / 60, 2),
            "breaker": o.breaker,
            "protected_asset": o.protects,
            "substation": o.substation,
            "region": o.region,
            "customers_affected": o.customers,
            "customer_minutes": round(o.customer_minutes, 1),
            "cause": o.cause,
            "momentary": o.momentary,
        }
        for o in records
    ]
    return pl.DataFrame(rows, schema=tables.schema(outages.COLUMNS), orient="row")


def work_order_frame(records: list[WorkOrder]) -> pl.DataFrame:
    """Work orders in the EAM export's columns."""
    rows = [
        {
            "work_order_id": w.id,
            "asset": w.asset,
            "asset_kind": w.asset_kind,
            "substation": w.substation,
            "region": w.region,
            "kind": w.kind,
            "status": w.status,
            "priority": w.priority,
            "planned_start_utc": w.planned,
            "opened_utc": w.opened,
            "completed_utc": w.completed,
            "crew_hours": w.crew_hours,
            "outage_id": w.outage,
            "breakers_opened": list(w.opens),
            "notes": w.notes,
        }
        for w in records
    ]
    return pl.DataFrame(rows, schema=tables.schema(work_orders.COLUMNS), orient="row")


def _events(report: ArchiveReport, events: Events, days: list[date]) -> None:
    for day in events.days(days[0], days[-1]):
        frame = outage_frame(list(day.outages))
        path = _dir(report, "outages") / outages.file_name(day.day)
        report.add("outages", path, outages.render(frame), frame.height)
        frame = work_order_frame(list(day.work_orders))
        path = _dir(report, "work_orders") / work_orders.file_name(day.day)
        report.add("work_orders", path, work_orders.render(frame), frame.height)


def _registry(report: ArchiveReport, reg: Registry) -> None:
    extra = {"customers": dict(customers_by_substation(reg))}
    for kind in registry.RECORDS:
        records = getattr(reg, kind)
        frame = registry.frame(kind, records, extra)
        path = _dir(report, "registry") / registry.file_name(kind)
        report.add("registry", path, registry.render(kind, frame), frame.height)


def gis_features(reg: Registry) -> list[gis.Feature]:
    """Substations and stations as points, lines between their substations' points."""
    subs = {s.id: s for s in reg.substations}
    customers = customers_by_substation(reg)
    features = []
    for s in reg.substations:
        props = {k: v for k, v in asdict(s).items() if k not in ("lat", "lon", "kind")}
        props |= {"kind": "substation", "substation_kind": s.kind}
        if s.id in customers:
            props["customers"] = customers[s.id]
        features.append(gis.Feature("Point", ((s.lon, s.lat),), props))
    at = {s.station: s for s in reg.substations if s.station}
    for st in reg.stations:
        lat, lon = (at[st.id].lat, at[st.id].lon) if st.id in at else COMMUNITIES[st.id]
        props = asdict(st) | {
            "kind": "station",
            "substation": at[st.id].id if st.id in at else None,
        }
        features.append(gis.Feature("Point", ((lon, lat),), props))
    for ln in reg.lines:
        a, b = subs[ln.from_substation], subs[ln.to_substation]
        props = asdict(ln) | {"kind": "line", "region": a.region, "name": ln.id}
        features.append(gis.Feature("LineString", ((a.lon, a.lat), (b.lon, b.lat)), props))
    return features


def _gis(report: ArchiveReport, reg: Registry) -> None:
    features = gis_features(reg)
    report.add("gis", _dir(report, "gis") / gis.FILE_NAME, gis.render(features), len(features))
