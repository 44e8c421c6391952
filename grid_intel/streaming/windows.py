"""Event-time tumbling windows closed by a watermark.

Each window keeps count, sum, min and max per (key, measure); it closes once the
watermark (the latest event time seen, less the allowed lateness) passes its end,
and a record for a window already closed is counted late rather than reopening it:
the live table shows each minute once, and bronze keeps every late record anyway.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

WINDOW_MS = 60_000
LATENESS_MS = 10_000


@dataclass(frozen=True)
class WindowRow:
    window_start: datetime
    source: str
    key: str
    measure: str
    n: int
    mean: float
    min: float
    max: float


@dataclass(frozen=True)
class Groups:
    """Which measure each value of a record belongs to, precomputed per record layout."""

    names: tuple[str, ...]
    index: np.ndarray  # per value, its position in `names`

    @classmethod
    def of(cls, measures: Sequence[str]) -> Groups:
        names = tuple(sorted(set(measures)))
        pos = {m: i for i, m in enumerate(names)}
        return cls(names, np.fromiter((pos[m] for m in measures), np.int64, len(measures)))


class Windows:
    def __init__(self, source: str) -> None:
        self.source = source
        # window start -> key -> (measure names, [n, sum, min, max] arrays)
        self.open: dict[int, dict[str, tuple[tuple[str, ...], np.ndarray]]] = {}
        self.closed_before = -(2**62)  # windows starting before this are closed
        self.late = 0

    def add(self, ts: int, key: str, groups: Groups, values: np.ndarray) -> None:
        """Fold one record's values (NaN ignored) into its window, per measure."""
        start = ts - ts % WINDOW_MS
        if start < self.closed_before:
            self.late += 1
            return
        ok = ~np.isnan(values)
        g, v, size = groups.index[ok], values[ok], len(groups.names)
        n = np.bincount(g, minlength=size).astype(float)
        total = np.bincount(g, weights=v, minlength=size)
        lo = np.full(size, np.inf)
        hi = np.full(size, -np.inf)
        np.minimum.at(lo, g, v)
        np.maximum.at(hi, g, v)
        window = self.open.setdefault(start, {})
        have = window.get(key)
        if have is None or have[0] != groups.names:
            window[key] = (groups.names, np.stack([n, total, lo, hi]))
            return
        acc = have[1]
        acc[0] += n
        acc[1] += total
        np.fmin(acc[2], lo, out=acc[2])  # fmin: a restored empty slot is NaN, not inf
        np.fmax(acc[3], hi, out=acc[3])

    def close(self, watermark: int) -> list[WindowRow]:
        """Rows of every window that ends at or before the watermark."""
        out = []
        for start in sorted(s for s in self.open if s + WINDOW_MS <= watermark):
            ws = datetime.fromtimestamp(start / 1000, UTC)
            for key, (names, acc) in sorted(self.open.pop(start).items()):
                for i, measure in enumerate(names):
                    n = int(acc[0, i])
                    if n:
                        row = (n, float(acc[1, i]) / n, float(acc[2, i]), float(acc[3, i]))
                        out.append(WindowRow(ws, self.source, key, measure, *row))
            self.closed_before = max(self.closed_before, start + WINDOW_MS)
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "closed_before": self.closed_before,
            "late": self.late,
            "open": {
                str(s): {k: [list(names), acc.tolist()] for k, (names, acc) in w.items()}
                for s, w in self.open.items()
            },
        }

    @classmethod
    def from_dict(cls, state: Mapping[str, object]) -> Windows:
        self = cls(str(state["source"]))
        self.closed_before, self.late = int(state["closed_before"]), int(state["late"])
        self.open = {
            int(s): {k: (tuple(names), np.array(acc, dtype=float)) for k, (names, acc) in w.items()}
            for s, w in state["open"].items()
        }
        return self
