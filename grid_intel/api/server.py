"""Run the API with uvicorn (one process; the pool and the Kafka relay live in it)."""

from __future__ import annotations

import uvicorn

from grid_intel.api.app import create_app
from grid_intel.settings import Settings


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    uvicorn.run(
        create_app(settings),
        host=host or settings.api_host,
        port=port or settings.api_port,
        log_level="warning",
        access_log=False,
    )
