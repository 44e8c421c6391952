"""What a real-time detector reports, and the alert it becomes.

An alert's id is a hash of what it is about (asset, kind, point, event start), never of
when or where it was computed: the same records give the same ids, so a processor that
replays after a crash recognises what it already published.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from grid_intel.broker.codec import Alert

SEVERITY = {
    "breaker_chatter": "critical",
    "frequency_excursion": "critical",
    "stuck_sensor": "warning",
    "dropout": "warning",
    "spike": "info",
    "data_gap": "warning",
    "late_message": "info",
    "duplicate_message": "info",
    "malformed_message": "warning",
}
WHAT = {
    "breaker_chatter": "breaker {asset} is chattering (open/close every few seconds)",
    "frequency_excursion": "frequency excursion in {asset}: {value:.3f} Hz",
    "stuck_sensor": "sensor {point} is stuck at {value}",
    "dropout": "sensor {point} stopped reporting values",
    "spike": "sensor {point} spiked to {value}",
    "data_gap": "RTU {asset} went silent",
    "late_message": "RTU {asset} delivered scans late",
    "duplicate_message": "RTU {asset} sent duplicate scans",
    "malformed_message": "RTU {asset} sent a malformed message",
}


@dataclass(frozen=True)
class Detection:
    asset: str
    kind: str
    point: str  # the point, region or RTU the evidence comes from
    start_ms: int  # event time the anomaly began (its first abnormal record)
    detected_ms: int  # event time of the record that confirmed it
    value: float | None = None
    score: float = 0.0  # how far past its limit, in the detector's own unit

    @property
    def alert_id(self) -> str:
        key = f"{self.kind}|{self.asset}|{self.point}|{self.start_ms}"
        return hashlib.sha256(key.encode()).hexdigest()[:24]

    def alert(self, **where: object) -> Alert:
        value = "?" if self.value is None else round(self.value, 4)
        return Alert(
            ts=datetime.fromtimestamp(self.start_ms / 1000, UTC),
            alert_id=self.alert_id,
            asset=self.asset,
            kind=self.kind,
            severity=SEVERITY.get(self.kind, "warning"),
            message=WHAT.get(self.kind, "{kind} on {asset}").format(
                asset=self.asset, point=self.point, value=value, kind=self.kind
            ),
            detail={
                "point": self.point,
                "detected_at": datetime.fromtimestamp(self.detected_ms / 1000, UTC).isoformat(),
                "delay_s": (self.detected_ms - self.start_ms) / 1000,
                "value": self.value,
                "score": round(self.score, 3),
                **where,
            },
        )
