"""The platform's topics with the partitions and retention of the seed architecture."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    retention: timedelta
    key: str
    content: str
    # How long after a window closes its records may still arrive. With
    # `bounded_reads`, a load by time index (a backfill, a re-run from the UI) reads
    # the window and this much after it, not to the topic's end: a week's backfill
    # otherwise reads each day and every day after it. Later records are the
    # sensors' late-data path: a sensor that sees one re-requests its window.
    allowed_lateness: timedelta = timedelta(hours=2)

    @property
    def retention_ms(self) -> int:
        return int(self.retention.total_seconds() * 1000)

    @property
    def configs(self) -> dict[str, str]:
        """Topic-level configs the broker must hold for this topic."""
        return {
            "retention.ms": str(self.retention_ms),
            "cleanup.policy": "delete",
            "message.timestamp.type": "CreateTime",
        }


SENSOR_READINGS = TopicSpec(
    "sensor.readings",
    6,
    timedelta(days=7),
    "station/RTU id",
    "SCADA scans: transformer, line, breaker points",
)
GRID_FREQUENCY = TopicSpec(
    "grid.frequency", 3, timedelta(days=7), "region", "60 Hz frequency, RoCoF"
)
MARKET_PRICES = TopicSpec(
    "market.prices",
    3,
    timedelta(days=30),
    "pricing node",
    "MISO LMP (RT 5-min, DA hourly) with MEC/MCC/MLC",
)
GRID_ALERTS = TopicSpec(
    "grid.alerts", 1, timedelta(days=90), "asset id", "alerts from the stream processor"
)

TOPICS: tuple[TopicSpec, ...] = (SENSOR_READINGS, GRID_FREQUENCY, MARKET_PRICES, GRID_ALERTS)
TOPICS_BY_NAME: dict[str, TopicSpec] = {t.name: t for t in TOPICS}
