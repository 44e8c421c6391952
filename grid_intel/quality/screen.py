"""One set-based pass over a range run's rows that finds the hours where a row breaks a
suite's expectations.

Every expectation in the suites is row-level, so an hour without such a row meets them
all; only the other hours need Great Expectations' own validation, which gives their
counts and examples. Each expectation compiles to the SQL predicate of a broken row,
erring towards suspicion: a row GX might still accept (a `mostly` tolerance, a null in
a column pair) marks its hour suspect, never the reverse. An expectation with no
predicate here raises, so the caller judges every hour with GX instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from grid_intel.quality.gx_runner import TIME_COLUMNS, render
from grid_intel.quality.suites import Batch

if TYPE_CHECKING:
    import psycopg

# Arguments that change no row's verdict, only how many broken rows GX tolerates.
TOLERANCES = {"mostly"}


class NoScreen(ValueError):
    """An expectation this pass cannot decide row by row."""


def literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise NoScreen(f"no SQL literal for {value!r}")


def _args(name: str, kwargs: dict[str, object], allowed: set[str]) -> dict[str, object]:
    extra = set(kwargs) - allowed - TOLERANCES
    if extra:
        raise NoScreen(f"{name} with {sorted(extra)} has no screen")
    return kwargs


def broken(name: str, kwargs: dict[str, object]) -> str | None:
    """The predicate true for a row that breaks the expectation; None for expectations
    about the columns rather than rows (see `column_sets`)."""
    if name == "ExpectTableColumnsToMatchSet":
        return None
    if name == "ExpectColumnValuesToNotBeNull":
        return f"{_args(name, kwargs, {'column'})['column']} is null"
    if name == "ExpectColumnValuesToBeInSet":
        a = _args(name, kwargs, {"column", "value_set"})
        values = ", ".join(literal(v) for v in a["value_set"])  # type: ignore[attr-defined]
        return f"{a['column']} not in ({values})"  # a null is not judged, as in GX
    if name == "ExpectColumnValuesToBeBetween":
        a = _args(name, kwargs, {"column", "min_value", "max_value", "strict_min", "strict_max"})
        col, parts = a["column"], []
        if a.get("min_value") is not None:
            parts.append(f"{col} {'<=' if a.get('strict_min') else '<'} {literal(a['min_value'])}")
        if a.get("max_value") is not None:
            parts.append(f"{col} {'>=' if a.get('strict_max') else '>'} {literal(a['max_value'])}")
        if not parts:
            raise NoScreen(f"{name} on {col} without bounds has no screen")
        return " or ".join(parts)
    if name == "ExpectColumnPairValuesAToBeGreaterThanB":
        a = _args(name, kwargs, {"column_A", "column_B", "or_equal"})
        op = ">=" if a.get("or_equal") else ">"
        return f"coalesce(not ({a['column_A']} {op} {a['column_B']}), true)"
    raise NoScreen(f"{name} has no screen")


def screen_sql(batch: Batch, start: datetime, end: datetime) -> str:
    """The distinct hours (as epoch hours) of the batch's window holding a broken row."""
    column = next(c for c in batch.id_columns if c in TIME_COLUMNS)
    rows = [p for name, kwargs in batch.expectations if (p := broken(name, kwargs)) is not None]
    where = " or ".join(f"({p})" for p in rows) or "false"
    return (
        f"select distinct floor(extract(epoch from {column}) / 3600)::bigint "
        f"from ({render(batch.sql, start, end)}) as b where {where}"
    )


def column_sets(batch: Batch) -> list[tuple[set[str], bool]]:
    """The column sets the batch must match: (columns, exactly)."""
    return [
        (set(kwargs["column_set"]), bool(kwargs.get("exact_match", True)))  # type: ignore[arg-type]
        for name, kwargs in batch.expectations
        if name == "ExpectTableColumnsToMatchSet"
    ]


def columns_match(found: set[str], wanted: set[str], exactly: bool) -> bool:
    return found == wanted if exactly else wanted <= found


def suspect_hours(
    conn: psycopg.Connection, batches: Sequence[Batch], start: datetime, end: datetime
) -> set[datetime] | None:
    """The hours of [start, end) holding a row that broke an expectation, one SQL pass per
    batch; None when the batch's columns are not the expected ones (GX then judges, and
    explains, every hour)."""
    hours: set[datetime] = set()
    for batch in batches:
        sets = column_sets(batch)
        if sets:
            with conn.cursor() as cur:
                cur.execute(f"select * from ({render(batch.sql, start, end)}) as b limit 0")
                found = {d.name for d in cur.description or ()}
            if not all(columns_match(found, wanted, exactly) for wanted, exactly in sets):
                return None
        for (epoch_hour,) in conn.execute(screen_sql(batch, start, end)):  # type: ignore[arg-type]
            hours.add(datetime.fromtimestamp(int(epoch_hour) * 3600, tz=UTC))
    return hours
