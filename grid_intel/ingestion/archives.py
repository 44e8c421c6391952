"""Parsed archive files → bronze rows, and their bad rows → `bronze.file_quarantine` rows.

The readers in `grid_intel.archives` return the good rows as a frame and the
bad ones as rejects. Here a frame becomes rows of its table, kept to the UTC
day being loaded: rows of other days are counted (`outside`), ECCC's blank
rows for hours not yet observed are counted (`unobserved`), and rows that are
well-formed but cannot be loaded (a duplicate registry id, a work order with
no time to file it under) join the rejects, with their line. Nothing is
dropped without a count or a quarantine row.

Good rows carry their file and, where a file holds one row per line (ECCC,
the CSV exports, one-feature-per-line GeoJSON), their line. A MISO row has no
single line (a DA row is three lines' prices for one hour) so `miso_lmp` has none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import orjson
import polars as pl

from grid_intel.archives import eccc, gis, miso, outages, weather_forecasts, work_orders
from grid_intel.archives.files import numbered
from grid_intel.archives.parsed import Parsed, Reject
from grid_intel.archives.tables import Columns
from grid_intel.ingestion import archive_files as af
from grid_intel.warehouse.writer import TableSpec

Row = tuple[object, ...]
SOURCE_COLUMNS = (("source_file", "text"), ("source_line", "int4"))
_PG = {"str": "text", "int": "int4", "float": "float8", "bool": "bool", "utc": "timestamptz"}
# An unpartitioned table is replaced whole, as the window of all time on `loaded_at`.
ALL_TIME = (
    datetime.fromisoformat("0001-01-01T00:00:00+00:00"),
    datetime.fromisoformat("9999-01-01T00:00:00+00:00"),
)


def _typed(columns: Columns) -> tuple[tuple[str, str], ...]:
    """A CSV export's columns (`archives.tables` kinds) as SQL types."""
    return tuple(
        (name, "text[]" if kind == "list" else _PG[kind.rstrip("?")]) for name, kind in columns
    )


def _sql_type(dtype: pl.DataType) -> str:
    if isinstance(dtype, pl.Datetime):
        return "timestamptz"
    return {pl.String(): "text", pl.Float64(): "float8", pl.Int64(): "int8"}[dtype]


def snake(name: str) -> str:
    """gridstatus's column names in SQL: `Interval Start` → `interval_start`."""
    return name.lower().replace(" ", "_")


def _bronze(source: str, columns: tuple[tuple[str, str], ...]) -> TableSpec:
    """The table a source loads into: bronze.<source>, filed under its time column."""
    return TableSpec("bronze", source, columns, time_column=af.TIME_COLUMNS[source])


WEATHER_VALUES = tuple(name for _, _, name, _, _, _ in eccc.ELEMENTS)
WEATHER_FLAGS = tuple(flag for _, _, _, flag, _, _ in eccc.ELEMENTS)
WEATHER_HOURLY = _bronze(
    af.WEATHER_HOURLY,
    (*((c, _sql_type(t)) for c, t in eccc.SCHEMA.items()), *SOURCE_COLUMNS),
)
MISO_LMP = _bronze(
    af.MISO_LMP,
    (*((snake(c), _sql_type(t)) for c, t in miso.COLUMNS.items()), ("source_file", "text")),
)
WEATHER_FORECASTS = _bronze(
    af.WEATHER_FORECASTS, (*_typed(weather_forecasts.COLUMNS), *SOURCE_COLUMNS)
)
OUTAGES = _bronze(af.OUTAGES, (*_typed(outages.COLUMNS), *SOURCE_COLUMNS))
# `ts`: the time the export files the order under, opened_utc or, for work never
# opened, planned_start_utc; its UTC day is the partition.
WORK_ORDERS = _bronze(
    af.WORK_ORDERS, (("ts", "timestamptz"), *_typed(work_orders.COLUMNS), *SOURCE_COLUMNS)
)
ASSET_REGISTRY = _bronze(
    af.ASSET_REGISTRY,
    (("kind", "text"), ("id", "text"), ("attributes", "jsonb"), *SOURCE_COLUMNS),
)
GIS_FEATURES = _bronze(
    af.GIS_FEATURES,
    (
        *((c, "jsonb" if c == "properties" else _sql_type(t)) for c, t in gis.SCHEMA.items()),
        *SOURCE_COLUMNS,
    ),
)
QUARANTINE_COLUMNS = ("source", "path", "line", "raw", "error")


