"""Any asset as a polars DataFrame, for notebooks: `load_asset()` and `list_assets()`.

The catalog comes from the code location's own asset specs (their `table` or
`dagster/table_name` and `partition_column` metadata), so a new asset is loadable
as soon as it is defined. Reads use the warehouse the `GRID_INTEL_*` settings
point at, in a read-only session in UTC.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import dagster as dg
import polars as pl
import psycopg
from psycopg import sql

from grid_intel import log
from grid_intel.asset_metadata import ISSUED_AT_CLOSE, MONTHS_OF_WINDOW, ROWS_IN_WINDOW
from grid_intel.settings import get_settings, redact
from grid_intel.warehouse.connection import connect

__all__ = ["AssetInfo", "NotMaterialized", "list_assets", "load_asset"]

KeyLike = str | Sequence[str] | dg.AssetKey
WINDOWS = (ROWS_IN_WINDOW, ISSUED_AT_CLOSE, MONTHS_OF_WINDOW)
COLUMNS = ("key", "kind", "table", "partitioning", "partition_column", "description")


class NotMaterialized(LookupError):
    """The asset's table is not in this warehouse yet; the message says how to build it."""


@dataclass(frozen=True)
class AssetInfo:
    """Where an asset lives and how its partitions map to rows."""

    key: dg.AssetKey
    kind: str  # dbt or python
    table: str | None  # schema.table
    partitions_def: dg.TimeWindowPartitionsDefinition | None
    partition_column: str | None
    partition_window: str
    description: str

    @property
    def name(self) -> str:
        return self.key.to_user_string()

    @property
    def relation(self) -> sql.Identifier:
        if self.table is None:
            raise ValueError(f"{self.name} has no warehouse table (no table metadata) to load")
        schema, _, name = self.table.rpartition(".")
        return sql.Identifier(schema, name) if schema else sql.Identifier(name)

    @property
    def partitioning(self) -> str:
        if self.partitions_def is None:
            return "none"
        if isinstance(self.partitions_def, dg.HourlyPartitionsDefinition):
            return "hourly"
        if isinstance(self.partitions_def, dg.DailyPartitionsDefinition):
            return "daily"
        return self.partitions_def.cron_schedule


def asset_info(spec: dg.AssetSpec) -> AssetInfo:
    """An asset spec's table and partition column, from its metadata."""
    meta = spec.metadata
    table = _text(meta.get("dagster/table_name")) or _text(meta.get("table"))
    if table:  # dbt's relation is database.schema.table; the database is the connection's
        table = ".".join(table.split(".")[-2:])
    window = _text(meta.get("partition_window")) or ROWS_IN_WINDOW
    if window not in WINDOWS:
        raise ValueError(f"{spec.key.to_user_string()}: unknown partition_window {window!r}")
    partitions = spec.partitions_def
    if partitions is not None and not isinstance(partitions, dg.TimeWindowPartitionsDefinition):
        raise ValueError(f"{spec.key.to_user_string()}: only time-window partitions load")
    return AssetInfo(
        key=spec.key,
        kind="dbt" if "dbt" in spec.kinds else "python",
        table=table or None,
        partitions_def=partitions,
        partition_column=_text(meta.get("partition_column")) or None,
        partition_window=window,
        description=" ".join((spec.description or "").split()),
    )


def _text(value: object) -> str:
    """A metadata value as text (raw strings, or TextMetadataValue and friends)."""
    if value is None:
        return ""
    return str(getattr(value, "value", value))


@lru_cache(maxsize=1)
def catalog() -> dict[dg.AssetKey, AssetInfo]:
    """Every asset of the code location (`grid_intel.definitions`), loaded once."""
    from grid_intel.definitions import defs  # its package silences preview/beta notes

    return {spec.key: asset_info(spec) for spec in defs.resolve_all_asset_specs()}


def list_assets() -> pl.DataFrame:
    """One row per asset: key, kind (dbt/python), table, partitioning, partition column,
    description; sorted by key."""
    rows = [
        (i.name, i.kind, i.table, i.partitioning, i.partition_column, i.description)
        for i in sorted(catalog().values(), key=lambda i: i.name)
    ]
    return pl.DataFrame(rows, schema=dict.fromkeys(COLUMNS, pl.String), orient="row")


