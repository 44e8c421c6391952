"""The live grid simulator as a stack service: publishes to Kafka paced to the clock."""

from __future__ import annotations

from datetime import datetime

from grid_intel.settings import Settings
from grid_intel.stack.background import BackgroundCommand

LIVE_MINUTES = 7 * 24 * 60  # a week: `stack down` stops it sooner


class LiveSimulator(BackgroundCommand):
    name = "simulator"
    target = "kafka topics"
    doing = "streaming the live grid into Kafka"

    def __init__(self, settings: Settings, start: datetime | None = None, seed: int = 7) -> None:
        super().__init__(settings)
        self.start_at = start
        self.seed = seed

    def args(self) -> list[str]:
        cmd = ["simulate", "live", "--speed", "1", "--minutes", str(LIVE_MINUTES)]
        cmd += ["--seed", str(self.seed)]
        if self.start_at is not None:
            cmd += ["--start", self.start_at.isoformat()]
        return cmd

    def detail(self) -> str:
        return f"live feed to Kafka, log {self.daemon.log}"