@dataclass
class Mapped:
    """One file's rows for its table, and what was set apart."""

    rows: list[Row] = field(default_factory=list)
    outside: int = 0
    unobserved: int = 0
    rejects: list[Reject] = field(default_factory=list)


def row_lines(text: list[str], first: int, parsed: Parsed) -> list[int | None]:
    """The line of each good row of a file with one row per non-blank line from `first`.

    Every such line is a row or a reject, in order; if the counts disagree the
    lines are unknown (None) rather than guessed.
    """
    bad = {r.line for r in parsed.rejects}
    found: list[int | None] = [n for n, _ in numbered(text, first) if n not in bad]
    return found if len(found) == parsed.frame.height else [None] * parsed.frame.height


def feature_lines(text: list[str], parsed: Parsed) -> list[int | None]:
    """The line of each good GeoJSON feature when the file has one feature per line."""
    count = parsed.frame.height + len(parsed.rejects)
    if len(text) != count + 2:
        return [None] * parsed.frame.height
    bad = {r.line for r in parsed.rejects}
    return [i + 2 for i in range(count) if i + 2 not in bad]


def _with_source(
    frame: pl.DataFrame, source_file: str, lines: Sequence[int | None]
) -> pl.DataFrame:
    return frame.with_columns(
        source_file=pl.lit(source_file, pl.String()),
        source_line=pl.Series(list(lines), dtype=pl.Int32()),
    )


def _in_day(frame: pl.DataFrame, column: str, start: datetime, end: datetime) -> pl.DataFrame:
    return frame.filter((pl.col(column) >= start) & (pl.col(column) < end))


def _rows(frame: pl.DataFrame, table: TableSpec) -> list[Row]:
    return list(frame.select([c for c, _ in table.columns]).iter_rows())


def weather_rows(
    parsed: Parsed, text: list[str], source_file: str, start: datetime, end: datetime
) -> Mapped:
    """An ECCC station-month's hours of [start, end); blank (unobserved) hours are counted."""
    frame = _with_source(parsed.frame, source_file, row_lines(text, 2, parsed))
    day = _in_day(frame, "ts", start, end)
    observed = pl.any_horizontal(pl.col(*WEATHER_VALUES, *WEATHER_FLAGS, "weather").is_not_null())
    kept = day.filter(observed)
    return Mapped(
        _rows(kept, WEATHER_HOURLY),
        outside=frame.height - day.height,
        unobserved=day.height - kept.height,
        rejects=list(parsed.rejects),
    )


def miso_rows(parsed: Parsed, source_file: str, start: datetime, end: datetime) -> Mapped:
    """A MISO LMP file's intervals starting in [start, end)."""
    frame = parsed.frame.rename(snake).with_columns(source_file=pl.lit(source_file, pl.String()))
    day = _in_day(frame, "interval_start", start, end)
    return Mapped(
        _rows(day, MISO_LMP), outside=frame.height - day.height, rejects=list(parsed.rejects)
    )


def export_rows(
    table: TableSpec,
    parsed: Parsed,
    text: list[str],
    source_file: str,
    start: datetime,
    end: datetime,
) -> Mapped:
    """A CSV export's rows filed under [start, end) by the table's time column (an
    outage's start, a weather forecast's issue)."""
    frame = _with_source(parsed.frame, source_file, row_lines(text, 2, parsed))
    day = _in_day(frame, str(table.time_column), start, end)
    return Mapped(
        _rows(day, table), outside=frame.height - day.height, rejects=list(parsed.rejects)
    )


