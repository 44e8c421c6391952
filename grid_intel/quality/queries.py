"""SQL that measures one window for the custom rules (the rules themselves are pure)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from grid_intel.warehouse.writer import TableSpec

if TYPE_CHECKING:
    import psycopg


def quarantine_counts(
    conn: psycopg.Connection, topic: str, table: TableSpec, start: datetime, end: datetime
) -> tuple[int, int]:
    """(messages quarantined, messages accepted) of the window: the quarantine knows a
    message's Kafka timestamp only, bronze its event time."""
    from psycopg import sql

    quarantined = conn.execute(
        "select count(*) from bronze.quarantine "
        "where topic = %s and record_ts >= %s and record_ts < %s",
        (topic, start, end),
    ).fetchone()
    accepted = conn.execute(
        sql.SQL(
            "select count(*) from (select distinct kafka_partition, kafka_offset from {} "
            "where ts >= %s and ts < %s) as m"
        ).format(table.ident),
        (start, end),
    ).fetchone()
    return int(quarantined[0]), int(accepted[0])


def point_readings(conn: psycopg.Connection, start: datetime, end: datetime) -> dict[str, int]:
    """Scans with a value per point in the window."""
    rows = conn.execute(
        "select point_id, count(distinct ts) from bronze.sensor_readings "
        "where ts >= %s and ts < %s and value is not null group by 1",
        (start, end),
    ).fetchall()
    return {r[0]: int(r[1]) for r in rows}


def expected_point_readings(
    conn: psycopg.Connection, start: datetime, end: datetime
) -> dict[str, float]:
    """Readings each registered point's scan interval promises in the window."""
    seconds = (end - start).total_seconds()
    rows = conn.execute(
        "select point_id, scan_interval_s from silver.scada_points where scan_interval_s > 0"
    ).fetchall()
    return {r[0]: seconds / float(r[1]) for r in rows}


def window_rows(conn: psycopg.Connection, table: TableSpec, start: datetime, end: datetime) -> int:
    from psycopg import sql

    row = conn.execute(
        sql.SQL("select count(*) from {} where ts >= %s and ts < %s").format(table.ident),
        (start, end),
    ).fetchone()
    return int(row[0]) if row else 0


def newest_event(
    conn: psycopg.Connection, table: TableSpec, start: datetime, end: datetime
) -> datetime | None:
    from psycopg import sql

    row = conn.execute(
        sql.SQL("select max(ts) from {} where ts >= %s and ts < %s").format(table.ident),
        (start, end),
    ).fetchone()
    return row[0] if row else None


def unknown_points(conn: psycopg.Connection, start: datetime, end: datetime) -> dict[str, int]:
    """Points reporting in the window that the registry does not list, with their row counts."""
    rows = conn.execute(
        "select r.point_id, count(*) from bronze.sensor_readings as r "
        "where r.ts >= %s and r.ts < %s and not exists "
        "(select 1 from silver.scada_points as p where p.point_id = r.point_id) group by 1",
        (start, end),
    ).fetchall()
    return {r[0]: int(r[1]) for r in rows}


def flagged_readings(
    conn: psycopg.Connection, start: datetime, end: datetime
) -> dict[str, dict[str, int]]:
    """Per quality code other than good, the points flagged and how many readings each."""
    rows = conn.execute(
        "select quality_code, point_id, count(*) from silver.validated_readings "
        "where ts >= %s and ts < %s and quality_code <> 'good' group by 1, 2",
        (start, end),
    ).fetchall()
    out: dict[str, dict[str, int]] = {}
    for code, point, n in rows:
        out.setdefault(code, {})[point] = int(n)
    return out


def hourly_balance(
    conn: psycopg.Connection, start: datetime, end: datetime
) -> list[tuple[datetime, float, float, float]]:
    """(hour, generation, demand, net export) in MW for the hours that have all three."""
    return conn.execute(
        """
        with g as (
            select hour, sum(generation_mw) as mw from gold.generation_mix_hourly
            where hour >= %(s)s and hour < %(e)s group by 1
        ), d as (
            select hour, sum(demand_mw) as mw from gold.demand_hourly
            where hour >= %(s)s and hour < %(e)s group by 1
        ), x as (
            select hour, sum(net_export_mw) as mw from gold.interchange_hourly
            where hour >= %(s)s and hour < %(e)s group by 1
        )
        select g.hour, g.mw, d.mw, x.mw from g join d using (hour) join x using (hour)
        order by 1
        """,
        {"s": start, "e": end},
    ).fetchall()
