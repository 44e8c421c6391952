"""The live grid simulator as a stack service: publishes to Kafka paced to the clock."""

from __future__ import annotations

import sys
from datetime import datetime

from grid_intel.settings import Settings, project_root
from grid_intel.stack.proc import Daemon
from grid_intel.stack.service import Progress, ServiceStatus

LIVE_MINUTES = 7 * 24 * 60  # a week: `stack down` stops it sooner


class LiveSimulator:
    name = "simulator"

    def __init__(self, settings: Settings, start: datetime | None = None, seed: int = 7) -> None:
        self.settings = settings
        self.start_at = start
        self.seed = seed
        self.daemon = Daemon(settings.state_dir / "simulator", "simulator")

    def status(self) -> ServiceStatus:
        running = self.daemon.running()
        detail = f"live feed to Kafka, log {self.daemon.log}" if running else "not running"
        return ServiceStatus(self.name, running, "kafka topics", detail, running)

    def start(self, progress: Progress) -> ServiceStatus:
        if self.daemon.running():
            return self.status()
        from grid_intel.stack.dagster import dagster_env

        cmd = [
            sys.executable,
            "-m",
            "grid_intel",
            "simulate",
            "live",
            "--speed",
            "1",
            "--minutes",
            str(LIVE_MINUTES),
            "--seed",
            str(self.seed),
        ]
        if self.start_at is not None:
            cmd += ["--start", self.start_at.isoformat()]
        progress(f"simulator: streaming the live grid into Kafka (log {self.daemon.log})")
        self.daemon.launch(
            cmd,
            port=0,
            ready=self.daemon.running,
            timeout=30,
            cwd=project_root(),
            env=dagster_env(self.settings),
        )
        return self.status()

    def stop(self, *, purge: bool, progress: Progress) -> str:
        return self.daemon.halt(progress)
