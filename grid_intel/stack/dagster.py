"""Dagster's webserver and daemon as a stack service, on the stack's PostgreSQL."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import httpx

from grid_intel.settings import Settings, project_root
from grid_intel.stack.proc import Daemon, ensure_port_free
from grid_intel.stack.service import Progress, ServiceStatus

# Run config for in-process runs that should print warnings only (dbt's own log stays).
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def ensure_dagster_home(settings: Settings) -> Path:
    """DAGSTER_HOME holding a link to the project's `dagster.yaml`."""
    home = settings.resolved_dagster_home
    home.mkdir(parents=True, exist_ok=True)
    link, target = home / "dagster.yaml", project_root() / "dagster.yaml"
    if not (link.is_symlink() and link.resolve() == target.resolve()):
        link.unlink(missing_ok=True)
        link.symlink_to(target)
    return home


def psycopg2_url(url: str) -> str:
    """Pin dagster-postgres to psycopg2: SQLAlchemy 2.1 defaults `postgresql://` to
    psycopg 3, on which dagster-postgres's parameterised NOTIFY is a syntax error."""
    scheme, sep, rest = url.partition("://")
    return f"postgresql+psycopg2{sep}{rest}" if scheme in ("postgresql", "postgres") else url


def dagster_env(settings: Settings) -> dict[str, str]:
    """The environment every Dagster process of this project runs with."""
    env = dict(os.environ)
    env["DAGSTER_HOME"] = str(ensure_dagster_home(settings))
    env["GRID_INTEL_DAGSTER_STORAGE_URL"] = psycopg2_url(settings.dagster_storage_url)
    # Code servers and runs rebuild their settings from the environment: hand
    # them the resolved services so they use exactly what this process uses.
    env["GRID_INTEL_STATE_DIR"] = str(settings.state_dir)
    env["GRID_INTEL_WAREHOUSE_URL"] = settings.warehouse
    env |= settings.kafka_env()
    env["GRID_INTEL_SENSOR_LOOKBACK_HOURS"] = str(settings.sensor_lookback_hours)
    env["GRID_INTEL_LANDING_DIR"] = str(settings.resolved_landing_dir)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def webserver_answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/server_info", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def daemons_up(port: int) -> bool:
    """The webserver's view: every daemon (backfills, queue, sensors) heartbeating."""
    from grid_intel.operations.daemons import daemons_healthy
    from grid_intel.operations.graphql import DagsterApiError, DagsterGraphQL

    try:
        with DagsterGraphQL.local(port) as client:
            return daemons_healthy(client)
    except DagsterApiError:
        return False


class DagsterService:
    """Dagster's webserver and daemon as two processes, as a deployment runs them, rather
    than `dagster dev`: dev starts Dagster's own daemon, whose backfill loop pauses 30 s
    between iterations; this one runs `grid_intel.stack.daemon` (5 s)."""

    name = "dagster"

    def __init__(
        self, settings: Settings, daemon_command: Callable[[str], list[str]] | None = None
    ) -> None:
        from grid_intel.stack.daemon import command

        self.settings = settings
        self.daemon_command = daemon_command or command
        self.root = settings.state_dir / "dagster"
        self.webserver = Daemon(self.root / "webserver", "dagster-webserver")
        self.daemon = Daemon(self.root / "daemon", "dagster-daemon")
        self.port = settings.dagster_port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _answers(self) -> bool:
        return webserver_answers(self.port)

    def status(self) -> ServiceStatus:
        managed = self.webserver.running() and self.daemon.running()
        if self._answers():
            return ServiceStatus(self.name, True, self.url, "webserver and daemon", managed)
        return ServiceStatus(self.name, False, self.url, "webserver does not answer", managed)

    def start(
        self, progress: Progress, before_daemon: Callable[[], object] | None = None
    ) -> ServiceStatus:
        """Start both; `before_daemon` runs once the webserver answers and before the daemon
        ticks a sensor (the demo stops them there, so none runs before its backfill)."""
        from grid_intel.defs.dbt.project import prepare_if_stale

        if self.webserver.running() and self.daemon.running() and self._answers():
            return self.status()
        ensure_port_free("dagster", self.port, "GRID_INTEL_DAGSTER_PORT")
        prepare_if_stale(progress)
        progress(f"dagster: starting webserver and daemon on {self.url}")
        workspace = str(project_root() / "workspace.yaml")
        env = dagster_env(self.settings)
        webserver = Path(sys.executable).parent / "dagster-webserver"
        self.webserver.launch(
            [str(webserver), "-w", workspace, "-h", "127.0.0.1", "-p", str(self.port)],
            port=self.port,
            ready=self._answers,
            timeout=240,
            cwd=project_root(),
            env=env,
        )
        if before_daemon is not None:
            before_daemon()
        self.daemon.launch(
            self.daemon_command(workspace),
            port=0,
            ready=lambda: daemons_up(self.port),
            timeout=240,
            cwd=project_root(),
            env=env,
        )
        return self.status()

    def stop(self, *, purge: bool, progress: Progress) -> str:
        said = {self.daemon.halt(progress), self.webserver.halt(progress)}
        return "stopped" if "stopped" in said else "not running"
