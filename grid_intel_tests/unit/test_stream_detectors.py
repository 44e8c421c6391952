"""The stream processor's pure parts: point and frequency detectors, event-time windows,
and a partition's state surviving a checkpoint (JSON round trip) mid-stream unchanged."""

import zlib
from datetime import UTC, datetime, timedelta

import numpy as np
import orjson
import pytest

from grid_intel.anomaly.events import Event, Label, score
from grid_intel.broker.client import Record
from grid_intel.broker.codec import decode_alert, encode_alert
from grid_intel.simulation.faults import STREAM_FAULTS
from grid_intel.simulation.feeds import Feeds, frequency_frame
from grid_intel.simulation.frequency import trips
from grid_intel.streaming.detections import Detection
from grid_intel.streaming.frequency import REFERENCE_REGION, ExcursionDetector
from grid_intel.streaming.partition import FREQUENCY, SCANS, PartitionState
from grid_intel.streaming.points import PointDetector, PointInfo, column_medians, point_info
from grid_intel.streaming.windows import Groups, Windows

T0 = 1_767_225_600_000  # 2026-01-01 UTC, ms
INFO = {
    "t1.top_oil_temp_c": PointInfo("t1", analog=True, status=False),
    "t1.load_mva": PointInfo("t1", analog=True, status=False),
    "cb1.status": PointInfo("cb1", analog=False, status=True),
}
IDS = list(INFO)


def run(values: np.ndarray) -> list[Detection]:
    """Scans every 4 s of (scans x 3) values through one detector."""
    det = PointDetector(INFO)
    cols = det.columns(IDS)
    out = []
    for i, row in enumerate(values):
        x = np.full(len(det.ids), np.nan)
        x[cols] = row
        out += det.step(T0 + 4000 * i, x, np.ones(len(det.ids), dtype=bool))
    return out


