"""Flagged points into anomaly events, and events scored against labelled faults.

An event is what an operator reads: one asset, one kind, a start and an end, a
severity and the evidence. Scoring is per event (a fault is found if any event of its
kind on its asset overlaps it), because a detector that flags one point of a
two-hour fault has found it, and one that flags every point has not found it twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from grid_intel.anomaly.patterns import runs


@dataclass(frozen=True)
class Event:
    asset: str
    kind: str
    start: datetime
    end: datetime
    severity: float  # the largest score in the event (sigmas, or the detector's own unit)
    evidence: dict[str, object] = field(default_factory=dict)
    detected: datetime | None = None  # when a real-time detector raised it (else: start)


def merge(
    flags: np.ndarray,
    ts: Sequence[datetime],
    asset: str,
    kind: str,
    scores: np.ndarray | None = None,
    gap: int = 0,
    evidence: dict[str, object] | None = None,
) -> list[Event]:
    """One event per run of flagged points, runs closer than `gap` points joined; the
    event ends one scan after its last flagged point."""
    flags = np.asarray(flags, dtype=bool).copy()
    if gap:
        for a, b in runs(~flags):
            if a > 0 and b < flags.size and b - a <= gap:
                flags[a:b] = True
    step = ts[1] - ts[0] if len(ts) > 1 else timedelta(0)
    out = []
    for a, b in runs(flags):
        sev = float(np.nanmax(np.abs(scores[a:b]))) if scores is not None else float(b - a)
        out.append(Event(asset, kind, ts[a], ts[b - 1] + step, sev, dict(evidence or {})))
    return out


@dataclass(frozen=True)
class Label:
    """A labelled fault, as the simulator records it."""

    kind: str
    asset: str
    start: datetime
    end: datetime


@dataclass
class KindScore:
    kind: str
    faults: int
    found: int
    events: int
    true_events: int
    delays_s: list[float]

    @property
    def precision(self) -> float:
        return self.true_events / self.events if self.events else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.faults if self.faults else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def median_delay_s(self) -> float | None:
        return float(np.median(self.delays_s)) if self.delays_s else None


def score(
    events: Iterable[Event],
    labels: Iterable[Label],
    slack: timedelta = timedelta(minutes=5),
    also: Mapping[str, tuple[str, ...]] | None = None,
) -> dict[str, KindScore]:
    """Event-level precision, recall, F1 and detection delay per fault kind. An event
    is true if it overlaps a fault of its kind on its asset (widened by `slack`, since
    a chart may alarm a little after a fault ends); a label on asset "system" (a unit
    trip) matches any asset. The delay is from the fault's start to when its first
    matching event was detected. `also` lets an event kind be true on other labels'
    kinds as well (a real-time gap alarm is right when a late burst leaves an RTU
    silent) without counting towards their recall."""
    events, labels = list(events), list(labels)
    kinds = sorted({lb.kind for lb in labels} | {e.kind for e in events})
    also = also or {}

    def hits(e: Event, lb: Label) -> bool:
        on = lb.asset in (e.asset, "system")
        return on and e.start < lb.end + slack and e.end > lb.start

    out = {}
    for kind in kinds:
        ls = [lb for lb in labels if lb.kind == kind]
        es = [e for e in events if e.kind == kind]
        delays, found = [], 0
        for lb in ls:
            matched = sorted(e.detected or e.start for e in es if hits(e, lb))
            if matched:
                found += 1
                delays.append(max(0.0, (matched[0] - lb.start).total_seconds()))
        ok = [lb for lb in labels if lb.kind == kind or lb.kind in also.get(kind, ())]
        true_events = sum(any(hits(e, lb) for lb in ok) for e in es)
        out[kind] = KindScore(kind, len(ls), found, len(es), true_events, delays)
    return out
