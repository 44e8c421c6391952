"""Plain CSV exports with typed columns: the writer and lenient reader the exports share.

A column's type says how it is written and read back: `str` (required),
`str?`, `int`, `int?`, `float`, `float?` (shortest round-tripping text),
`bool` (true/false), `utc`/`utc?` (ISO 8601 with Z) and `list` (values joined
by `;`). What a row means beyond its types is checked by an optional function
that raises ValueError.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from grid_intel.archives.errors import ArchiveError
from grid_intel.archives.files import (
    checked_fields,
    csv_text,
    iso_utc,
    lines,
    numbered,
    parse_iso_utc,
)
from grid_intel.archives.parsed import Parsed, Reject
from grid_intel.layout import columns

Columns = tuple[tuple[str, str], ...]
DTYPES: dict[str, pl.DataType] = {
    "str": pl.String(),
    "str?": pl.String(),
    "int": pl.Int64(),
    "int?": pl.Int64(),
    "float": pl.Float64(),
    "float?": pl.Float64(),
    "bool": pl.Boolean(),
    "utc": pl.Datetime("us", "UTC"),
    "utc?": pl.Datetime("us", "UTC"),
    "list": pl.List(pl.String()),
}


def schema(columns: Columns) -> dict[str, pl.DataType]:
    return {name: DTYPES[kind] for name, kind in columns}


def render(frame: pl.DataFrame, columns: Columns) -> bytes:
    """CSV bytes of `frame`'s columns, in `columns` order, header first."""
    rows: list[list[object]] = [[name for name, _ in columns]]
    for rec in frame.select([name for name, _ in columns]).iter_rows():
        rows.append([_text(v, kind) for v, (_, kind) in zip(rec, columns, strict=True)])
    return csv_text(rows).encode()


@dataclass(frozen=True)
class DailyExport:
    """A daily export's files: `<prefix>_YYYYMMDD.csv`, written with `columns`."""

    prefix: str
    layout: str  # "name kind, ...": the header's columns with their kinds (above)

    @property
    def columns(self) -> Columns:
        return columns(self.layout)

    def file_name(self, day: date) -> str:
        return f"{self.prefix}_{day:%Y%m%d}.csv"

    def render(self, frame: pl.DataFrame) -> bytes:
        """The CSV of a frame with the export's columns."""
        return render(frame, self.columns)


def parse(
    path: Path,
    columns: Columns,
    what: str,
    check: Callable[[dict[str, object]], None] | None = None,
    text: list[str] | None = None,
) -> Parsed:
    """Read a CSV whose header is exactly `columns`; bad rows come back as rejects."""
    text = lines(path) if text is None else text
    if not text:
        raise ArchiveError(path, None, f"empty file, expected a {what} CSV")
    header = header_fields(path, text)
    names = tuple(name for name, _ in columns)
    if header != names:
        raise ArchiveError(
            path, 1, f"not a {what} CSV: header {list(header)}, expected {list(names)}"
        )
    rows = []
    rejects = []
    for n, line in numbered(text, 2):
        try:
            f = checked_fields(line)
            if len(f) != len(columns):
                raise ValueError(f"expected {len(columns)} fields, found {len(f)}")
            row = {name: _value(x, name, kind) for x, (name, kind) in zip(f, columns, strict=True)}
            if check is not None:
                check(row)
            rows.append(row)
        except ValueError as exc:
            rejects.append(Reject(n, line, str(exc)))
    return Parsed(path, pl.DataFrame(rows, schema=schema(columns), orient="row"), rejects)


def header_fields(path: Path, text: list[str]) -> tuple[str, ...]:
    """The first line's fields; ArchiveError when it is no CSV line at all."""
    if not text:
        return ()
    try:
        return tuple(checked_fields(text[0]))
    except ValueError as exc:
        raise ArchiveError(path, 1, f"unreadable header: {exc}") from None


def header(path: Path) -> tuple[str, ...]:
    """The first line's fields (for telling one export from another)."""
    return header_fields(path, lines(path))


def _text(v: object, kind: str) -> object:
    if v is None:
        return None
    if kind in ("utc", "utc?"):
        return iso_utc(v)  # type: ignore[arg-type]
    if kind == "bool":
        return "true" if v else "false"
    if kind == "list":
        return ";".join(v)  # type: ignore[arg-type]
    if kind in ("float", "float?"):
        return repr(float(v))  # type: ignore[arg-type]
    return v


def _value(text: str, name: str, kind: str) -> object:
    if text == "":
        if kind.endswith("?"):
            return None
        if kind == "list":
            return []
        raise ValueError(f"{name} is empty")
    try:
        if kind in ("str", "str?"):
            return text
        if kind in ("int", "int?"):
            return int(text)
        if kind in ("float", "float?"):
            return float(text)
        if kind == "bool":
            if text not in ("true", "false"):
                raise ValueError
            return text == "true"
        if kind in ("utc", "utc?"):
            return parse_iso_utc(text)
        return text.split(";")
    except ValueError:
        raise ValueError(f"{name} {text!r} is not {_described[kind]}") from None


_described = {
    "int": "an integer",
    "int?": "an integer",
    "float": "a number",
    "float?": "a number",
    "bool": "true or false",
    "utc": "an ISO 8601 UTC time",
    "utc?": "an ISO 8601 UTC time",
}
