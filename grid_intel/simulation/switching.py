"""Breaker operations: when each breaker is open, and its operation counter.

A breaker opens for every outage on what it protects (a line's breakers at both
ends) and for maintenance that needs it open, and closes when that ends;
overlapping windows make one opening. Each open and each close adds one to the
breaker's counter. Counters are anchored at a fixed instant (a per-breaker
reading on 1 January 2026) and count the operations since, so a scan's count
is the same however the history around it is generated.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from grid_intel.grid.registry import Registry
from grid_intel.simulation.events import LOOKBACK, Events
from grid_intel.simulation.maintenance import WorkOrder
from grid_intel.simulation.outages import Outage

COUNTER_ANCHOR = datetime(2026, 1, 1, tzinfo=UTC)
PLAN_AHEAD = timedelta(days=7)
PLAN_BEHIND = timedelta(days=30)


@dataclass(frozen=True)
class Opening:
    breaker: str
    start: datetime
    end: datetime
    reason: str  # the outage or work order id


def breakers_of(registry: Registry) -> dict[str, tuple[str, ...]]:
    """Protected asset -> the breakers that isolate it."""
    out: dict[str, list[str]] = {}
    for b in registry.breakers:
        out.setdefault(b.protects, []).append(b.id)
    return {k: tuple(v) for k, v in out.items()}


def openings(
    protecting: dict[str, tuple[str, ...]], outages: list[Outage], orders: list[WorkOrder]
) -> list[Opening]:
    """Every breaker opening the outages and completed work orders cause."""
    out = [Opening(b, o.start, o.end, o.id) for o in outages for b in protecting[o.protects]]
    out += [
        Opening(b, w.opened, w.completed, w.id)
        for w in orders
        if w.opened is not None and w.completed is not None
        for b in w.opens
    ]
    return out


def merged(windows: list[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    """Open and close times of the union of (start, end) windows, in order."""
    opens: list[float] = []
    closes: list[float] = []
    for start, end in sorted(windows):
        if closes and start <= closes[-1]:
            closes[-1] = max(closes[-1], end)
        else:
            opens.append(start)
            closes.append(end)
    return np.array(opens), np.array(closes)


def counter_base(breaker: str) -> int:
    """The breaker's counter at the anchor: a fixed value per breaker (not hash())."""
    digest = hashlib.sha256(f"operations/{breaker}".encode()).digest()
    return 500 + int.from_bytes(digest[:4], "little") % 3000


class BreakerLog:
    """Status (1 closed, 0 open) and operation counts of breakers at given times."""

    def __init__(self, events: Events, breakers: list[str]) -> None:
        self.events = events
        self.breakers = breakers
        self._protecting = breakers_of(events.registry)
        self._base = np.array([counter_base(b) for b in breakers], dtype=float)
        self._span: tuple[datetime, datetime] | None = None
        self._ops: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._at_anchor: dict[int, int] = {}

    def state(self, epoch_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(status, count), each (times, breakers), for ascending Unix times `epoch_s`."""
        self._cover(
            datetime.fromtimestamp(float(epoch_s[0]), UTC),
            datetime.fromtimestamp(float(epoch_s[-1]), UTC),
        )
        status = np.ones((len(epoch_s), len(self.breakers)))
        count = np.tile(self._base, (len(epoch_s), 1))
        for j, (opens, closes) in self._ops.items():
            n_open = np.searchsorted(opens, epoch_s, side="right")
            n_close = np.searchsorted(closes, epoch_s, side="right")
            status[:, j] = (n_open <= n_close).astype(float)
            count[:, j] += n_open + n_close - self._at_anchor[j]
        return status, np.clip(count, 0, None)

    def _cover(self, first: datetime, last: datetime) -> None:
        """Merge the operations of a span holding the anchor and [first, last] with margin."""
        if self._span is not None:
            lo, hi = self._span
            if lo + LOOKBACK <= min(first, COUNTER_ANCHOR) and last <= hi:
                return
        lo = min(first, COUNTER_ANCHOR) - LOOKBACK
        if first < COUNTER_ANCHOR:
            lo -= PLAN_BEHIND  # walking back in time: plan in larger steps
        hi = max(last, COUNTER_ANCHOR) + PLAN_AHEAD
        if self._span is not None:
            lo, hi = min(lo, self._span[0]), max(hi, self._span[1])
        self._span = (lo, hi)
        outages, orders = self.events.overlapping(lo, hi)
        windows: dict[str, list[tuple[float, float]]] = {}
        for op in openings(self._protecting, outages, orders):
            windows.setdefault(op.breaker, []).append((op.start.timestamp(), op.end.timestamp()))
        anchor = COUNTER_ANCHOR.timestamp()
        self._ops, self._at_anchor = {}, {}
        for j, b in enumerate(self.breakers):
            if b in windows:
                opens, closes = merged(windows[b])
                self._ops[j] = (opens, closes)
                self._at_anchor[j] = int(
                    np.searchsorted(opens, anchor, side="right")
                    + np.searchsorted(closes, anchor, side="right")
                )
