"""Run a suite's batches with Great Expectations (1.x, ephemeral context) on the warehouse.

The context, the data source and each batch's suite are built once per process.

On a server that takes many connections, GX computes each expectation in SQL
(its own SQLAlchemy engine); on the single-connection TimescaleDB lane the batch
is read through the caller's connection into pandas and validated there. Either
way the result is one `Verdict` whose metadata lists each failed expectation
with the rows that broke it.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from grid_intel.quality.suites import Batch
from grid_intel.quality.verdict import Verdict

if TYPE_CHECKING:
    import psycopg

EXAMPLES = 5
TIME_COLUMNS = ("ts", "interval_start")  # each batch identifies its rows' time by one


def render(sql: str, start: datetime, end: datetime) -> str:
    """The batch's SQL for one window (timestamps as literals: GX takes no parameters)."""
    return sql.format(
        start=f"'{start.isoformat()}'::timestamptz", end=f"'{end.isoformat()}'::timestamptz"
    )


def sqlalchemy_url(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"postgresql+psycopg2://{rest}" if scheme in ("postgres", "postgresql") else url


def single_connection(conn: psycopg.Connection) -> bool:
    """The PGlite lane (PostgreSQL compiled to WebAssembly) serves one connection at a time."""
    row = conn.execute("select version()").fetchone()
    return "emscripten" in str(row[0] if row else "").lower()


@functools.cache
def _context(url: str, in_sql: bool) -> tuple[Any, Any]:
    """GX's context and the warehouse's data source, built once per process: building
    them costs more than validating an hour."""
    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    ctx = gx.get_context(mode="ephemeral")
    source = (
        ctx.data_sources.add_postgres("warehouse", connection_string=sqlalchemy_url(url))
        if in_sql
        else ctx.data_sources.add_pandas("warehouse")
    )
    return ctx, source


_SUITES: dict[tuple[int, str], Any] = {}


def _suite(ctx: Any, batch: Batch) -> Any:
    import great_expectations as gx

    key = (id(ctx), f"{batch.name}:{batch.expectations!r}")
    if key not in _SUITES:
        suite = ctx.suites.add(gx.ExpectationSuite(f"{batch.name}-{uuid.uuid4().hex[:8]}"))
        for name, kwargs in batch.expectations:
            suite.add_expectation(getattr(gx.expectations, name)(**kwargs))
        _SUITES[key] = suite
    return _SUITES[key]


def validate(
    url: str,
    conn: psycopg.Connection,
    batches: Sequence[Batch],
    start: datetime,
    end: datetime,
    *,
    in_sql: bool,
) -> Verdict:
    """`in_sql`: let GX compute in the database (false on a single-connection server,
    see `single_connection`)."""
    ctx, source = _context(url, in_sql)
    failures: list[dict[str, Any]] = []
    evaluated = 0
    for batch in batches:
        result = _run(ctx, source, conn, batch, render(batch.sql, start, end), in_sql)
        for r in result.results:
            evaluated += 1
            if not r.success:
                failures.append(_failure(batch.name, r))
    if failures:
        first = failures[0]
        return Verdict.fail(
            f"{len(failures)} of {evaluated} expectations failed, first "
            f"{first['expectation']} on {first['batch']}.{first['column']}: {first['reason']}",
            expectations=evaluated,
            failures=failures,
        )
    return Verdict.ok(f"all {evaluated} expectations met", expectations=evaluated, failures=[])


def _run(
    ctx: Any,
    source: Any,
    conn: psycopg.Connection,
    batch: Batch,
    query: str,
    in_sql: bool,
):
    """One batch's validation; its window's asset and definition are removed afterwards so
    a long-lived process does not accumulate them."""
    import great_expectations as gx

    name = f"{batch.name}-{uuid.uuid4().hex[:8]}"
    if in_sql:
        asset = source.add_query_asset(name, query=query)
        data = asset.add_batch_definition_whole_table("window")
        params: dict[str, object] = {}
    else:
        asset = source.add_dataframe_asset(name)
        data = asset.add_batch_definition_whole_dataframe("window")
        params = {"dataframe": _frame(conn, query)}
    definition = ctx.validation_definitions.add(
        gx.ValidationDefinition(name=name, data=data, suite=_suite(ctx, batch))
    )
    try:
        return definition.run(
            batch_parameters=params or None,
            result_format={
                "result_format": "SUMMARY",
                "partial_unexpected_count": EXAMPLES,
                "unexpected_index_column_names": list(batch.id_columns),
            },
        )
    finally:
        ctx.validation_definitions.delete(name)
        source.delete_asset(name)


def _frame(conn: psycopg.Connection, query: str) -> Any:
    import pandas as pd

    with conn.cursor() as cur:
        cur.execute(query)
        columns = [d.name for d in cur.description or ()]
        return pd.DataFrame(cur.fetchall(), columns=columns)


def _raised(r: Any) -> bool:
    info = r.exception_info or {}
    return bool(isinstance(info, dict) and info.get("raised_exception"))


def _failure(batch: str, r: Any) -> dict[str, Any]:
    config = r.expectation_config
    kwargs = {k: v for k, v in config.kwargs.items() if k not in ("batch_id",)}
    res = r.result or {}
    if _raised(r):
        reason = f"could not be evaluated: {str(r.exception_info.get('exception_message'))[:300]}"
    elif res.get("unexpected_count") is not None:
        reason = (
            f"{res['unexpected_count']} rows ({res.get('unexpected_percent', 0):.3g} %) unexpected"
        )
    else:
        reason = f"observed {res.get('observed_value')!r}"
    examples = res.get("partial_unexpected_index_list") or res.get("partial_unexpected_list") or []
    return {
        "batch": batch,
        "expectation": config.type,
        "column": kwargs.get("column") or ",".join(kwargs.get("column_list") or ()) or "*",
        "kwargs": _plain(kwargs),
        "reason": reason,
        "examples": _plain(list(examples)[:EXAMPLES]),
    }


def _plain(value: Any) -> Any:
    """JSON-safe copy (timestamps and numpy scalars become str/float)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return str(value)
