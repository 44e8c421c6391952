"""The stream processor as a stack service: `grid-intel stream` in the background,
turning the topics into live windows and grid.alerts as they arrive."""

from __future__ import annotations

import sys

from grid_intel.settings import Settings, project_root
from grid_intel.stack.proc import Daemon
from grid_intel.stack.service import Progress, ServiceStatus


class StreamProcessor:
    name = "stream"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.daemon = Daemon(settings.state_dir / "stream", "stream")

    def status(self) -> ServiceStatus:
        running = self.daemon.running()
        detail = (
            f"consumer group grid-intel-stream, log {self.daemon.log}" if running else "not running"
        )
        return ServiceStatus(self.name, running, "grid.alerts", detail, running)

    def start(self, progress: Progress) -> ServiceStatus:
        if self.daemon.running():
            return self.status()
        from grid_intel.stack.dagster import dagster_env

        progress(f"stream: processing the topics into grid.alerts (log {self.daemon.log})")
        self.daemon.launch(
            [sys.executable, "-m", "grid_intel", "stream"],
            port=0,
            ready=self.daemon.running,
            timeout=30,
            cwd=project_root(),
            env=dagster_env(self.settings),
        )
        return self.status()

    def stop(self, *, purge: bool, progress: Progress) -> str:
        return self.daemon.halt(progress)
