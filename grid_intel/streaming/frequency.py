"""Real-time frequency excursions: a unit trip pulls the interconnection's frequency
down at a rate governor noise never reaches, within seconds. Frequency is one number
across the interconnection, so one reference region's measurement decides and each
disturbance is one alert on asset "system" (the other regions feed the live windows)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

from grid_intel.anomaly.frequency import ROCOF_ALARM_HZ_S
from grid_intel.streaming.detections import Detection

REFERENCE_REGION = "winnipeg"
CALM_ROCOF_HZ_S = 0.005
CALM_SAMPLES = 5  # ten seconds of calm ends the event
COOLDOWN_MS = 600_000


@dataclass
class ExcursionDetector:
    start: int = -1  # event time the open excursion began, -1 when none is open
    calm: int = 0
    ended: int = -(2**62)
    last_ts: int = -1

    def step(self, ts: int, hz: float, rocof: float | None) -> list[Detection]:
        if ts <= self.last_ts or rocof is None:
            return []
        self.last_ts = ts
        steep = abs(rocof)
        if self.start >= 0:
            self.calm = self.calm + 1 if steep < CALM_ROCOF_HZ_S else 0
            if self.calm >= CALM_SAMPLES:
                self.start, self.ended = -1, ts
            return []
        if steep < ROCOF_ALARM_HZ_S:
            return []
        resumed = ts - self.ended <= COOLDOWN_MS
        self.start, self.calm = ts, 0
        if resumed:
            return []
        score = steep / ROCOF_ALARM_HZ_S
        return [Detection("system", "frequency_excursion", REFERENCE_REGION, ts, ts, hz, score)]

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, state: Mapping[str, object]) -> ExcursionDetector:
        return cls(**state)  # type: ignore[arg-type]
