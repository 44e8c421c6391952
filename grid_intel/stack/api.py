"""The REST/WebSocket API and dashboard as a stack service: `grid-intel api`."""

from __future__ import annotations

from grid_intel.stack.background import BackgroundCommand, answers


class ApiServer(BackgroundCommand):
    name = "api"
    doing = "serving the REST API, WebSocket stream and dashboard"

    @property
    def url(self) -> str:
        return f"http://{self.settings.api_host}:{self.settings.api_port}"

    @property
    def target(self) -> str:  # type: ignore[override]
        return self.url

    @property
    def port(self) -> int:  # type: ignore[override]
        return self.settings.api_port

    def args(self) -> list[str]:
        return ["api", "--host", self.settings.api_host, "--port", str(self.settings.api_port)]

    def ready(self) -> bool:
        return answers(f"{self.url}/readyz")()

    def detail(self) -> str:
        return f"dashboard {self.url}/, OpenAPI {self.url}/docs, log {self.daemon.log}"
