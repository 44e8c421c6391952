"""Dagster for the e2e and fault tiers: its own DAGSTER_HOME, storage database and port,
either as `dagster dev` or as a webserver and a daemon the test can kill apart."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from grid_intel.bench.database import scratch_database
from grid_intel.operations.daemons import daemons_healthy
from grid_intel.operations.graphql import DagsterApiError, DagsterGraphQL
from grid_intel.settings import Settings, project_root
from grid_intel.stack.daemon import command as daemon_command
from grid_intel.stack.dagster import DagsterService, dagster_env
from grid_intel.stack.proc import Daemon, free_port, spawn, terminate, wait_until


@contextmanager
def dagster_settings(lane: Settings, state: Path, **overrides: object) -> Iterator[Settings]:
    """`lane` with a fresh Dagster storage database (dropped after) and a free port.

    Its sensors start at the topics' ends, not at a day of other tests' data.
    """
    server = lane.local_pg_url("postgres")
    with scratch_database(server, "dagster_e2e", migrated=False) as storage:
        yield lane.with_state_dir(
            state,
            dagster_port=free_port(),
            dagster_pg_url=storage,
            sensor_lookback_hours=0.0,
            **overrides,
        )


@contextmanager
def dagster_dev(lane: Settings, state: Path, **overrides: object) -> Iterator[Settings]:
    """`dagster dev` on `lane`'s warehouse, stopped and its storage dropped after."""
    with dagster_settings(lane, state, **overrides) as settings:
        dev = DagsterService(settings)
        try:
            dev.start(print)
            yield settings
        finally:
            dev.stop(purge=False, progress=print)


class Services:
    """`dagster-webserver` and `dagster-daemon run` as two processes, as a deployment
    runs them, so the daemon can die and come back while the webserver stays."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.state_dir / "dagster-services"
        self.env = dagster_env(settings)
        self.workspace = str(project_root() / "workspace.yaml")
        self.webserver = Daemon(self.root, "webserver")
        self.daemon: subprocess.Popen[bytes] | None = None
        self.daemon_log = self.root / "daemon.log"

    def _bin(self, name: str) -> str:
        return str(Path(sys.executable).parent / name)

    def _answers(self) -> bool:
        try:
            with DagsterGraphQL.local(self.settings.dagster_port) as client:
                client.query("{ version }")
            return True
        except DagsterApiError:
            return False

    def daemons_healthy(self) -> bool:
        """The webserver's view: every daemon (backfills, queue, monitoring) heartbeating."""
        with DagsterGraphQL.local(self.settings.dagster_port) as client:
            return daemons_healthy(client)

    def start_webserver(self) -> None:
        cmd = [self._bin("dagster-webserver"), "-w", self.workspace, "-h", "127.0.0.1"]
        cmd += ["-p", str(self.settings.dagster_port)]
        self.webserver.launch(
            cmd,
            port=self.settings.dagster_port,
            ready=self._answers,
            timeout=240,
            cwd=project_root(),
            env=self.env,
        )

    def start_daemon(self) -> None:
        cmd = daemon_command(self.workspace)
        self.daemon = spawn(cmd, self.daemon_log, cwd=project_root(), env=self.env)
        wait_until(
            self.daemons_healthy,
            timeout=240,
            what="dagster-daemon",
            log_path=self.daemon_log,
            proc=self.daemon,
            interval=2,
        )

    def kill_daemon(self) -> None:
        """SIGKILL the daemon process alone, as a crash would: the runs it launched live
        in processes of their own and carry on."""
        assert self.daemon is not None
        self.daemon.kill()
        self.daemon.wait(30)

    def stop(self) -> None:
        if self.daemon is not None and self.daemon.poll() is None:
            terminate(self.daemon.pid)
        self.webserver.halt(print)


@contextmanager
def dagster_services(lane: Settings, state: Path, **overrides: object) -> Iterator[Services]:
    """A webserver and a daemon on `lane`'s warehouse, both stopped after."""
    with dagster_settings(lane, state, **overrides) as settings:
        services = Services(settings)
        try:
            services.start_webserver()
            services.start_daemon()
            yield services
        finally:
            services.stop()
