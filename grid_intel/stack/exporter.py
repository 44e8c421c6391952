"""The ingestion exporter as a stack service: `grid-intel exporter` in the background,
serving bronze-load metrics and Kafka lag to Prometheus."""

from __future__ import annotations

from grid_intel.stack.background import BackgroundCommand, answers


class IngestionExporter(BackgroundCommand):
    name = "exporter"
    doing = "serving bronze-load metrics and Kafka lag for Prometheus"

    @property
    def url(self) -> str:
        return f"http://{self.settings.metrics_host}:{self.settings.exporter_port}/metrics"

    @property
    def target(self) -> str:  # type: ignore[override]
        return self.url

    @property
    def port(self) -> int:  # type: ignore[override]
        return self.settings.exporter_port

    def args(self) -> list[str]:
        s = self.settings
        return ["exporter", "--host", s.metrics_host, "--port", str(s.exporter_port)]

    def ready(self) -> bool:
        return answers(self.url)()
