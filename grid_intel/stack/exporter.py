"""The ingestion exporter as a stack service: `grid-intel exporter` in the background,
serving bronze-load metrics and Kafka lag to Prometheus."""

from __future__ import annotations

from grid_intel.stack.background import HttpCommand, answers


class IngestionExporter(HttpCommand):
    name = "exporter"
    doing = "serving bronze-load metrics and Kafka lag for Prometheus"
    path = "/metrics"

    host_setting, port_setting = "metrics_host", "exporter_port"

    def args(self) -> list[str]:
        return ["exporter", *self.http_args()]

    def ready(self) -> bool:
        return answers(self.url)()