def work_order_rows(
    parsed: Parsed, text: list[str], source_file: str, start: datetime, end: datetime
) -> Mapped:
    """A work-order export's orders filed (opened, else planned) in [start, end).

    An order with neither time has no day to be filed under: it is quarantined.
    """
    frame = _with_source(parsed.frame, source_file, row_lines(text, 2, parsed)).with_columns(
        ts=pl.coalesce("opened_utc", "planned_start_utc")
    )
    undated = frame.filter(pl.col("ts").is_null())
    rejects = list(parsed.rejects) + [
        _reject(text, line, "neither opened_utc nor planned_start_utc: no day to file it under")
        for line in undated["source_line"]
    ]
    dated = frame.filter(pl.col("ts").is_not_null())
    day = _in_day(dated, "ts", start, end)
    return Mapped(_rows(day, WORK_ORDERS), outside=dated.height - day.height, rejects=rejects)


def registry_rows(kind: str, parsed: Parsed, text: list[str], source_file: str) -> Mapped:
    """A registry export's records as (kind, id, attributes); a repeated id is quarantined."""
    frame = _with_source(parsed.frame, source_file, row_lines(text, 2, parsed))
    attributes = [c for c in parsed.frame.columns if c != "id"]
    rows: list[Row] = []
    rejects = list(parsed.rejects)
    first: dict[str, int | None] = {}
    for rec in frame.iter_rows(named=True):
        rid, line = rec["id"], rec["source_line"]
        if rid in first:
            rejects.append(
                _reject(text, line, f"duplicate {kind} id {rid!r}, first on line {first[rid]}")
            )
            continue
        first[rid] = line
        rows.append((kind, rid, {c: rec[c] for c in attributes}, source_file, line))
    return Mapped(rows, rejects=rejects)


def gis_rows(parsed: Parsed, text: list[str], source_file: str) -> Mapped:
    """GeoJSON features as rows; a repeated (kind, id) is quarantined."""
    frame = _with_source(parsed.frame, source_file, feature_lines(text, parsed))
    rows: list[Row] = []
    rejects = list(parsed.rejects)
    first: dict[tuple[str, str], int | None] = {}
    names = [c for c, _ in GIS_FEATURES.columns]
    for rec in frame.iter_rows(named=True):
        key, line = (rec["kind"], rec["id"]), rec["source_line"]
        if key in first:
            rejects.append(
                _reject(text, line, f"duplicate {key[0]} id {key[1]!r}, first on line {first[key]}")
            )
            continue
        first[key] = line
        rec["properties"] = orjson.loads(rec["properties"])
        rows.append(tuple(rec[c] for c in names))
    return Mapped(rows, rejects=rejects)


def _reject(text: list[str], line: int | None, error: str) -> Reject:
    if line is None:  # lines unknown: keep the error at the file's head, not lose it
        return Reject(0, "", error)
    return Reject(line, text[line - 1], error)


def quarantine_rows(source: str, path: str, rejects: Sequence[Reject]) -> list[Row]:
    """`bronze.file_quarantine` rows, one per (path, line); errors on one line are joined."""
    by_line: dict[int, tuple[list[str], list[str]]] = {}
    for r in rejects:
        raws, errors = by_line.setdefault(r.line, ([], []))
        if r.raw not in raws:
            raws.append(r.raw)
        errors.append(r.error)
    return [
        (source, path, line, _text("\n".join(raws)), _text("; ".join(errors)))
        for line, (raws, errors) in sorted(by_line.items())
    ]


def _text(s: str) -> str:
    """PostgreSQL text cannot hold NUL, which a corrupted line may: keep it visible."""
    return s.replace("\x00", "\\x00")
