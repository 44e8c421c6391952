"""The stream processor against the real broker and warehouse.

Simulated scans and frequency with injected faults go to topics of this test's own;
the processor turns them into alerts on an alerts topic and one-minute windows in
gold.live_aggregates. A processor killed before its first commit, then restarted as
a pair in one consumer group (scaling out), publishes exactly the alerts of an
uninterrupted run: every one, and each once.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from kafka import TopicPartition

from grid_intel.broker.client import ensure_topics
from grid_intel.broker.topics import GRID_ALERTS, GRID_FREQUENCY, SENSOR_READINGS
from grid_intel.settings import Settings
from grid_intel.simulation.faults import STREAM_FAULTS
from grid_intel.simulation.feeds import Feeds
from grid_intel.streaming.points import point_info
from grid_intel.streaming.processor import Processor, StreamConfig, read_alerts
from grid_intel.warehouse.connection import connect
from grid_intel_tests.conftest import fresh_warehouse, query_frame

KINDS = ("stuck_sensor", "spike", "dropout", "breaker_chatter", *STREAM_FAULTS)
MUST = {"stuck_sensor", "spike", "dropout", "malformed_message"}
LENGTH = timedelta(minutes=90)


def recent_start(feeds: Feeds) -> datetime:
    """A recent morning (the topics' retention deletes old event times) whose faults
    include every kind the test asserts on."""
    today = datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0)
    for days in range(2, 6):
        start = today - timedelta(days=days)
        late = start + timedelta(minutes=2)
        if {f.kind for f in feeds.faults(start, start + LENGTH) if f.start >= late} >= MUST:
            return start
    raise AssertionError("no recent morning with every fault kind: raise faults_per_day")


@pytest.fixture(scope="module")
def warehouse(stack: Settings) -> Iterator[Settings]:
    yield from fresh_warehouse(stack, "grid_intel_stream")


def topics(settings: Settings, tag: str, *specs) -> list[str]:
    named = [replace(s, name=f"{s.name}.{tag}") for s in specs]
    with settings.kafka_admin() as admin:
        ensure_topics(admin, named)
    return [s.name for s in named]


def publish_input(warehouse: Settings):
    """90 minutes of the grid with sensor and stream faults, on topics of their own."""
    tag = uuid.uuid4().hex[:8]
    readings, frequency = topics(warehouse, tag, SENSOR_READINGS, GRID_FREQUENCY)
    feeds = Feeds(seed=5, faults=KINDS, faults_per_day=60)
    start = recent_start(feeds)
    rename = {SENSOR_READINGS.name: readings, GRID_FREQUENCY.name: frequency}
    sent: Counter[str] = Counter()
    with warehouse.kafka_producer(bulk=True) as p:
        for m in [*feeds.messages(start, start + LENGTH), *feeds.flush_late()]:
            if m.topic in rename:
                p.send(rename[m.topic], key=m.key, value=m.value, timestamp_ms=m.timestamp_ms)
                sent[m.topic] += 1
    assert sent[SENSOR_READINGS.name] > 80_000
    return tag, readings, frequency, feeds, start


@pytest.fixture(scope="module")
def stream_input(warehouse: Settings):
    return publish_input(warehouse)


def config(settings: Settings, stream_input, group: str, alerts: str) -> StreamConfig:
    _, readings, frequency, *_ = stream_input
    return StreamConfig(
        settings.kafka_bootstrap,
        settings.warehouse,
        settings.kafka_security,
        group=group,
        readings_topic=readings,
        frequency_topic=frequency,
        alerts_topic=alerts,
    )


def reference_run(warehouse: Settings, stream_input):
    """One uninterrupted in-process run: its alerts, keyed by id."""
    tag, *_, feeds, _ = stream_input
    (alerts,) = topics(warehouse, f"{tag}.ref", GRID_ALERTS)
    cfg = config(warehouse, stream_input, f"ref-{tag}", alerts)
    registry = feeds.scada.registry
    stats = Processor(cfg, point_info(registry.points), registry).run(idle_exit_s=3)
    assert stats.records > 80_000 and stats.commits >= 2
    published = read_alerts(warehouse.kafka_bootstrap, warehouse.kafka_security, alerts)
    return {a.alert_id: a for _, a in published}, published, stats


@pytest.fixture(scope="module")
def reference(warehouse: Settings, stream_input):
    return reference_run(warehouse, stream_input)


def test_injected_faults_arrive_as_alerts_with_their_asset_and_kind(reference, stream_input):
    by_id, published, stats = reference
    assert len(published) == len(by_id) == stats.alerts  # each alert once
    *_, feeds, start = stream_input
    heard = [
        f for f in feeds.faults(start, start + LENGTH) if f.start >= start + timedelta(minutes=2)
    ]
    assert {f.kind for f in heard} >= MUST
    slack = timedelta(minutes=5)
    for f in heard:
        hits = [
            a
            for a in by_id.values()
            if a.asset == f.asset and a.kind == f.kind and f.start - slack <= a.ts < f.end + slack
        ]
        assert hits, f"no alert for {f.kind} on {f.asset} at {f.start}"
        detected = datetime.fromisoformat(hits[0].detail["detected_at"])
        if f.kind != "late_message":  # late scans are found when they come, by definition
            assert detected - f.start <= timedelta(seconds=90), (f, hits[0])
    kinds = Counter(a.kind for a in by_id.values())
    assert kinds["spike"] and kinds["stuck_sensor"] and kinds["malformed_message"]


def test_live_windows_hold_every_reading_once(warehouse: Settings, stream_input, reference):
    """A minute's count per substation and measure is what the simulator sent for it
    (dropouts and duplicate scans excluded), however the run was cut into commits."""
    *_, feeds, start = stream_input
    minute = start + timedelta(minutes=37)
    sent: Counter[tuple[str, str]] = Counter()
    seen = set()
    for m in feeds.messages(minute, minute + timedelta(minutes=1)):
        if m.topic != SENSOR_READINGS.name or (m.key, m.timestamp_ms) in seen:
            continue
        seen.add((m.key, m.timestamp_ms))
        try:
            body = orjson.loads(m.value)
        except orjson.JSONDecodeError:
            continue  # malformed: quarantined, not counted
        for point, v in body["values"].items():
            if v is not None:
                sent[(body["substation"], point.rpartition(".")[2])] += 1
    rows = query_frame(
        warehouse,
        "select key, measure, n from gold.live_aggregates where window_start = %(w)s"
        " and source like 'sensor.readings.%%'",
        {"w": minute},
    )
    got = {(k, m): n for k, m, n in rows.iter_rows()}
    assert got == dict(sent)


def stream_cmd(settings: Settings, stream_input, group: str, alerts: str, *extra: str):
    _, readings, frequency, *_ = stream_input
    env = os.environ | settings.kafka_env() | {"GRID_INTEL_WAREHOUSE_URL": settings.warehouse}
    args = [sys.executable, "-m", "grid_intel", "stream", "--group", group]
    args += ["--topics", f"{readings},{frequency},{alerts}", *extra]
    return subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def checkpoint_offsets(settings: Settings, group: str) -> tuple[int, int]:
    """(partitions checkpointed, offsets they reached in all)."""
    with connect(settings.warehouse) as conn:
        row = conn.execute(
            "select count(*), coalesce(sum(next_offset), 0) from ops.stream_checkpoints"
            " where consumer_group = %s",
            (group,),
        ).fetchone()
    return int(row[0]), int(row[1])


def alert_count(settings: Settings, topic: str) -> int:
    with settings.kafka_consumer() as c:
        tp = TopicPartition(topic, 0)
        return c.end_offsets([tp])[tp]


def wait_for_alerts(settings: Settings, proc: subprocess.Popen, alerts: str, timeout: float):
    """Until the processor has published 10 alerts: it is mid-stream, the moment to break it."""
    deadline = time.monotonic() + timeout
    while alert_count(settings, alerts) < 10:
        assert proc.poll() is None, proc.stdout.read().decode()[-3000:]
        assert time.monotonic() < deadline, "no alerts from the processor"
        time.sleep(0.2)


def test_killed_and_restarted_as_a_pair_publishes_each_alert_once(
    warehouse: Settings, stream_input, reference
):
    tag = stream_input[0]
    by_id, _, _ = reference
    (alerts,) = topics(warehouse, f"{tag}.kill", GRID_ALERTS)
    group = f"kill-{tag}"

    # No checkpoint after the first for an hour: whatever it publishes before the kill
    # is past its checkpoint, and the restart must recognise it on the alerts topic.
    first = stream_cmd(warehouse, stream_input, group, alerts, "--commit-every", "3600")
    try:
        wait_for_alerts(warehouse, first, alerts, 180)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    before_restart = alert_count(warehouse, alerts)
    assert before_restart < len(by_id)  # killed mid-stream
    assert checkpoint_offsets(warehouse, group) == (9, 0)  # only the start marks

    pair = [stream_cmd(warehouse, stream_input, group, alerts, "--idle-exit", "6") for _ in "ab"]
    try:
        for proc in pair:
            out, _ = proc.communicate(timeout=400)
            assert proc.returncode == 0, out.decode()[-3000:]
    finally:
        for proc in pair:
            if proc.poll() is None:
                proc.kill()
    published = read_alerts(warehouse.kafka_bootstrap, warehouse.kafka_security, alerts)
    ids = [a.alert_id for _, a in published]
    doubled = [i for i, n in Counter(ids).items() if n > 1]
    assert not doubled, f"{len(doubled)} alerts published twice"
    assert set(ids) == set(by_id)
    parts, reached = checkpoint_offsets(warehouse, group)
    assert parts == 9 and reached > 80_000
