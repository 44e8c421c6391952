"""Split a window's Kafka records into bronze rows, quarantine rows and counts.

Records are kept by their Kafka timestamp (the event time); those of other
windows, read on the way through the offset range, are only counted. A message
whose payload time disagrees with its window is quarantined, so a window's
replace can never leave a row behind in another window.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from grid_intel.broker.client import Record
from grid_intel.broker.codec import DecodeError
from grid_intel.broker.windows import Window, from_ms, to_ms
from grid_intel.ingestion.tables import BronzeTopic, Row


@dataclass
class Split:
    """Counts and rejects of one window, filled while its rows stream out."""

    messages: int = 0
    rows: int = 0
    outside: int = 0
    late: int = 0
    rejects: list[Row] = field(default_factory=list)
    highest: dict[int, int] = field(default_factory=dict)  # partition -> last offset kept
    _next_window_at: dict[int, int] = field(default_factory=dict)

    def window_rows(
        self, records: Iterable[Record], window: Window, bronze: BronzeTopic
    ) -> Iterator[Row]:
        """The window's rows in record order; rejects and counts land on `self`.

        A record is late when its partition already held a record of a later
        window before it (it arrived after the window had moved on).
        """
        lo, hi = to_ms(window.start), to_ms(window.end)
        for rec in records:
            if not lo <= rec.timestamp_ms < hi:
                self.outside += 1
                if rec.timestamp_ms >= hi:
                    self._next_window_at.setdefault(rec.partition, rec.offset)
                continue
            self.messages += 1
            if rec.offset > self.highest.get(rec.partition, -1):
                self.highest[rec.partition] = rec.offset
            if rec.offset > self._next_window_at.get(rec.partition, rec.offset):
                self.late += 1
            try:
                ts, rows = bronze.rows(rec.value, rec.partition, rec.offset)
                if not window.start <= ts < window.end:
                    raise DecodeError(
                        f"payload time {ts.isoformat()} is outside the record's window "
                        f"[{window.start.isoformat()}, {window.end.isoformat()})"
                    )
            except DecodeError as exc:
                self.rejects.append(
                    (
                        bronze.topic.name,
                        rec.partition,
                        rec.offset,
                        from_ms(rec.timestamp_ms),
                        rec.key,
                        rec.value,
                        str(exc),
                    )
                )
                continue
            self.rows += len(rows)
            yield from rows
