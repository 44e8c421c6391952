"""The TimescaleDB test lane: PGlite with TimescaleDB compiled in, on the Postgres wire.

One Node process, one connection at a time: it exercises the TimescaleDB code
path (hypertables, compression, continuous aggregates, the dbt adapter), not
the engine for load. Its npm packages are pinned in `infra/timescale`.
"""

from __future__ import annotations

import hashlib
import shutil

import psycopg

from grid_intel.settings import Settings, project_root
from grid_intel.stack.errors import StackError
from grid_intel.stack.proc import (
    Daemon,
    ensure_port_free,
    port_open,
    require_tool,
    run_checked,
)
from grid_intel.stack.service import Progress, ServiceStatus, StateFolder

LANE_DIR = project_root() / "infra" / "timescale"


class TimescaleLane(StateFolder):
    name = "timescale"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.daemon = Daemon(self.root, "timescale")
        self.port = settings.timescale_port

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    def status(self) -> ServiceStatus:
        managed = self.daemon.running()
        if not port_open("127.0.0.1", self.port):
            return ServiceStatus(
                self.name,
                False,
                self.endpoint,
                "nothing listens (start it with `stack up --timescale`)",
                managed,
            )
        try:
            with psycopg.connect(
                self.settings.timescale_url, connect_timeout=5, prepare_threshold=None
            ) as conn:
                row = conn.execute(
                    "select extversion from pg_extension where extname = 'timescaledb'"
                ).fetchone()
        except psycopg.Error as exc:
            return ServiceStatus(
                self.name, False, self.endpoint, " ".join(str(exc).split())[:160], managed
            )
        if row is None:
            return ServiceStatus(
                self.name,
                False,
                self.endpoint,
                "answers, but without the timescaledb extension",
                managed,
            )
        return ServiceStatus(
            self.name, True, self.endpoint, f"TimescaleDB {row[0]} (PGlite)", managed
        )

    def start(self, progress: Progress) -> ServiceStatus:
        if self.daemon.running():
            return self.status()
        ensure_port_free("timescale", self.port, "GRID_INTEL_TIMESCALE_PORT")
        node = require_tool("node", "install Node.js 20+ (Debian: apt-get install nodejs npm)")
        self._install(progress)
        self.data.mkdir(parents=True, exist_ok=True)
        progress(f"timescale: starting the PGlite TimescaleDB lane on {self.endpoint}")
        self.daemon.launch(
            [
                node,
                str(LANE_DIR / "server.mjs"),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--data-dir",
                str(self.data),
            ],
            port=self.port,
            ready=lambda: port_open("127.0.0.1", self.port),
            timeout=90,
        )
        status = self.status()
        if not status.healthy:
            raise StackError(f"timescale lane started but is not usable: {status.detail}")
        return status

    def _install(self, progress: Progress) -> None:
        lock = LANE_DIR / "package-lock.json"
        stamp = LANE_DIR / "node_modules" / ".lock-digest"
        digest = hashlib.sha256(lock.read_bytes()).hexdigest()[:16]
        if stamp.exists() and stamp.read_text() == digest:
            return
        npm = require_tool("npm", "install Node.js 20+ with npm (Debian: apt-get install npm)")
        progress("timescale: installing the lane's npm packages (first run only)")
        run_checked(
            [npm, "ci", "--no-audit", "--no-fund", "--prefix", str(LANE_DIR)],
            what="npm ci for the TimescaleDB lane",
            timeout=600,
        )
        stamp.write_text(digest)

    def stop(self, *, purge: bool, progress: Progress) -> str:
        said = self.daemon.halt(progress)
        if purge and self.root.exists():
            shutil.rmtree(self.root)
            said += ", data purged"
        return said
