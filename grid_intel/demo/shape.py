"""How much history the demo publishes, and where its windows fall.

Every product needs history before it shows anything: the 24-hour forecasts (demand,
LMP, carbon) fit on four days of hourly rows, equipment health scores a closed day.
So the demo publishes the last `days` closed days and today's closed hours, most of
it at a reduced SCADA scan rate (forecasts and health read hourly rollups, which a
reading every few minutes fills), and its last `recent_hours` at full rate with the
faults injected into the first of them, where anomaly detection and the quality
checks have every scan to judge. One full-rate hour by default: each is 1.9 M readings
through bronze, silver and the detectors, on the build's critical path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

HOUR = timedelta(hours=1)


def closed_hours(now: datetime, hours: int) -> list[datetime]:
    """Starts of the last `hours` complete UTC hours, oldest first."""
    top = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return [top - timedelta(hours=h) for h in range(hours, 0, -1)]


@dataclass(frozen=True)
class Windows:
    """[start, recent) at the reduced rate, [recent, until) at the recent rate; the
    live simulator streams from `until` (the current hour's start)."""

    start: datetime
    recent: datetime
    until: datetime

    @property
    def faulty(self) -> datetime:
        """The hour the faults go into: the first at full rate."""
        return self.recent

    @property
    def recent_hours(self) -> list[datetime]:
        return closed_hours(self.until, int((self.until - self.recent) / HOUR))

    @property
    def days(self) -> list[datetime]:
        """Midnights of the closed days the history covers."""
        last = self.until.replace(hour=0)
        return [self.start + timedelta(days=d) for d in range((last - self.start).days)]


@dataclass(frozen=True)
class Shape:
    days: int = 4
    scan_seconds: int = 300
    recent_hours: int = 1
    recent_scan_seconds: int | None = None  # None: every scan (the registry's 4 s)

    def __post_init__(self) -> None:
        if self.days < 1 or self.recent_hours < 1:
            raise ValueError("the demo needs at least one closed day and one recent hour")

    def windows(self, now: datetime) -> Windows:
        recent = closed_hours(now, self.recent_hours)
        until = recent[-1] + HOUR
        start = until.replace(hour=0) - timedelta(days=self.days)
        return Windows(start=min(start, recent[0]), recent=recent[0], until=until)
