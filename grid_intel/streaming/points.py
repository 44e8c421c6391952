"""Real-time sensor and breaker detections over many points, a scan instant at a time.

The stream twin of `anomaly.scada_faults`: the same fault shapes (stuck, spike, dropout,
breaker chatter) and limits, judged as each scan arrives. One detector holds every
point of a partition in flat arrays; a step takes the values of the RTUs that
reported at one instant (`present` marks their points), so a whole partition's scans
at one time cost one set of vector operations, and the state checkpoints as lists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from grid_intel.anomaly.scada_faults import CHATTER_CHANGES, FLAT_SCANS, SPIKE_RATIO
from grid_intel.grid.equipment import Point
from grid_intel.streaming.detections import Detection

DROPOUT_SCANS = 2  # one missing value can be a lost packet; two in a row is a dead sensor
SPIKE_WINDOW = 30  # a point's readings behind the median a spike is measured from
SPIKE_SIGMAS = 8.0
CHATTER_WINDOW_MS = 300_000  # the batch detector's 75 scans
# A new alert of the same kind on the same point only after this much quiet: a spike
# fault throws several spikes, a chattering breaker pauses; each is one event.
COOLDOWN_MS = {
    "spike": 600_000,
    "dropout": 12_000,
    "stuck_sensor": 0,
    "breaker_chatter": 300_000,
}
_NEVER = -(2**62)
_NON_ANALOG = ("status", "operation_count", "tap_position")


@dataclass(frozen=True)
class PointInfo:
    asset: str
    analog: bool  # a measured physical quantity (can stick, spike, drop out)
    status: bool  # a breaker's open/closed state (can chatter)


def point_info(points: Sequence[Point]) -> dict[str, PointInfo]:
    return {
        p.id: PointInfo(
            p.asset, p.measured_analog, p.asset_kind == "breaker" and p.measurement == "status"
        )
        for p in points
    }


def guess_info(point_id: str) -> PointInfo:
    """A point the registry does not know, judged by its name (asset.measurement)."""
    asset, _, measurement = point_id.rpartition(".")
    return PointInfo(asset or point_id, measurement not in _NON_ANALOG, measurement == "status")


def column_medians(a: np.ndarray) -> np.ndarray:
    """Per-column median ignoring NaN (NaN for an all-NaN column); a sort, far cheaper
    than numpy's masked nanmedian on small windows."""
    s = np.sort(a, axis=0)  # NaN sorts last
    k = (~np.isnan(a)).sum(axis=0)
    cols = np.arange(a.shape[1])
    lo = s[np.maximum((k - 1) // 2, 0), cols]
    hi = s[np.maximum(k // 2, 0), cols]
    return np.where(k > 0, (lo + hi) / 2, np.nan)


_INT = np.int64
# Per-point state: name -> (dtype, initial value); "hist" and "changes" have a second axis.
_FIELDS: dict[str, tuple[type, float]] = {
    "analog": (bool, False),
    "status": (bool, False),
    "last": (float, np.nan),
    "same": (_INT, 0),
    "run_start": (_INT, 0),
    "missing": (_INT, 0),
    "missing_start": (_INT, 0),
    "seen": (_INT, 0),
    "noise": (float, 0.0),  # EWMA of |value - median|, bias-corrected by `seen`
    "cand": (bool, False),
    "cand_ts": (_INT, 0),
    "cand_med": (float, 0.0),
    "cand_limit": (float, 0.0),
    "cand_value": (float, 0.0),
    "last_status": (float, np.nan),
    **{f"open_{k}": (_INT, -1) for k in COOLDOWN_MS},
    **{f"ended_{k}": (_INT, _NEVER) for k in COOLDOWN_MS},
    **{f"began_{k}": (_INT, -1) for k in COOLDOWN_MS},
}


class PointDetector:
    """Detector state over a growing list of points."""

    def __init__(self, info: Mapping[str, PointInfo]) -> None:
        self.info = info
        self.ids: list[str] = []
        self.assets: list[str] = []
        self.index: dict[str, int] = {}
        for name, (dtype, init) in _FIELDS.items():
            setattr(self, name, np.full(0, init, dtype=dtype))
        self.hist = np.full((SPIKE_WINDOW, 0), np.nan)
        self.changes = np.full((0, CHATTER_CHANGES + 1), _NEVER, dtype=_INT)

    def columns(self, ids: Sequence[str]) -> np.ndarray:
        """The columns of `ids`, adding the points not seen before."""
        new = [p for p in ids if p not in self.index]
        if new:
            self._grow(new)
        index = self.index
        return np.fromiter((index[p] for p in ids), _INT, len(ids))

    def _grow(self, new: list[str]) -> None:
        known = [self.info.get(p) or guess_info(p) for p in new]
        n = len(new)
        for name, (dtype, init) in _FIELDS.items():
            setattr(self, name, np.concatenate([getattr(self, name), np.full(n, init, dtype)]))
        self.analog[-n:] = [k.analog for k in known]
        self.status[-n:] = [k.status for k in known]
        self.hist = np.concatenate([self.hist, np.full((SPIKE_WINDOW, n), np.nan)], axis=1)
        self.changes = np.concatenate([self.changes, np.full((n, CHATTER_CHANGES + 1), _NEVER)])
        for p, k in zip(new, known, strict=True):
            self.index[p] = len(self.ids)
            self.ids.append(p)
            self.assets.append(k.asset)

    def step(self, ts: int, x: np.ndarray, present: np.ndarray) -> list[Detection]:
        """Detections confirmed at `ts` (ms): `x` holds every point's value at that
        instant (NaN = missing), `present` the points whose RTU reported."""
        miss = np.isnan(x)
        out: list[Detection] = []

        self.missing = np.where(present, np.where(miss, self.missing + 1, 0), self.missing)
        first = present & miss & (self.missing == 1)
        self.missing_start = np.where(first, ts, self.missing_start)
        dropout = self.analog & (self.missing >= DROPOUT_SCANS)
        out += self._edges("dropout", ts, present, dropout, self.missing_start, x, self.missing)

        same = ~miss & (x == self.last)
        self.run_start = np.where(present & ~same, ts, self.run_start)
        self.same = np.where(present, np.where(same, self.same + 1, 1), self.same)
        stuck = self.analog & ~miss & (self.same >= FLAT_SCANS) & (x != 0)
        out += self._edges("stuck_sensor", ts, present, stuck, self.run_start, x, self.same)
        self.last = np.where(present, x, self.last)

        out += self._spikes(ts, x, miss, present)
        out += self._chatter(ts, x, miss, present)
        return out

    def _spikes(
        self, ts: int, x: np.ndarray, miss: np.ndarray, present: np.ndarray
    ) -> list[Detection]:
        # The point's previous reading jumped; a spike is a jump that comes straight back.
        back = self.cand & ~miss & (np.abs(x - self.cand_med) < self.cand_limit)
        score = np.abs(self.cand_value - self.cand_med) / np.maximum(self.cand_limit, 1e-12)
        out = self._edges("spike", ts, present, back, self.cand_ts, self.cand_value, score)
        med = column_medians(self.hist)
        resid = np.abs(x - med)
        sigma = 1.25 * self.noise / (1 - 0.95 ** np.maximum(self.seen, 1))
        limit = np.maximum(np.maximum(SPIKE_SIGMAS * sigma, SPIKE_RATIO * np.abs(med)), 1e-9)
        ok = present & ~miss & np.isfinite(med)
        cand = self.analog & ok & (self.seen >= SPIKE_WINDOW // 2) & (resid > limit)
        self.cand = np.where(present, cand, self.cand)
        self.cand_ts = np.where(cand, ts, self.cand_ts)
        self.cand_med = np.where(cand, med, self.cand_med)
        self.cand_limit = np.where(cand, limit, self.cand_limit)
        self.cand_value = np.where(cand, x, self.cand_value)
        update = ok & ~cand
        self.noise = np.where(update, 0.95 * self.noise + 0.05 * resid, self.noise)
        cols = np.flatnonzero(present & ~miss)
        self.hist[self.seen[cols] % SPIKE_WINDOW, cols] = x[cols]
        self.seen[cols] += 1
        return out

    def _chatter(
        self, ts: int, x: np.ndarray, miss: np.ndarray, present: np.ndarray
    ) -> list[Detection]:
        st = self.status & present & ~miss
        changed = st & ~np.isnan(self.last_status) & (x != self.last_status)
        for j in np.flatnonzero(changed):
            self.changes[j, np.argmin(self.changes[j])] = ts  # replace the oldest change
        self.last_status = np.where(st, x, self.last_status)
        oldest = self.changes.min(axis=1)
        chat = self.status & (oldest >= ts - CHATTER_WINDOW_MS)
        five = np.full(x.size, float(CHATTER_CHANGES + 1))
        return self._edges("breaker_chatter", ts, present, chat, oldest, x, five)

    def _edges(
        self,
        kind: str,
        ts: int,
        present: np.ndarray,
        cond: np.ndarray,
        start: np.ndarray,
        value: np.ndarray,
        score: np.ndarray,
    ) -> list[Detection]:
        """Open events where `cond` starts (an alert, unless it resumes one that ended
        within the cooldown) and close them where it stops; points that did not
        report keep their state."""
        opened, ended, began = (getattr(self, f"{g}_{kind}") for g in ("open", "ended", "began"))
        is_open = opened >= 0
        off = present & ~cond & is_open
        if off.any():
            ended[off] = ts
            opened[off] = -1
        on = present & cond & ~is_open
        if not on.any():
            return []
        out = []
        for j in np.flatnonzero(on):
            s = int(start[j])
            if s - ended[j] <= COOLDOWN_MS[kind]:
                opened[j] = began[j]  # the same event, resumed
                continue
            opened[j] = began[j] = s
            v = float(value[j])
            out.append(
                Detection(
                    self.assets[j],
                    kind,
                    self.ids[j],
                    s,
                    ts,
                    None if np.isnan(v) else v,
                    float(score[j]),
                )
            )
        return out

    def to_dict(self) -> dict[str, object]:
        state: dict[str, object] = {name: getattr(self, name).tolist() for name in _FIELDS}
        return state | {
            "ids": self.ids,
            "hist": self.hist.tolist(),
            "changes": self.changes.tolist(),
        }

    @classmethod
    def from_dict(cls, state: Mapping[str, object], info: Mapping[str, PointInfo]) -> PointDetector:
        self = cls(info)
        self.columns(list(state["ids"]))
        for name, (dtype, _) in _FIELDS.items():
            setattr(self, name, np.array(state[name], dtype=dtype))
        n = len(self.ids)
        self.hist = np.array(state["hist"], dtype=float).reshape(SPIKE_WINDOW, n)
        self.changes = np.array(state["changes"], dtype=_INT).reshape(n, CHATTER_CHANGES + 1)
        return self
