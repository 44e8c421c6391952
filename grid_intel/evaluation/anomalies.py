"""Both detection paths over a simulated span with faults injected, scored per event.

The batch path runs each hour's block through `anomaly.batch.detect_hour`, as the
hourly asset does; the stream path feeds the same messages, partitioned by key, through
the processor's partition states. Both are scored against the simulator's labels with
`anomaly.events.score`: precision, recall and F1 per fault kind, the median detection
delay, and false alarms per 100 assets per day.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl

from grid_intel.anomaly.batch import GAS_HOURS, detect_hour, gas_means, join_touching
from grid_intel.anomaly.events import Event, Label, score
from grid_intel.anomaly.physical import PHYSICAL_KINDS
from grid_intel.anomaly.scada_faults import SENSOR_KINDS
from grid_intel.broker.client import Record
from grid_intel.broker.topics import GRID_FREQUENCY, SENSOR_READINGS
from grid_intel.simulation.faults import KINDS, STREAM_FAULTS
from grid_intel.simulation.feeds import Feeds, frequency_frame
from grid_intel.streaming.detections import Detection
from grid_intel.streaming.partition import FREQUENCY, SCANS, PartitionState
from grid_intel.streaming.points import point_info

COVERS = {  # the fault kinds each path is built to find
    "batch": (*SENSOR_KINDS, *PHYSICAL_KINDS, "dga_fault_gas", "frequency_excursion"),
    "stream": (*SENSOR_KINDS, "transformer_overheating", "frequency_excursion", *STREAM_FAULTS),
}
# A real-time gap alarm is right when a late burst leaves an RTU silent.
ALSO = {"data_gap": ("late_message",)}
GOALS = {"f1": 0.9, "false_alarms_per_100_assets_day": 1.0, "stream_median_delay_s": 60.0}


@dataclass(frozen=True)
class KindRow:
    path: str
    kind: str
    faults: int
    found: int
    events: int
    true_events: int
    precision: float
    recall: float
    f1: float
    median_delay_s: float | None


@dataclass(frozen=True)
class Evaluation:
    seed: int
    start: datetime
    end: datetime
    assets: int
    rows: list[KindRow]
    f1: dict[str, float]  # per path, over the kinds it covers (events pooled)
    false_alarms_per_100_assets_day: dict[str, float]
    median_delay_s: dict[str, float | None]  # per path, over every fault it found
    seconds: float

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400

    def meets_goals(self) -> dict[str, bool]:
        return {
            **{f"f1_{p}": f >= GOALS["f1"] for p, f in self.f1.items()},
            **{
                f"false_alarms_{p}": v <= GOALS["false_alarms_per_100_assets_day"]
                for p, v in self.false_alarms_per_100_assets_day.items()
            },
            "stream_delay": (self.median_delay_s["stream"] or 0.0)
            <= GOALS["stream_median_delay_s"],
        }

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame([r.__dict__ for r in self.rows])

    def markdown(self) -> str:
        """The per-kind rows as a Markdown table (asset metadata, docs/anomaly.md)."""
        cols = list(KindRow.__dataclass_fields__)
        lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        lines += ["| " + " | ".join(str(getattr(r, c)) for c in cols) + " |" for r in self.rows]
        return "\n".join(lines)


def _ms(v: int) -> datetime:
    return datetime.fromtimestamp(v / 1000, UTC)


def stream_event(d: Detection) -> Event:
    end = _ms(max(d.detected_ms, d.start_ms) + 4000)
    return Event(
        d.asset, d.kind, _ms(d.start_ms), end, d.score, {"point": d.point}, _ms(d.detected_ms)
    )


def scorecard(
    path: str,
    events: list[Event],
    labels: list[Label],
    judged_from: datetime,
    assets: int,
    days: float,
) -> tuple[list[KindRow], float, float, float | None]:
    """Rows per covered kind, pooled F1, false alarms per 100 assets per day and the
    median delay. Recall counts the faults starting once the path has warmed up
    (`judged_from`); precision judges every event against every label."""
    covered = COVERS[path]
    everything = score(events, labels, also=ALSO)
    judged = score(events, [lb for lb in labels if lb.start >= judged_from], also=ALSO)
    rows, delays = [], []
    for kind in covered:
        p, r = everything.get(kind), judged.get(kind)
        if p is None and r is None:
            continue
        faults, found = (r.faults, r.found) if r else (0, 0)
        events_n, true_n = (p.events, p.true_events) if p else (0, 0)
        precision = true_n / events_n if events_n else 1.0
        recall = found / faults if faults else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        kind_delays = r.delays_s if r else []
        delays += kind_delays
        median = float(np.median(kind_delays)) if kind_delays else None
        rows.append(
            KindRow(
                path,
                kind,
                faults,
                found,
                events_n,
                true_n,
                round(precision, 4),
                round(recall, 4),
                round(f1, 4),
                median,
            )
        )
    faults = sum(r.faults for r in rows)
    found = sum(r.found for r in rows)
    events_n = sum(r.events for r in rows)
    true_n = sum(r.true_events for r in rows)
    precision = true_n / events_n if events_n else 1.0
    recall = found / faults if faults else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    false = sum(s.events - s.true_events for s in everything.values() if s.kind not in covered)
    false += events_n - true_n
    per_100 = false / (assets / 100) / days if assets and days else 0.0
    return rows, round(f1, 4), round(per_100, 4), float(np.median(delays)) if delays else None


def run(
    seed: int,
    start: datetime,
    end: datetime,
    kinds: Iterable[str] = KINDS,
    faults_per_day: float = 4.0,
    warmup: timedelta = timedelta(hours=1),
    progress: Callable[[str], None] = lambda _m: None,
) -> Evaluation:
    """Simulate [start, end) with `kinds` injected and score both paths."""
    t0 = time.perf_counter()
    feeds = Feeds(seed, faults=tuple(kinds), faults_per_day=faults_per_day)
    registry = feeds.scada.registry
    points = registry.points
    info = point_info(points)
    parts = {
        SENSOR_READINGS.name: SENSOR_READINGS.partitions,
        GRID_FREQUENCY.name: GRID_FREQUENCY.partitions,
    }
    states: dict[tuple[str, int], PartitionState] = {}
    offsets: dict[tuple[str, int], int] = {}
    detections: list[Detection] = []
    batch: list[Event] = []
    previous = None
    gas_window: list[pl.DataFrame] = []
    hour = start
    while hour < end:
        nxt = min(hour + timedelta(hours=1), end)
        messages = list(feeds.messages(hour, nxt))
        if nxt >= end:
            messages += list(feeds.flush_late())
        routed: dict[tuple[str, int], list[Record]] = {}
        for m in messages:
            if m.topic not in parts:
                continue
            key = (m.topic, zlib.crc32(m.key) % parts[m.topic])
            at = offsets.get(key, 0)
            offsets[key] = at + 1
            routed.setdefault(key, []).append(Record(key[1], at, m.timestamp_ms, m.key, m.value))
        for key, records in sorted(routed.items()):
            state = states.get(key)
            if state is None:
                kind = SCANS if key[0] == SENSOR_READINGS.name else FREQUENCY
                state = states[key] = PartitionState(key[0], key[1], info, kind, registry)
            detections += state.process(records)
            state.close_windows()
        assert feeds.last_block is not None
        block = feeds.last_block
        gas_window = [*gas_window, gas_means(block, points)][-GAS_HOURS:]
        freq = frequency_frame(seed, hour, nxt)
        batch += detect_hour(block, points, registry, previous, freq, pl.concat(gas_window))
        previous = block
        progress(
            f"evaluated {hour:%Y-%m-%d %H:%M} UTC: {len(batch)} batch events, "
            f"{len(detections)} stream alerts, {time.perf_counter() - t0:.0f}s"
        )
        hour = nxt
    labels = [Label(f.kind, f.asset, f.start, f.end) for f in feeds.faults(start, end)]
    assets = len({p.asset for p in points})
    days = (end - start).total_seconds() / 86400
    judged_from = start + warmup
    rows, f1, fa, delay = {}, {}, {}, {}
    for path, events in (
        ("batch", join_touching(batch)),
        ("stream", [stream_event(d) for d in detections]),
    ):
        rows[path], f1[path], fa[path], delay[path] = scorecard(
            path, events, labels, judged_from, assets, days
        )
    return Evaluation(
        seed,
        start,
        end,
        assets,
        rows["batch"] + rows["stream"],
        f1,
        fa,
        delay,
        round(time.perf_counter() - t0, 1),
    )
