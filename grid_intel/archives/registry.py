"""The asset registry exported as one CSV per kind of asset (`registry/<kind>.csv`).

Columns are the registry records' fields (transformers carry their nameplate:
MVA, voltages, cooling class, rated top-oil and hot-spot rises, loss ratio,
install year, paper), the RTUs and the SCADA point list (unit and physical
range of every point), plus what the utility's customer system adds:
`customers` served from each distribution substation. The reader tells the
kinds apart by their header.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from grid_intel.archives import tables
from grid_intel.archives.errors import ArchiveError
from grid_intel.archives.files import lines
from grid_intel.archives.parsed import Parsed
from grid_intel.grid.equipment import Breaker, Intertie, Line, Point, Rtu, Substation, Transformer
from grid_intel.grid.regions import Region
from grid_intel.grid.stations import Station

RECORDS: dict[str, type] = {
    "regions": Region,
    "stations": Station,
    "substations": Substation,
    "transformers": Transformer,
    "lines": Line,
    "interties": Intertie,
    "breakers": Breaker,
    "rtus": Rtu,
    "points": Point,  # the SCADA point list: unit and physical range of each measurement
}
EXTRA: dict[str, tables.Columns] = {"substations": (("customers", "int?"),)}


def _kind(hint: object) -> str:
    optional = typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in (
        typing.get_args(hint)
    )
    base = next((a for a in typing.get_args(hint) if a is not type(None)), hint)
    name = {str: "str", int: "int", float: "float", bool: "bool"}.get(base, "str")  # type: ignore[call-overload]
    return name + "?" if optional else name


def columns(kind: str) -> tables.Columns:
    record = RECORDS[kind]
    hints = typing.get_type_hints(record)
    own = tuple((f.name, _kind(hints[f.name])) for f in dataclasses.fields(record))
    return own + EXTRA.get(kind, ())


def file_name(kind: str) -> str:
    return f"{kind}.csv"


def frame(
    kind: str, records: Iterable[object], extra: dict[str, dict[str, object]] | None = None
) -> pl.DataFrame:
    """Records of one kind as a frame; `extra` adds columns by record id."""
    cols = columns(kind)
    rows = []
    for r in records:
        row = dataclasses.asdict(r)  # type: ignore[call-overload]
        for name, _ in EXTRA.get(kind, ()):
            row[name] = (extra or {}).get(name, {}).get(row["id"])
        rows.append(row)
    return pl.DataFrame(rows, schema=tables.schema(cols), orient="row")


def render(kind: str, data: pl.DataFrame) -> bytes:
    return tables.render(data, columns(kind))


def kind_of(path: Path, text: list[str] | None = None) -> str:
    """Which registry export a file is, by its header; ArchiveError if none."""
    text = lines(path) if text is None else text
    head = tables.header_fields(path, text)
    for kind in RECORDS:
        if head == tuple(name for name, _ in columns(kind)):
            return kind
    raise ArchiveError(
        path,
        1,
        f"not a registry export: header {list(head)} matches no kind of {', '.join(RECORDS)}",
    )


def parse(path: Path) -> Parsed:
    """Read a registry export leniently (kind from the header): bad rows are rejects."""
    text = lines(path)
    kind = kind_of(path, text)
    return tables.parse(path, columns(kind), f"registry {kind}", text=text)


def read(path: Path) -> pl.DataFrame:
    """Read a registry export; ArchiveError on the first bad row."""
    return parse(path).strict()