def parse_key(key: KeyLike) -> dg.AssetKey:
    """`"gold/demand_forecasts"`, `["gold", "demand_forecasts"]` or an AssetKey."""
    if isinstance(key, dg.AssetKey):
        return key
    parts = key.split("/") if isinstance(key, str) else list(key)
    if not parts or not all(isinstance(p, str) and p for p in parts):
        raise ValueError(
            f"malformed asset key {key!r}: write it like 'gold/demand_forecasts' "
            "or ['gold', 'demand_forecasts']"
        )
    return dg.AssetKey(parts)


def resolve(key: KeyLike, assets: Mapping[dg.AssetKey, AssetInfo]) -> AssetInfo:
    """The asset `key` names; a KeyError with the closest keys when there is none."""
    wanted = parse_key(key)
    if wanted in assets:
        return assets[wanted]
    names = sorted(a.to_user_string() for a in assets)
    close = difflib.get_close_matches(wanted.to_user_string(), names, n=5, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}?" if close else "see grid_intel.list_assets()"
    raise KeyError(f"no asset {wanted.to_user_string()!r}: {hint}")


def partition_window(info: AssetInfo, partition: str) -> tuple[datetime, datetime]:
    """The [start, end) of one of the asset's partition keys; a ValueError saying what
    keys look like when it is not one."""
    pd = info.partitions_def
    if pd is None:
        raise ValueError(
            f"{info.name} is not partitioned: call load_asset({info.name!r}) without a partition"
        )
    valid = (
        f"{info.name} has {info.partitioning} partitions (UTC) written like "
        f"{pd.get_first_partition_key()!r}, from {pd.get_first_partition_key()} "
        f"to {pd.get_last_partition_key()}"
    )
    if not isinstance(partition, str):
        raise ValueError(f"partition must be a string key: {valid}")
    try:
        datetime.strptime(partition, pd.fmt)
        window = pd.time_window_for_partition_key(partition)
    except ValueError:
        raise ValueError(f"malformed partition {partition!r}: {valid}") from None
    if window.start.strftime(pd.fmt) != partition or not pd.has_partition_key(partition):
        raise ValueError(f"no partition {partition!r}: {valid}")
    return window.start, window.end


def month_start(ts: datetime) -> datetime:
    return ts.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month(ts: datetime) -> datetime:
    return month_start(month_start(ts) + timedelta(days=32))


def row_filter(info: AssetInfo, start: datetime, end: datetime) -> tuple[sql.Composable, dict]:
    """The predicate (and its parameters) picking a window's rows by the partition column."""
    if info.partition_column is None:
        raise ValueError(
            f"{info.name} has no partition_column metadata, so its rows cannot be matched "
            "to a partition: load it whole (partition=None) and filter the frame"
        )
    col = sql.Identifier(info.partition_column)
    if info.partition_window == ISSUED_AT_CLOSE:
        return sql.SQL("{} > %(lo)s and {} <= %(hi)s").format(col, col), {"lo": start, "hi": end}
    if info.partition_window == MONTHS_OF_WINDOW:
        lo, hi = month_start(start), next_month(end - timedelta(microseconds=1))
        return sql.SQL("{} >= %(lo)s and {} < %(hi)s").format(col, col), {"lo": lo, "hi": hi}
    return sql.SQL("{} >= %(lo)s and {} < %(hi)s").format(col, col), {"lo": start, "hi": end}


def select_query(
    info: AssetInfo,
    columns: Sequence[str] | None,
    window: tuple[datetime, datetime] | None,
    limit: int | None,
) -> tuple[sql.Composed, dict[str, object]]:
    """The SELECT for an asset's rows: names as identifiers, values as parameters."""
    cols = sql.SQL(", ").join(map(sql.Identifier, columns)) if columns else sql.SQL("*")
    query = sql.SQL("select {} from {}").format(cols, info.relation)
    params: dict[str, object] = {}
    if window is not None:
        predicate, params = row_filter(info, *window)
        query += sql.SQL(" where ") + predicate
    if limit is not None:
        query += sql.SQL(" limit %(limit)s")
        params["limit"] = limit
    return query, params


