"""`grid-intel exporter`: a long-running /metrics endpoint for the bronze loads, which
themselves run in short-lived Dagster run processes nobody could scrape."""

from __future__ import annotations

import time
from collections.abc import Callable

from prometheus_client import CollectorRegistry

from grid_intel.observability.ingestion import IngestionCollector
from grid_intel.observability.server import EXPORTER_PORT_SETTING, serve
from grid_intel.settings import Settings


def run(
    settings: Settings,
    stop: Callable[[], bool],
    host: str | None = None,
    port: int | None = None,
    started: Callable[[str], None] | None = None,
) -> None:
    """Serve until `stop()`; a taken port fails at once with the setting to change."""
    collector = IngestionCollector(
        settings.warehouse,
        settings.kafka_bootstrap,
        settings.kafka_security,
        timeout_s=settings.connect_timeout_s,
    )
    registry = CollectorRegistry(auto_describe=True)
    registry.register(collector)
    host, port = host or settings.metrics_host, port or settings.exporter_port
    server = serve(registry, host, port, EXPORTER_PORT_SETTING)
    try:
        if started:
            started(f"http://{host}:{port}/metrics")
        while not stop():
            time.sleep(0.2)
    finally:
        server.shutdown()
        server.server_close()
        collector.close()
