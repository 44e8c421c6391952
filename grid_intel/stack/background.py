"""A `grid-intel` command run in the background as a stack service: the simulator,
the stream processor and the API share the launch, status and stop logic here."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from grid_intel.settings import Settings, project_root
from grid_intel.stack.proc import Daemon
from grid_intel.stack.service import Progress, ServiceStatus


class BackgroundCommand:
    """Subclasses set `name`, `target` (what it serves), `doing` (said on start) and
    `args()` (the `grid-intel` arguments); `ready()` defaults to the process being up."""

    name: str
    target: str
    doing: str
    port: int = 0

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.daemon = Daemon(settings.state_dir / self.name, self.name)

    def args(self) -> Sequence[str]:
        raise NotImplementedError

    def ready(self) -> bool:
        return self.daemon.running()

    def detail(self) -> str:
        return f"log {self.daemon.log}"

    def status(self) -> ServiceStatus:
        running = self.daemon.running()
        up = running and self.ready()
        return ServiceStatus(
            self.name, up, self.target, self.detail() if running else "not running", running
        )

    def start(self, progress: Progress, timeout: float = 30) -> ServiceStatus:
        if self.daemon.running():
            return self.status()
        from grid_intel.stack.dagster import dagster_env

        progress(f"{self.name}: {self.doing} (log {self.daemon.log})")
        self.daemon.launch(
            [sys.executable, "-m", "grid_intel", *self.args()],
            port=self.port,
            ready=self.ready,
            timeout=timeout,
            cwd=project_root(),
            env=dagster_env(self.settings),
        )
        return self.status()

    def stop(self, *, purge: bool, progress: Progress) -> str:
        return self.daemon.halt(progress)


def answers(url: str) -> Callable[[], bool]:
    """A readiness check: the URL answers 200."""

    def check() -> bool:
        import httpx

        try:
            return httpx.get(url, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    return check


class HttpCommand(BackgroundCommand):
    """A background command serving HTTP on the host and port its settings name
    (`host_setting`, `port_setting`), given as `--host` and `--port`; `url` is where
    it answers, `path` appended."""

    host_setting: str
    port_setting: str
    path = ""

    @property
    def host(self) -> str:
        return getattr(self.settings, self.host_setting)

    @property
    def port(self) -> int:  # type: ignore[override]
        return getattr(self.settings, self.port_setting)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}{self.path}"

    @property
    def target(self) -> str:  # type: ignore[override]
        return self.url

    def http_args(self) -> list[str]:
        return ["--host", self.host, "--port", str(self.port)]
