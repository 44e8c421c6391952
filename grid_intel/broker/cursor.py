"""The typed JSON cursor of a topic sensor, parsed and written in one place.

It holds how far the sensor has scanned each Kafka partition, the event-time
watermark, and per hourly window the offset span of the records seen so far and
the fingerprint of the span last requested: a span that grows after its request
(late data) differs from its fingerprint, and the window is requested again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from grid_intel.broker.windows import OffsetRange
from grid_intel.sensor_cursor import CursorError, dump, load

__all__ = ["CursorError", "TopicCursor", "WindowSpan"]

CURSOR_VERSION = 1


@dataclass
class WindowSpan:
    """Offsets [lo, hi) per Kafka partition that hold the window's records seen so far."""

    spans: dict[int, tuple[int, int]] = field(default_factory=dict)
    requested: str | None = None

    def add(self, partition: int, offset: int) -> None:
        lo, hi = self.spans.get(partition, (offset, offset + 1))
        self.spans[partition] = (min(lo, offset), max(hi, offset + 1))

    def ranges(self) -> list[OffsetRange]:
        return [OffsetRange(p, lo, hi) for p, (lo, hi) in sorted(self.spans.items())]

    def fingerprint(self) -> str:
        text = ",".join(f"{r.partition}:{r.start}-{r.stop}" for r in self.ranges())
        return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass
class TopicCursor:
    next_offsets: dict[int, int] = field(default_factory=dict)
    watermark_ms: int | None = None
    windows: dict[str, WindowSpan] = field(default_factory=dict)

    def to_json(self) -> str:
        return dump(
            CURSOR_VERSION,
            {
                "next": {str(p): o for p, o in sorted(self.next_offsets.items())},
                "watermark_ms": self.watermark_ms,
                "windows": {
                    key: {
                        "spans": {str(p): list(s) for p, s in sorted(w.spans.items())},
                        "requested": w.requested,
                    }
                    for key, w in sorted(self.windows.items())
                },
            },
        )

    @classmethod
    def from_json(cls, text: str | None) -> TopicCursor:
        if not text:
            return cls()
        return load(
            text,
            CURSOR_VERSION,
            lambda obj: cls(
                next_offsets={int(p): int(o) for p, o in obj["next"].items()},
                watermark_ms=obj["watermark_ms"],
                windows={
                    key: WindowSpan(
                        {int(p): (int(s[0]), int(s[1])) for p, s in w["spans"].items()},
                        w["requested"],
                    )
                    for key, w in obj["windows"].items()
                },
            ),
            "the sensor rescans from its initial lookback",
        )
