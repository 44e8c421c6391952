"""Every TableSpec the code writes through agrees with the migrations that create its
table, on both warehouse lanes: each column exists with the same type, and every
column the table requires (not null, no default) is written. A layout restated in
Python and SQL drifts unless something compares the two."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

import grid_intel
from grid_intel.ingestion.tables import BRONZE_TOPICS
from grid_intel.layout import columns
from grid_intel.warehouse.writer import TableSpec

MIGRATIONS = Path(grid_intel.__file__).parent / "warehouse" / "migrations"
LANES = ("postgres", "timescaledb")
# The modules that hold the TableSpecs (the test below checks there are no others).
MODULES = (
    "grid_intel.ingestion.archives",
    "grid_intel.forecasting.tables",
    "grid_intel.carbon.tables",
    "grid_intel.market.tables",
    "grid_intel.anomaly.tables",
    "grid_intel.health.tables",
)
TYPES = {
    "double precision": "float8",
    "float8": "float8",
    "real": "float4",
    "float4": "float4",
    "integer": "int4",
    "int": "int4",
    "int4": "int4",
    "bigint": "int8",
    "int8": "int8",
    "smallint": "int2",
    "int2": "int2",
    "boolean": "bool",
    "bool": "bool",
    "timestamptz": "timestamptz",
    "timestamp with time zone": "timestamptz",
    "text": "text",
    "jsonb": "jsonb",
    "bytea": "bytea",
    "date": "date",
}
CREATE = re.compile(r"create table (?:if not exists )?(\w+)\.(\w+) \(", re.IGNORECASE)
ADD = re.compile(
    r"alter table (?:if exists )?(\w+)\.(\w+) add column (?:if not exists )?(\w+) ([^;,]+)",
    re.IGNORECASE,
)
CONSTRAINTS = ("primary key", "unique", "check", "constraint", "foreign key", "exclude")
TYPE_END = re.compile(
    r"\s(not null|null|default|primary|references|check|unique|generated|constraint|collate)\b"
)


def body(sql: str, start: int) -> str:
    """The text inside the parentheses that open at `start - 1`."""
    depth, i = 1, start
    while depth:
        depth += {"(": 1, ")": -1}.get(sql[i], 0)
        i += 1
    return sql[start : i - 1]


def items(text: str) -> list[str]:
    """Comma-separated items at parenthesis depth 0."""
    out, depth, current = [], 0, ""
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            out.append(current.strip())
            current = ""
        else:
            current += ch
    return [*out, current.strip()] if current.strip() else out


def column(item: str) -> tuple[str, str, bool]:
    """(name, normalised type, required) of a column definition."""
    name, rest = item.split(None, 1)
    rest = " " + rest.strip().lower()
    end = TYPE_END.search(rest)
    sql_type = re.sub(r"\s+", " ", rest[: end.start() if end else len(rest)]).strip()
    required = "not null" in rest and "default" not in rest and "generated" not in rest
    return name.strip('"'), TYPES.get(sql_type, sql_type), required


Tables = dict[str, dict[str, tuple[str, bool]]]


def lane_tables(lane: str, folder: Path = MIGRATIONS) -> Tables:
    """Each table's columns after every migration of `lane`, in order."""
    tables: Tables = {}
    for path in sorted(folder.glob("*.sql")):
        parts = path.name.split(".")
        if len(parts) == 3 and parts[1] != lane:
            continue
        sql = re.sub(r"--[^\n]*", "", path.read_text())
        for found in CREATE.finditer(sql):
            cols = {}
            for item in items(body(sql, found.end())):
                if not item.lower().startswith(CONSTRAINTS):
                    name, sql_type, required = column(item)
                    cols[name] = (sql_type, required)
            tables[f"{found.group(1)}.{found.group(2)}"] = cols
        for found in ADD.finditer(sql):
            name, sql_type, required = column(f"{found.group(3)} {found.group(4)}")
            tables[f"{found.group(1)}.{found.group(2)}"][name] = (sql_type, required)
    return tables


def specs() -> list[TableSpec]:
    found = [t.table for t in BRONZE_TOPICS]
    for name in MODULES:
        found += [
            v for v in vars(importlib.import_module(name)).values() if isinstance(v, TableSpec)
        ]
    return found


def disagreements(spec: TableSpec, tables: Tables) -> list[str]:
    table = tables.get(spec.qualified)
    if table is None:
        return [f"{spec.qualified}: no migration creates it"]
    out = []
    for name, sql_type in spec.columns:
        if name not in table:
            out.append(f"{spec.qualified}.{name}: not in the table")
        elif table[name][0] != TYPES.get(sql_type, sql_type):
            out.append(f"{spec.qualified}.{name}: {sql_type} here, {table[name][0]} there")
    unwritten = [c for c, (_, required) in table.items() if required and c not in spec.names]
    if unwritten:
        out.append(f"{spec.qualified}: required columns not written: {unwritten}")
    if spec.time_column not in table:
        out.append(f"{spec.qualified}: no time column {spec.time_column}")
    return out


@pytest.mark.parametrize("lane", LANES)
def test_every_table_spec_matches_its_migration(lane):
    tables = lane_tables(lane)
    found = [problem for spec in specs() for problem in disagreements(spec, tables)]
    assert not found, "\n".join(found)


def test_the_check_sees_a_drifted_layout(tmp_path):
    (tmp_path / "0001_t.sql").write_text(
        "-- a table\ncreate table if not exists gold.t (\n    ts timestamptz not null,\n"
        "    v double precision, n integer not null,\n    primary key (ts)\n);\n"
        "alter table gold.t add column if not exists extra text;\n"
    )
    (tmp_path / "0002_u.timescaledb.sql").write_text("create table gold.u (ts timestamptz);\n")
    tables = lane_tables("postgres", tmp_path)
    assert tables == {
        "gold.t": {
            "ts": ("timestamptz", True),
            "v": ("float8", False),
            "n": ("int4", True),
            "extra": ("text", False),
        }
    }
    good = TableSpec("gold", "t", (("ts", "timestamptz"), ("n", "int4"), ("extra", "text")))
    assert disagreements(good, tables) == []
    drifted = TableSpec("gold", "t", (("ts", "timestamptz"), ("v", "int4"), ("w", "text")))
    assert disagreements(drifted, tables) == [
        "gold.t.v: int4 here, float8 there",
        "gold.t.w: not in the table",
        "gold.t: required columns not written: ['n']",
    ]
    assert disagreements(TableSpec("gold", "u", ()), tables) == ["gold.u: no migration creates it"]


def test_table_specs_live_only_in_the_modules_checked():
    root = Path(grid_intel.__file__).parent
    defining = {
        ".".join(p.relative_to(root.parent).with_suffix("").parts)
        for p in root.rglob("*.py")
        if re.search(r"^\w+ = (TableSpec|_bronze|_table)\(", p.read_text(), re.MULTILINE)
        or re.search(r"TableSpec\(\s*\"", p.read_text())
    }
    assert defining <= {*MODULES, "grid_intel.ingestion.tables"}, defining


def test_a_layout_reads_as_its_migration_writes_it():
    assert columns("day timestamptz, region text,\n mae float8") == (
        ("day", "timestamptz"),
        ("region", "text"),
        ("mae", "float8"),
    )
