"""`dagster dev` (webserver + daemon) as a stack service, on the stack's PostgreSQL."""

from __future__ import annotations

import os
import sys
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


class DagsterDev:
    name = "dagster"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.state_dir / "dagster-dev"
        self.daemon = Daemon(self.root, "dagster")
        self.port = settings.dagster_port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _answers(self) -> bool:
        return webserver_answers(self.port)

    def status(self) -> ServiceStatus:
        managed = self.daemon.running()
        if self._answers():
            return ServiceStatus(self.name, True, self.url, "webserver and daemon", managed)
        return ServiceStatus(self.name, False, self.url, "webserver does not answer", managed)

    def start(self, progress: Progress) -> ServiceStatus:
        if self.daemon.running() and self._answers():
            return self.status()
        ensure_port_free("dagster", self.port, "GRID_INTEL_DAGSTER_PORT")
        progress(f"dagster: starting webserver and daemon on {self.url}")
        cmd = [
            sys.executable,
            "-m",
            "dagster",
            "dev",
            "-w",
            str(project_root() / "workspace.yaml"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
        ]
        self.daemon.launch(
            cmd,
            port=self.port,
            ready=self._answers,
            timeout=240,
            cwd=project_root(),
            env=dagster_env(self.settings),
        )
        return self.status()

    def stop(self, *, purge: bool, progress: Progress) -> str:
        return self.daemon.halt(progress)
