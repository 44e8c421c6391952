"""The REST/WebSocket API and dashboard as a stack service: `grid-intel api`."""

from __future__ import annotations

from grid_intel.stack.background import HttpCommand, answers


class ApiServer(HttpCommand):
    name = "api"
    doing = "serving the REST API, WebSocket stream and dashboard"

    host_setting, port_setting = "api_host", "api_port"

    def args(self) -> list[str]:
        return ["api", *self.http_args()]

    def ready(self) -> bool:
        return answers(f"{self.url}/readyz")()

    def detail(self) -> str:
        return f"dashboard {self.url}/, OpenAPI {self.url}/docs, log {self.daemon.log}"
