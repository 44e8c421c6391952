"""What every stack service offers `stack up | down | status`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from grid_intel.settings import Settings

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    healthy: bool
    endpoint: str
    detail: str
    managed: bool = False

    def line(self) -> str:
        state = "healthy" if self.healthy else "down"
        owner = " [started by stack]" if self.managed else " [external]" if self.healthy else ""
        return f"{self.name:<10} {state:<8} {self.endpoint:<34} {self.detail}{owner}"


class Service(Protocol):
    name: str

    def status(self) -> ServiceStatus: ...

    def start(self, progress: Progress) -> ServiceStatus: ...

    def stop(self, *, purge: bool, progress: Progress) -> str: ...


class StateFolder:
    """A service that keeps its files in `<state>/<name>/` (its data in `data/`)."""

    name: str

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.state_dir / self.name
        self.data = self.root / "data"
