"""Everything the processor knows about one topic partition, fed its records in order.

A partition's records arrive in offset order, so its state (detectors, open windows,
watermark) depends only on the records, never on batching or timing: the same
records always give the same detections and windows. That is what lets a restarted
processor resume from a checkpoint and reproduce exactly what it would have done.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field

import numpy as np

from grid_intel.broker.client import Record
from grid_intel.broker.codec import DecodeError, Scan, decode_frequency, decode_scan
from grid_intel.grid.registry import Registry
from grid_intel.streaming.detections import Detection
from grid_intel.streaming.frequency import REFERENCE_REGION, ExcursionDetector
from grid_intel.streaming.points import PointDetector, PointInfo
from grid_intel.streaming.thermal import OverheatWatch
from grid_intel.streaming.windows import LATENESS_MS, Groups, WindowRow, Windows

SCAN_MS = 4_000
GAP_MS = 20_000  # five missed scans: an RTU that silent has stopped reporting
LATE_MS = 60_000  # a scan this far behind its RTU's newest was held back, not reordered
TRANSPORT_COOLDOWN_MS = 600_000
SCANS, FREQUENCY = "scans", "frequency"  # what a topic carries
KINDS = (SCANS, FREQUENCY)
_FREQ_GROUPS = Groups.of(("hz", "rocof"))


@dataclass
class Transport:
    """An RTU's message stream: when it was last heard and its open or recent issues."""

    last_ts: int = -1  # newest scan applied to the detectors
    last_seq: int = -1
    heard: int = -1  # newest record of any kind (a malformed one still shows it is alive)
    gap: bool = False
    ended: dict[str, int] = field(default_factory=dict)

    def fire(
        self, kind: str, rtu: str, start: int, now: int, value: float | None = None
    ) -> list[Detection]:
        """One alert per burst: a repeat within the cooldown extends the last one."""
        last = self.ended.get(kind, -(2**62))
        self.ended[kind] = now
        if start - last <= TRANSPORT_COOLDOWN_MS:
            return []
        return [Detection(rtu, kind, rtu, start, now, value, 1.0)]


@dataclass
class Counters:
    records: int = 0
    readings: int = 0
    late: int = 0
    duplicates: int = 0
    malformed: int = 0
    detections: int = 0


