"""Idempotent, versioned warehouse migrations that detect and record the lane.

A migration is `NNNN_name.sql` for both lanes, or a pair `NNNN_name.postgres.sql`
/ `NNNN_name.timescaledb.sql` where the lanes differ (partitioned table versus
hypertable). Applied versions and their checksums live in `ops.schema_migrations`;
an edited migration that was already applied is an error, not a silent skip.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import psycopg

Lane = Literal["postgres", "timescaledb"]
LANES: tuple[Lane, ...] = ("postgres", "timescaledb")
_FILE = re.compile(
    r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+?)(?:\.(?P<lane>postgres|timescaledb))?\.sql$"
)
_LOCK_KEY = 0x6772_6964  # "grid": serialises concurrent migrators


class MigrationError(RuntimeError):
    """A migration is malformed, edited after being applied, or failed to apply."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()[:16]


@dataclass
class MigrationReport:
    lane: Lane
    timescaledb_version: str | None
    applied: list[str] = field(default_factory=list)
    current: list[str] = field(default_factory=list)


def plan(files: dict[str, str], lane: Lane) -> list[Migration]:
    """The ordered migrations for a lane from a {filename: sql} mapping."""
    by_version: dict[int, dict[str | None, tuple[str, str]]] = {}
    for filename, sql in files.items():
        m = _FILE.match(filename)
        if m is None:
            raise MigrationError(f"migration file {filename!r} is not NNNN_name[.lane].sql")
        variants = by_version.setdefault(int(m["version"]), {})
        variants[m["lane"]] = (m["name"], sql)
    out: list[Migration] = []
    for version in sorted(by_version):
        variants = by_version[version]
        names = {name for name, _ in variants.values()}
        if len(names) > 1:
            raise MigrationError(f"migration {version:04d} has differing names: {sorted(names)}")
        if None in variants and len(variants) > 1:
            raise MigrationError(f"migration {version:04d} is both common and per-lane")
        if None not in variants and set(variants) != set(LANES):
            raise MigrationError(f"migration {version:04d} needs one file per lane {LANES}")
        name, sql = variants.get(None) or variants[lane]
        out.append(Migration(version, name, sql))
    return out


def bundled_files() -> dict[str, str]:
    folder = resources.files("grid_intel.warehouse.migrations")
    return {p.name: p.read_text() for p in folder.iterdir() if p.name.endswith(".sql")}


def detect_lane(conn: psycopg.Connection) -> tuple[Lane, str | None]:
    """TimescaleDB when the extension is installed or installable, else plain PostgreSQL."""
    row = conn.execute(
        "select installed_version, default_version from pg_available_extensions "
        "where name = 'timescaledb'"
    ).fetchone()
    if row is None:
        return "postgres", None
    if row[0] is None:
        conn.execute("create extension if not exists timescaledb")
        row = conn.execute(
            "select extversion, null from pg_extension where extname = 'timescaledb'"
        ).fetchone()
    return "timescaledb", row[0]


def migrate(conn: psycopg.Connection, files: dict[str, str] | None = None) -> MigrationReport:
    """Bring the warehouse to the newest version in one transaction."""
    import psycopg

    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
        lane, ts_version = detect_lane(conn)
        conn.execute("create schema if not exists ops")
        conn.execute(
            "create table if not exists ops.schema_migrations ("
            " version integer primary key, name text not null, lane text not null,"
            " checksum text not null, applied_at timestamptz not null default now())"
        )
        done = {
            v: (name, checksum)
            for v, name, checksum in conn.execute(
                "select version, name, checksum from ops.schema_migrations"
            )
        }
        report = MigrationReport(lane, ts_version)
        for mig in plan(files if files is not None else bundled_files(), lane):
            label = f"{mig.version:04d}_{mig.name}"
            if mig.version in done:
                if done[mig.version][1] != mig.checksum:
                    raise MigrationError(
                        f"migration {label} changed after it was applied "
                        f"(checksum {done[mig.version][1]} → {mig.checksum}); "
                        "add a new migration instead of editing an applied one"
                    )
                report.current.append(label)
                continue
            try:
                conn.execute(mig.sql)
            except psycopg.Error as exc:
                raise MigrationError(f"migration {label} failed on the {lane} lane: {exc}") from exc
            conn.execute(
                "insert into ops.schema_migrations (version, name, lane, checksum)"
                " values (%s, %s, %s, %s)",
                (mig.version, mig.name, lane, mig.checksum),
            )
            report.applied.append(label)
        conn.execute(
            "insert into ops.warehouse_lane (lane, timescaledb_version, server_version)"
            " values (%s, %s, current_setting('server_version'))"
            " on conflict (id) do update set lane = excluded.lane,"
            " timescaledb_version = excluded.timescaledb_version,"
            " server_version = excluded.server_version, detected_at = now()",
            (lane, ts_version),
        )
    return report


def hypertables(conn: psycopg.Connection) -> set[str]:
    """`schema.table` of every hypertable (none on the plain-PostgreSQL lane)."""
    if conn.execute("select 1 from pg_extension where extname = 'timescaledb'").fetchone() is None:
        return set()
    rows = conn.execute(
        "select hypertable_schema || '.' || hypertable_name"
        " from timescaledb_information.hypertables"
    )
    return {r[0] for r in rows}


def recorded_lane(conn: psycopg.Connection) -> Lane:
    """The lane the warehouse was migrated on; an error if it never was."""
    import psycopg

    try:
        row = conn.execute("select lane from ops.warehouse_lane").fetchone()
    except psycopg.errors.UndefinedTable as exc:
        raise MigrationError("the warehouse is not migrated: run `grid-intel migrate`") from exc
    if row is None:
        raise MigrationError("the warehouse is not migrated: run `grid-intel migrate`")
    return row[0]
