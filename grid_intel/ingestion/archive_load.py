"""Load landing files into bronze: read, keep the day's rows, replace, quarantine.

A daily source's UTC day, or an unpartitioned table whole, is replaced with one
binary COPY (`replace_window`); the bad rows of every file read replace that
file's rows in `bronze.file_quarantine` in the same transaction. A re-run gives
the same rows, a mended file clears its quarantine, a crash changes nothing.
A file that is not its reader's layout at all raises `ArchiveError`; expected
files that are absent raise `MissingArchives` before anything is written.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import psycopg

from grid_intel.archives import eccc, gis, outages, registry, weather_forecasts, work_orders
from grid_intel.archives.errors import ArchiveError
from grid_intel.archives.files import lines
from grid_intel.archives.parsed import Parsed
from grid_intel.ingestion import archive_files as af
from grid_intel.ingestion import archives
from grid_intel.ingestion.archive_files import Coverage, day_bounds, missing_message
from grid_intel.ingestion.archives import Mapped, Row
from grid_intel.market import parse_miso_lmp
from grid_intel.warehouse.writer import TableSpec, replace_window

TABLES: dict[str, TableSpec] = {
    af.WEATHER_HOURLY: archives.WEATHER_HOURLY,
    af.WEATHER_FORECASTS: archives.WEATHER_FORECASTS,
    af.MISO_LMP: archives.MISO_LMP,
    af.OUTAGES: archives.OUTAGES,
    af.WORK_ORDERS: archives.WORK_ORDERS,
    af.ASSET_REGISTRY: archives.ASSET_REGISTRY,
    af.GIS_FEATURES: archives.GIS_FEATURES,
}
PARSERS: dict[str, Callable[[Path], Parsed]] = {
    af.WEATHER_HOURLY: eccc.parse,
    af.WEATHER_FORECASTS: weather_forecasts.parse,
    af.MISO_LMP: parse_miso_lmp,
    af.OUTAGES: outages.parse,
    af.WORK_ORDERS: work_orders.parse,
    af.ASSET_REGISTRY: registry.parse,
    af.GIS_FEATURES: gis.parse,
}


class MissingArchives(FileNotFoundError):
    """Files a load expects are not in the landing folder; the text says what to do."""


@dataclass
class ArchiveLoadReport:
    source: str
    files: list[str] = field(default_factory=list)
    rows: int = 0
    replaced: int = 0
    quarantined: int = 0
    outside: int = 0
    unobserved: int = 0
    seconds: float = 0.0

    def metadata(self) -> dict[str, object]:
        return {
            "dagster/row_count": self.rows,
            "files": self.files,
            "rows_replaced": self.replaced,
            "quarantined": self.quarantined,
            "outside_day": self.outside,
            "unobserved": self.unobserved,
            "seconds": round(self.seconds, 3),
        }


class Landing:
    """Files of a landing folder, each read and parsed once per load."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._read: dict[str, tuple[Parsed, list[str]]] = {}

    def read(self, source: str, rel: str) -> tuple[Parsed, list[str]]:
        """The file's parse and its lines; ArchiveError for a file its reader cannot read."""
        if rel not in self._read:
            path = self.root / rel
            if source == af.ASSET_REGISTRY:
                _check_kind(path, Path(rel).stem)
            self._read[rel] = (PARSERS[source](path), lines(path))
        return self._read[rel]


def _check_kind(path: Path, kind: str) -> None:
    found = registry.kind_of(path)
    if found != kind:
        raise ArchiveError(path, 1, f"holds the registry's {found} export, expected {kind}")


def map_file(source: str, parsed: Parsed, text: list[str], rel: str, day: Coverage) -> Mapped:
    """One parsed file's rows for its table (a daily source: only the coverage's day)."""
    if source == af.ASSET_REGISTRY:
        return archives.registry_rows(Path(rel).stem, parsed, text, rel)
    if source == af.GIS_FEATURES:
        return archives.gis_rows(parsed, text, rel)
    assert day.day is not None
    start, end = day_bounds(day.day)
    if source == af.WEATHER_HOURLY:
        return archives.weather_rows(parsed, text, rel, start, end)
    if source == af.MISO_LMP:
        return archives.miso_rows(parsed, rel, start, end)
    if source in (af.OUTAGES, af.WEATHER_FORECASTS):
        return archives.export_rows(TABLES[source], parsed, text, rel, start, end)
    return archives.work_order_rows(parsed, text, rel, start, end)


def check_present(coverages: Iterable[Coverage], landing: Path) -> None:
    for c in coverages:
        if c.missing:
            raise MissingArchives(missing_message(c, str(landing)))


def load(
    conn: psycopg.Connection, landing: Path, coverages: Sequence[Coverage]
) -> ArchiveLoadReport:
    """Replace each coverage's day (or the whole table) from its files, one transaction each.

    Every coverage must be of one source and complete (`MissingArchives` otherwise,
    before anything is written).
    """
    t0 = time.perf_counter()
    check_present(coverages, landing)
    (source,) = {c.source for c in coverages}
    table = TABLES[source]
    files = Landing(landing)
    report = ArchiveLoadReport(source)
    quarantined: dict[str, int] = {}
    for cov in coverages:
        mapped = [
            (rel, map_file(source, *files.read(source, rel), rel, cov)) for rel in cov.present
        ]
        rejects = [
            row for rel, m in mapped for row in archives.quarantine_rows(source, rel, m.rejects)
        ]
        start, end = day_bounds(cov.day) if cov.day else archives.ALL_TIME
        with conn.transaction():
            written = replace_window(
                conn, table, chain.from_iterable(m.rows for _, m in mapped), start, end
            )
            replace_quarantine(conn, cov.present, rejects)
        report.rows += written.inserted
        report.replaced += written.deleted
        report.outside += sum(m.outside for _, m in mapped)
        report.unobserved += sum(m.unobserved for _, m in mapped)
        for rel, _ in mapped:
            quarantined[rel] = sum(1 for r in rejects if r[1] == rel)
    report.files = sorted(quarantined)
    report.quarantined = sum(quarantined.values())
    report.seconds = time.perf_counter() - t0
    return report


def replace_quarantine(conn: psycopg.Connection, paths: Sequence[str], rows: list[Row]) -> int:
    """The files' quarantine rows become `rows`: a mended line leaves, a new one arrives."""
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("delete from bronze.file_quarantine where path = any(%s)", (list(paths),))
        if rows:
            cur.executemany(
                "insert into bronze.file_quarantine (source, path, line, raw, error)"
                " values (%s, %s, %s, %s, %s)"
                " on conflict (path, line) do update set source = excluded.source,"
                " raw = excluded.raw, error = excluded.error, quarantined_at = now()",
                rows,
            )
    return len(rows)
