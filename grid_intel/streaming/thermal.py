"""Transformer overheating in the stream: the batch detector's thermal-model residual
(`anomaly.physical.overheating`, IEEE C57.91) judged as each event-time minute closes,
over the partition's last twelve minutes of transformer loads and temperatures. A
transformer's points all come from its substation's RTU, so one partition holds them;
the same function as the hourly asset, so both paths flag the same minutes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from grid_intel.anomaly.physical import FIT_MINUTES, TOP_OIL_EXCESS_C, overheating
from grid_intel.grid.equipment import Point
from grid_intel.grid.registry import Registry
from grid_intel.streaming.detections import Detection

MEASURES = ("load_mva", "ambient_temp_c", "top_oil_temp_c", "hot_spot_temp_c")
BUFFER_MS = 12 * 60_000  # the ten minute-medians of the trailing fit, and some slack
COOLDOWN_MS = 30 * 60_000  # flags resuming within half an hour continue one event
KIND = "transformer_overheating"


class OverheatWatch:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._by_id = {p.id: p for p in registry.points}
        self.ts: list[int] = []
        self.rows: list[list[float]] = []
        self.ids: list[str] = []  # the thermal points buffered, in column order
        self.minute = -1
        self.last_flag: dict[str, int] = {}
        self._cols: np.ndarray = np.zeros(0, dtype=np.int64)
        self._seen = -1

    def step(
        self, ts: int, ids: Sequence[str], x: np.ndarray, present: np.ndarray
    ) -> list[Detection]:
        """Buffer one step of the partition's points (`ids` in the detector's order);
        when `ts` opens a new minute, judge the minute that closed."""
        out = []
        minute = ts // 60_000
        if 0 <= self.minute < minute:
            out = self._judge(minute * 60_000)
        self.minute = max(self.minute, minute)
        if len(ids) != self._seen:
            self._layout(ids)
        row = np.where(present[self._cols], x[self._cols], np.nan)
        self.ts.append(ts)
        self.rows.append(row.tolist())
        while self.ts and self.ts[0] < ts - BUFFER_MS:
            self.ts.pop(0)
            self.rows.pop(0)
        return out

    def _layout(self, ids: Sequence[str]) -> None:
        """Columns of the thermal points among the partition's; a new point (a new RTU
        on the partition) starts with NaN history."""
        index = {p: j for j, p in enumerate(ids)}
        wanted = [
            p
            for p in ids
            if (pt := self._by_id.get(p)) is not None
            and pt.asset_kind == "transformer"
            and pt.measurement in MEASURES
        ]
        keep = {p: i for i, p in enumerate(self.ids)}
        self.rows = [[r[keep[p]] if p in keep else np.nan for p in wanted] for r in self.rows]
        self.ids = wanted
        self._cols = np.array([index[p] for p in wanted], dtype=np.int64)
        self._seen = len(ids)

    def _points(self) -> list[Point]:
        return [self._by_id[p] for p in self.ids]

    def _judge(self, now: int) -> list[Detection]:
        # The trailing fit shortens its window to what the block holds: judged on a
        # few minutes (just after a start), tau times a noisy slope cries wolf.
        if not self.ids or len({t // 60_000 for t in self.ts}) < FIT_MINUTES:
            return []
        epoch = np.array(self.ts, dtype=float) / 1000
        values = np.array(self.rows, dtype=float)
        out = []
        for e in overheating(epoch, values, self._points(), self.registry):
            if e.end.timestamp() * 1000 < now:  # not flagged in the minute that closed
                continue
            last = self.last_flag.get(e.asset)
            self.last_flag[e.asset] = now
            if last is not None and now - last <= COOLDOWN_MS:
                continue
            start = int(e.start.timestamp() * 1000)
            score = e.severity / TOP_OIL_EXCESS_C
            out.append(Detection(e.asset, KIND, e.asset, start, now, e.severity, score))
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "ts": self.ts,
            "rows": self.rows,
            "ids": self.ids,
            "minute": self.minute,
            "last_flag": self.last_flag,
        }

    @classmethod
    def from_dict(cls, state: Mapping[str, object], registry: Registry) -> OverheatWatch:
        self = cls(registry)
        self.ts = [int(t) for t in state["ts"]]
        self.rows = [[np.nan if v is None else float(v) for v in r] for r in state["rows"]]
        self.ids = list(state["ids"])
        self.minute = int(state["minute"])
        self.last_flag = {k: int(v) for k, v in state["last_flag"].items()}
        return self