# PostgreSQL type OIDs → polars dtypes, so empty results keep their column types.
DTYPES: dict[int, pl.DataType] = {
    16: pl.Boolean(),
    17: pl.Binary(),
    20: pl.Int64(),
    21: pl.Int16(),
    23: pl.Int32(),
    25: pl.String(),
    114: pl.String(),
    700: pl.Float32(),
    701: pl.Float64(),
    1042: pl.String(),
    1043: pl.String(),
    1082: pl.Date(),
    1114: pl.Datetime("us"),
    1184: pl.Datetime("us", "UTC"),
    1186: pl.Duration("us"),
    1700: pl.Float64(),
    2950: pl.String(),
    3802: pl.String(),
    1000: pl.List(pl.Boolean()),
    1007: pl.List(pl.Int32()),
    1009: pl.List(pl.String()),
    1016: pl.List(pl.Int64()),
    1022: pl.List(pl.Float64()),
}
# Values polars would not type well: JSON as its text, numeric as float (what a notebook
# computes with), uuid as text.
CONVERTERS: dict[int, Callable[[Any], object]] = {
    114: json.dumps,
    3802: json.dumps,
    1700: float,
    2950: str,
}


def to_frame(names: Sequence[str], oids: Sequence[int], rows: list[tuple]) -> pl.DataFrame:
    """Rows from psycopg as a typed frame (timestamps with time zone in UTC)."""
    convert = {i: CONVERTERS[oid] for i, oid in enumerate(oids) if oid in CONVERTERS}
    if convert:
        rows = [
            tuple(v if v is None or i not in convert else convert[i](v) for i, v in enumerate(r))
            for r in rows
        ]
    typed = {n: DTYPES[o] for n, o in zip(names, oids, strict=True) if o in DTYPES}
    return pl.DataFrame(
        rows, schema=list(names), schema_overrides=typed, orient="row", infer_schema_length=None
    )


def load_asset(
    key: KeyLike,
    partition: str | None = None,
    *,
    columns: Sequence[str] | None = None,
    limit: int | None = None,
    url: str | None = None,
) -> pl.DataFrame:
    """An asset's rows as a polars DataFrame: one partition's (a partition key of the
    asset's partitions, e.g. "2026-01-05-13:00" hourly or "2026-01-05" daily) or all.

    `columns` picks columns, `limit` caps the rows; `url` reads another warehouse than
    the settings' one. Raises KeyError for an unknown asset (with close matches),
    ValueError for a partition the asset does not have, NotMaterialized when its
    table does not exist yet.
    """
    info = resolve(key, catalog())
    window = None if partition is None else partition_window(info, partition)
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise ValueError(f"limit must be a non-negative integer, not {limit!r}")
    if isinstance(columns, str):
        columns = [columns]
    settings = get_settings()
    target = url or settings.warehouse
    query, params = select_query(info, columns, window, limit)
    with connect(target, timeout_s=settings.connect_timeout_s) as conn:
        conn.read_only = True
        conn.execute("set time zone 'UTC'")
        present = table_columns(conn, info)
        if present is None:
            raise NotMaterialized(
                f"{info.name} is not materialized in {redact(target)}: table {info.table} "
                "does not exist. Materialize it first in the Dagster UI or with `dagster asset "
                f"materialize -m grid_intel.definitions --select {info.name}"
                f"{' --partition ' + partition if partition else ''}`."
            )
        unknown = [c for c in columns or () if c not in present]
        if unknown:
            raise ValueError(f"{info.table} has no column {unknown}: it has {present}")
        cur = conn.execute(query, params)
        desc = cur.description or []
        frame = to_frame([d.name for d in desc], [d.type_code for d in desc], cur.fetchall())
    if partition is not None and frame.is_empty():
        log.get(__name__).warning(
            "no rows in this partition: materialize it if it should have some",
            asset=info.name,
            partition=partition,
        )
    return frame


def table_columns(conn: psycopg.Connection, info: AssetInfo) -> list[str] | None:
    """The table's columns in order, or None when it does not exist."""
    relation = info.relation.as_string(conn)
    (oid,) = conn.execute("select to_regclass(%s)::oid", (relation,)).fetchone()
    if oid is None:
        return None
    rows = conn.execute(
        "select attname from pg_attribute where attrelid = %s and attnum > 0"
        " and not attisdropped order by attnum",
        (oid,),
    ).fetchall()
    return [r[0] for r in rows]