def live(n: int, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.column_stack(
        [60 + rng.normal(0, 0.3, n), 100 + rng.normal(0, 2, n), np.ones(n)]
    ).round(4)


def test_live_signals_raise_nothing():
    assert run(live(2000)) == []


def test_stuck_sensor_alerts_once_after_a_minute_of_identical_readings():
    x = live(300)
    x[100:200, 0] = x[100, 0]
    found = run(x)
    assert [(d.kind, d.point) for d in found] == [("stuck_sensor", "t1.top_oil_temp_c")]
    assert found[0].start_ms == T0 + 4000 * 100  # the run's first reading
    assert found[0].detected_ms == T0 + 4000 * 114  # confirmed on its 15th


def test_spikes_in_one_fault_are_one_alert_and_a_step_is_none():
    x = live(600)
    for i in (100, 150, 200):
        x[i, 1] *= 4
    x[400:, 1] += 60  # a level step (load transfer): not a spike
    found = run(x)
    assert [(d.kind, d.start_ms) for d in found] == [("spike", T0 + 400_000)]
    assert found[0].detected_ms == T0 + 404_000  # one scan later, when it came back
    assert found[0].score > 1


def test_dropout_and_breaker_chatter():
    x = live(400)
    x[50:80, 1] = np.nan
    x[200:240, 2] = np.arange(40) % 2
    found = run(x)
    kinds = sorted((d.kind, d.point) for d in found)
    assert kinds == [("breaker_chatter", "cb1.status"), ("dropout", "t1.load_mva")]
    drop = next(d for d in found if d.kind == "dropout")
    assert (drop.start_ms, drop.detected_ms) == (T0 + 200_000, T0 + 204_000)


def test_column_medians_ignore_nan():
    a = np.array([[1.0, np.nan, np.nan], [3.0, 5.0, np.nan], [2.0, 7.0, np.nan]])
    np.testing.assert_array_equal(column_medians(a), [2.0, 6.0, np.nan])


def test_alert_ids_are_stable_and_alerts_round_trip():
    d = Detection("t1", "spike", "t1.load_mva", T0, T0 + 4000, 412.0, 3.2)
    again = Detection("t1", "spike", "t1.load_mva", T0, T0 + 8000, 400.0, 1.0)
    assert d.alert_id == again.alert_id  # what, not when it was confirmed
    assert d.alert_id != Detection("t1", "spike", "t1.load_mva", T0 + 1, T0, 1.0).alert_id
    alert = d.alert(source="sensor.readings/0")
    back = decode_alert(encode_alert(alert))
    assert (back.alert_id, back.asset, back.kind, back.severity) == (
        d.alert_id,
        "t1",
        "spike",
        "info",
    )
    assert back.detail["delay_s"] == 4.0 and back.ts == datetime.fromtimestamp(T0 / 1000, UTC)


def test_windows_close_on_the_watermark_and_count_late_records():
    w = Windows("sensor.readings")
    g = Groups.of(["temp", "temp", "load"])
    w.add(T0 + 1000, "s1", g, np.array([10.0, 20.0, 5.0]))
    w.add(T0 + 30_000, "s1", g, np.array([30.0, np.nan, 7.0]))
    w.add(T0 + 61_000, "s1", g, np.array([1.0, 1.0, 1.0]))
    assert w.close(T0 + 59_000) == []
    restored = Windows.from_dict(orjson.loads(orjson.dumps(w.to_dict())))
    for win in (w, restored):
        rows = win.close(T0 + 60_000)
        assert [(r.measure, r.n, r.mean, r.min, r.max) for r in rows] == [
            ("load", 2, 6.0, 5.0, 7.0),
            ("temp", 3, 20.0, 10.0, 30.0),
        ]
        win.add(T0 + 59_000, "s1", g, np.array([1.0, 1.0, 1.0]))  # that minute is closed
        assert win.late == 1
        assert [r.n for r in win.close(T0 + 120_000)] == [1, 2]


def test_a_trip_is_one_alert_and_drift_is_none():
    seed = 7
    t0 = datetime(2026, 1, 10, tzinfo=UTC)
    t1 = t0 + timedelta(days=3)
    frame = frequency_frame(seed, t0, t1)
    ref = frame.filter(frame["region"] == REFERENCE_REGION)
    det = ExcursionDetector()
    found = []
    for ts, hz, rocof in ref.select("ts", "hz", "rocof").iter_rows():
        found += det.step(int(ts.timestamp() * 1000), hz, rocof)
    expected = trips(seed, t0, t1)
    assert len(expected) >= 1
    assert len(found) == len(expected)
    for d, t in zip(found, expected, strict=True):
        assert d.asset == "system"
        assert 0 <= d.start_ms / 1000 - t.start.timestamp() <= 4  # within two samples


def feed_records(feeds: Feeds, start: datetime, end: datetime) -> dict[tuple[str, int], list]:
    """The messages as each partition would hold them (crc32 of the key for a partitioner)."""
    parts: dict[tuple[str, int], list[Record]] = {}
    for m in [*feeds.messages(start, end), *feeds.flush_late()]:
        if m.topic == "market.prices":
            continue
        key = (m.topic, zlib.crc32(m.key) % (6 if m.topic == "sensor.readings" else 3))
        recs = parts.setdefault(key, [])
        recs.append(Record(key[1], len(recs), m.timestamp_ms, m.key, m.value))
    return parts


@pytest.fixture(scope="module")
def faulted():
    kinds = ("stuck_sensor", "spike", "dropout", "breaker_chatter", *STREAM_FAULTS)
    feeds = Feeds(seed=5, faults=kinds, faults_per_day=40)
    start = datetime(2026, 2, 3, 10, tzinfo=UTC)
    end = start + timedelta(minutes=90)
    return feeds, start, end, feed_records(feeds, start, end)


def test_a_partition_finds_the_injected_faults(faulted):
    feeds, start, end, parts = faulted
    info = point_info(feeds.scada.registry.points)
    found = []
    for (topic, p), recs in parts.items():
        state = PartitionState(topic, p, info, SCANS if topic == "sensor.readings" else FREQUENCY)
        found += state.process(recs)
    ms = lambda v: datetime.fromtimestamp(v / 1000, UTC)  # noqa: E731
    events = [
        Event(
            d.asset,
            d.kind,
            ms(d.start_ms),
            ms(d.detected_ms + 4000),
            d.score,
            {},
            ms(d.detected_ms),
        )
        for d in found
    ]
    labels = [Label(f.kind, f.asset, f.start, f.end) for f in feeds.faults(start, end)]
    also = {"data_gap": ("late_message",)}
    for kind, s in score(events, labels, also=also).items():
        assert s.precision == 1.0, (kind, s)
    # An RTU silent since before the stream began cannot be missed; judge recall on
    # the faults that start once the processor has heard every RTU.
    heard = [lb for lb in labels if lb.start >= start + timedelta(minutes=2)]
    judged = {k: s for k, s in score(events, heard, also=also).items() if s.faults}
    assert {"stuck_sensor", "spike", "dropout", "malformed_message"} <= set(judged)
    for kind, s in judged.items():
        assert s.recall == 1.0, (kind, s)


def test_a_checkpoint_mid_stream_changes_nothing(faulted):
    """State serialised to JSON and restored at arbitrary points (a crash and restart)
    gives the detections and windows of one uninterrupted run, record for record."""
    feeds, _, _, parts = faulted
    info = point_info(feeds.scada.registry.points)
    recs = parts[("sensor.readings", 2)]

    registry = feeds.scada.registry

    def go(cuts: list[int]) -> tuple[list[Detection], list]:
        state = PartitionState("sensor.readings", 2, info, SCANS, registry)
        found, rows, at = [], [], 0
        for cut in [*cuts, len(recs)]:
            found += state.process(recs[at:cut])
            rows += state.close_windows()
            blob = orjson.dumps(state.to_dict())
            state = PartitionState.from_dict(orjson.loads(blob), info, registry)
            at = cut
        return found, rows

    whole = go([])
    assert whole[0] and whole[1]
    assert go([1, 777, 778, 5000, 9001]) == whole


def test_the_stream_flags_overheating_with_the_batch_thermal_model():
    feeds = Feeds(seed=3, faults=("transformer_overheating",), faults_per_day=30)
    start = datetime(2026, 7, 14, 12, tzinfo=UTC)
    end = start + timedelta(hours=2)
    registry = feeds.scada.registry
    info = point_info(registry.points)
    found = []
    for (topic, p), recs in feed_records(feeds, start, end).items():
        if topic == "sensor.readings":
            state = PartitionState(topic, p, info, SCANS, registry)
            for i in range(0, len(recs), 2500):  # as polls would hand them over
                found += state.process(recs[i : i + 2500])
    hot = [d for d in found if d.kind == "transformer_overheating"]
    labels = [f for f in feeds.faults(start, end) if f.kind == "transformer_overheating"]
    judged = [
        f for f in labels if start + timedelta(minutes=15) <= f.start <= end - timedelta(minutes=40)
    ]
    assert judged
    for f in judged:
        hits = [
            d for d in hot if d.asset == f.asset and f.start.timestamp() * 1000 <= d.detected_ms
        ]
        assert hits, f
        assert hits[0].detected_ms / 1000 - f.start.timestamp() <= 30 * 60
    for d in hot:  # every alert is on a transformer that is overheating
        assert any(
            d.asset == f.asset
            and f.start.timestamp() * 1000 <= d.detected_ms <= f.end.timestamp() * 1000 + 300_000
            for f in labels
        ), d
