"""The stream processor as a stack service: `grid-intel stream` in the background,
turning the topics into live windows and grid.alerts as they arrive."""

from __future__ import annotations

from grid_intel.stack.background import BackgroundCommand


class StreamProcessor(BackgroundCommand):
    name = "stream"
    target = "grid.alerts"
    doing = "processing the topics into grid.alerts"

    def args(self) -> list[str]:
        return ["stream"]

    def detail(self) -> str:
        return f"consumer group grid-intel-stream, log {self.daemon.log}"