class PartitionState:
    def __init__(
        self,
        topic: str,
        partition: int,
        info: Mapping[str, PointInfo],
        kind: str = SCANS,
        registry: Registry | None = None,
    ) -> None:
        """`registry` (its transformers' ratings and cooling) turns on the overheating
        watch; without it the partition judges sensors and the message stream only."""
        if kind not in KINDS:
            raise ValueError(f"unknown stream kind {kind!r}; known: {', '.join(KINDS)}")
        self.topic, self.partition, self.info, self.kind = topic, partition, info, kind
        self.registry = registry
        self.points = PointDetector(info)
        self.watch = OverheatWatch(registry) if registry is not None and kind == SCANS else None
        self.transport: dict[str, Transport] = {}
        self.excursion = ExcursionDetector()
        self.windows = Windows(topic)
        self.max_ts = -(2**62)
        self.checked_gaps_at = -(2**62)
        self.counters = Counters()
        self._layouts: dict[tuple[str, ...], tuple[np.ndarray, Groups]] = {}
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []
        self._pending_ts = -1
        self._pending_rtus: set[str] = set()

    @property
    def watermark(self) -> int:
        return self.max_ts - LATENESS_MS

    def process(self, records: Iterable[Record]) -> list[Detection]:
        """Detections from these records (the partition's next ones, in offset order)."""
        out: list[Detection] = []
        for rec in records:
            self.counters.records += 1
            if self.kind == SCANS:
                out += self._scan(rec)
            else:
                out += self._frequency(rec)
            if rec.timestamp_ms > self.max_ts:
                self.max_ts = rec.timestamp_ms
                if self.kind == SCANS and self.max_ts - self.checked_gaps_at >= SCAN_MS:
                    out += self._gaps()
        out += self._step()
        self.counters.detections += len(out)
        return out

    def close_windows(self) -> list[WindowRow]:
        return self.windows.close(self.watermark)

    def _scan(self, rec: Record) -> list[Detection]:
        rtu_key = rec.key.decode(errors="replace") if rec.key else "unknown"
        tr = self.transport.setdefault(rtu_key, Transport())
        tr.heard = max(tr.heard, rec.timestamp_ms)
        try:
            scan = decode_scan(rec.value)
        except DecodeError:
            self.counters.malformed += 1
            return tr.fire("malformed_message", rtu_key, rec.timestamp_ms, rec.timestamp_ms)
        ts = int(scan.ts.timestamp() * 1000)
        if ts <= tr.last_ts:
            if ts == tr.last_ts and scan.seq == tr.last_seq:
                self.counters.duplicates += 1
                return tr.fire("duplicate_message", rtu_key, ts, self.max_ts)
            self.counters.late += 1
            if tr.last_ts - ts >= LATE_MS:
                behind = (tr.last_ts - ts) / 1000
                return tr.fire("late_message", rtu_key, ts, self.max_ts, behind)
            return []
        tr.last_ts, tr.last_seq = ts, scan.seq
        if tr.gap:
            tr.gap = False
            tr.ended["data_gap"] = ts
        out = self._step() if ts != self._pending_ts or rtu_key in self._pending_rtus else []
        self._queue(ts, rtu_key, scan)
        return out

    def _queue(self, ts: int, rtu: str, scan: Scan) -> None:
        """Hold a scan until the instant changes: the partition's scans at one instant
        go through the detectors in one vector step."""
        ids = tuple(scan.values)
        layout = self._layouts.get(ids)
        if layout is None:
            names = [p.rpartition(".")[2] for p in ids]
            layout = self._layouts[ids] = (self.points.columns(ids), Groups.of(names))
        cols, groups = layout
        get = scan.values.get
        x = np.fromiter((np.nan if (v := get(p)) is None else v for p in ids), float, len(ids))
        self.counters.readings += x.size
        self.windows.add(ts, scan.substation, groups, x)
        self._pending.append((cols, x))
        self._pending_ts = ts
        self._pending_rtus.add(rtu)

    def _step(self) -> list[Detection]:
        if not self._pending:
            return []
        n = len(self.points.ids)
        x = np.full(n, np.nan)
        present = np.zeros(n, dtype=bool)
        for cols, values in self._pending:
            x[cols] = values
            present[cols] = True
        self._pending.clear()
        self._pending_rtus.clear()
        out = self.points.step(self._pending_ts, x, present)
        if self.watch is not None:
            out += self.watch.step(self._pending_ts, self.points.ids, x, present)
        return out

    def _gaps(self) -> list[Detection]:
        self.checked_gaps_at = self.max_ts
        out = []
        for rtu, tr in self.transport.items():
            quiet_since = max(tr.heard, tr.last_ts)
            if not tr.gap and tr.last_ts >= 0 and self.max_ts - quiet_since > GAP_MS:
                tr.gap = True
                out += tr.fire("data_gap", rtu, quiet_since + SCAN_MS, self.max_ts)
        return out

    def _frequency(self, rec: Record) -> list[Detection]:
        try:
            r = decode_frequency(rec.value)
        except DecodeError:
            self.counters.malformed += 1
            return []
        ts = int(r.ts.timestamp() * 1000)
        self.counters.readings += 1
        rocof = np.nan if r.rocof_hz_per_s is None else r.rocof_hz_per_s
        self.windows.add(ts, r.region, _FREQ_GROUPS, np.array([r.frequency_hz, rocof]))
        if r.region != REFERENCE_REGION:
            return []
        return self.excursion.step(ts, r.frequency_hz, r.rocof_hz_per_s)

    def to_dict(self) -> dict[str, object]:
        self._flush_check()
        return {
            "topic": self.topic,
            "partition": self.partition,
            "kind": self.kind,
            "points": self.points.to_dict(),
            "watch": self.watch.to_dict() if self.watch is not None else None,
            "transport": {k: asdict(v) for k, v in self.transport.items()},
            "excursion": self.excursion.to_dict(),
            "windows": self.windows.to_dict(),
            "max_ts": self.max_ts,
            "checked_gaps_at": self.checked_gaps_at,
            "counters": asdict(self.counters),
        }

    def _flush_check(self) -> None:
        if self._pending:
            raise RuntimeError("checkpoint with scans still queued: process() flushes them")

    @classmethod
    def from_dict(
        cls,
        state: Mapping[str, object],
        info: Mapping[str, PointInfo],
        registry: Registry | None = None,
    ) -> PartitionState:
        self = cls(str(state["topic"]), int(state["partition"]), info, str(state["kind"]), registry)
        self.points = PointDetector.from_dict(state["points"], info)
        if self.watch is not None and state.get("watch") is not None:
            self.watch = OverheatWatch.from_dict(state["watch"], registry)
        self.transport = {k: Transport(**v) for k, v in state["transport"].items()}
        self.excursion = ExcursionDetector.from_dict(state["excursion"])
        self.windows = Windows.from_dict(state["windows"])
        self.max_ts, self.checked_gaps_at = int(state["max_ts"]), int(state["checked_gaps_at"])
        self.counters = Counters(**state["counters"])
        return self
