"""Bronze on the real broker and database: sensor tick → run → exactly the produced rows."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import dagster as dg
import orjson
import pytest
from kafka import KafkaProducer

from grid_intel.broker.client import (
    partitions,
    read_ranges,
    window_ranges,
)
from grid_intel.broker.cursor import TopicCursor
from grid_intel.broker.windows import Window, to_ms
from grid_intel.defs.bronze.assets import BRONZE_ASSETS, LAG_GROUP
from grid_intel.defs.bronze.sensors import BRONZE_SENSORS
from grid_intel.defs.partitions import RANGE_END, RANGE_START
from grid_intel.defs.resources import KafkaResource, build_resources
from grid_intel.settings import Settings
from grid_intel.simulation.feeds import Feeds
from grid_intel.simulation.messages import Message
from grid_intel.warehouse.connection import connect
from grid_intel.warehouse.migrate import hypertables
from grid_intel_tests.hours import hour_ago

Sent = dict[tuple[str, int, int], Message]  # (topic, kafka partition, offset) -> message


def send(p: KafkaProducer, messages: list[Message]) -> Sent:
    futures = [
        (m, p.send(m.topic, key=m.key, value=m.value, timestamp_ms=m.timestamp_ms))
        for m in messages
    ]
    p.flush()
    out: Sent = {}
    for m, f in futures:
        meta = f.get(timeout=30)
        out[(meta.topic, meta.partition, meta.offset)] = m
    return out


def simulate(settings: Settings, start: datetime, minutes: float, seed: int) -> list[Message]:
    return list(Feeds(seed).messages(start, start + timedelta(minutes=minutes)))


def stored_cursor(settings: Settings, topic: str) -> str:
    """A cursor at the topic's current end: the sensor resumes from it (as after a restart)."""
    with settings.kafka_consumer() as c:
        end = {tp.partition: o for tp, o in c.end_offsets(partitions(c, topic)).items()}
    return TopicCursor(next_offsets=end).to_json()


def tick(settings: Settings, topic: str, cursor: str) -> dg.SensorResult:
    sensor = BRONZE_SENSORS[topic]
    kafka = KafkaResource(bootstrap_servers=settings.kafka_bootstrap)
    return sensor(dg.build_sensor_context(cursor=cursor, resources={"kafka": kafka}))


def run(settings: Settings, topic: str, request: dg.RunRequest | None, key: str | None = None):
    result = dg.materialize(
        [BRONZE_ASSETS[topic]],
        partition_key=request.partition_key if request else key,
        run_config=request.run_config if request else None,
        tags=request.tags if request else None,  # a range run's hours are in its tags
        resources=build_resources(settings),
    )
    assert result.success
    # A range run materializes each of its hours, with the run's figures.
    mat, *_ = result.asset_materializations_for_node(BRONZE_ASSETS[topic].op.name)
    return {k: v.value for k, v in mat.metadata.items()}


def reading_rows(settings: Settings, hour: datetime) -> set[tuple]:
    with connect(settings.warehouse) as conn:
        return set(
            conn.execute(
                "select kafka_partition, kafka_offset, point_id, value, quality, rtu, ts"
                " from bronze.sensor_readings where ts >= %s and ts < %s",
                (hour, hour + timedelta(hours=1)),
            ).fetchall()
        )


def assert_same_rows(got: set[tuple], want: set[tuple]) -> None:
    """Equal row sets, or a short account of the difference.

    pytest's own diff of two sets of a million rows runs for longer than the test's timeout.
    """
    if got == want:
        return
    extra, missing = sorted(got - want), sorted(want - got)
    raise AssertionError(
        f"{len(got)} rows, {len(want)} wanted: {len(extra)} unexpected (first {extra[:3]}),"
        f" {len(missing)} missing (first {missing[:3]})"
    )


def expected_rows(sent: Sent) -> set[tuple]:
    rows = set()
    for (_, part, off), m in sent.items():
        body = orjson.loads(m.value)
        ts = datetime.fromisoformat(body["ts"])
        for point, value in body["values"].items():
            q = body.get("quality", {}).get(point)
            rows.add((part, off, point, value, q, body["rtu"], ts))
    return rows


def kafka_rows(settings: Settings, hour: datetime) -> set[tuple]:
    """What Kafka holds for the hour, decoded here independently of the loader.

    Kafka outlives a test session, so an hour can also hold an earlier run's copies.
    """
    window = Window(hour, hour + timedelta(hours=1))
    sent: Sent = {}
    with settings.kafka_consumer() as c:
        ranges = window_ranges(c, "sensor.readings", window)
        for rec in read_ranges(c, "sensor.readings", ranges):
            if not window.contains_ms(rec.timestamp_ms):
                continue
            try:
                orjson.loads(rec.value)
            except orjson.JSONDecodeError:
                continue  # the quarantined one
            sent[("sensor.readings", rec.partition, rec.offset)] = Message(
                "sensor.readings", rec.key, rec.value, 0
            )
    return expected_rows(sent)


def scans(messages: list[Message]) -> list[Message]:
    return [m for m in messages if m.topic == "sensor.readings"]


def test_sensor_to_bronze_is_exact_quarantines_and_reloads_late_data(test_db: Settings):
    hour = hour_ago(8)
    cursor = stored_cursor(test_db, "sensor.readings")
    good = scans(simulate(test_db, hour + timedelta(minutes=20), 2, seed=31))
    bad = Message("sensor.readings", b"rtu_x", good[0].value[:40] + b"\x00", good[0].timestamp_ms)
    next_hour = scans(simulate(test_db, hour + timedelta(minutes=65), 4 / 60, seed=31))
    with test_db.kafka_producer(bulk=True) as p:
        sent = send(p, good)
        (bad_at,) = send(p, [bad])
        send(p, next_hour)  # the stream moves on to the next hour

    # Both hours are complete: one range run reads them.
    first = tick(test_db, "sensor.readings", cursor)
    assert len(first.run_requests) == 1, [(r.partition_key, r.tags) for r in first.run_requests]
    (request,) = first.run_requests
    key, next_key = (h.strftime("%Y-%m-%d-%H:%M") for h in (hour, hour + timedelta(hours=1)))
    assert request.tags[RANGE_START] == key and request.tags[RANGE_END] == next_key
    meta = run(test_db, "sensor.readings", request)
    want, want_next = kafka_rows(test_db, hour), kafka_rows(test_db, hour + timedelta(hours=1))
    assert expected_rows(sent) <= want
    assert_same_rows(reading_rows(test_db, hour), want)
    assert_same_rows(reading_rows(test_db, hour + timedelta(hours=1)), want_next)
    assert meta["dagster/row_count"] == len(want) + len(want_next) and meta["quarantined"] >= 1
    assert meta["offsets_from"] == "sensor" and meta["consumer_lag"] >= 0
    with connect(test_db.warehouse) as conn:
        q = conn.execute(
            "select value, error from bronze.quarantine"
            " where topic = %s and kafka_partition = %s and kafka_offset = %s",
            bad_at,
        ).fetchone()
    assert q is not None and bytes(q[0]) == bad.value and "not JSON" in q[1]

    # Re-materializing gives the same rows, whether from the sensor's ranges or the time index.
    run(test_db, "sensor.readings", request)
    assert_same_rows(reading_rows(test_db, hour), want)
    run(test_db, "sensor.readings", None, key=key)
    assert_same_rows(reading_rows(test_db, hour), want)

    # A scan of the same hour arriving now is late: the sensor asks for the hour again.
    late = scans(simulate(test_db, hour + timedelta(minutes=50), 4 / 60, seed=32))
    with test_db.kafka_producer() as p:
        sent_late = send(p, late)
    again = tick(test_db, "sensor.readings", first.cursor)
    (re_request,) = [r for r in again.run_requests if r.partition_key == key]
    assert re_request.tags["grid_intel/trigger"] == "late-data"
    assert re_request.run_key != request.run_key
    meta = run(test_db, "sensor.readings", re_request)
    assert (
        reading_rows(test_db, hour) == kafka_rows(test_db, hour) == want | expected_rows(sent_late)
    )
    assert meta["late"] >= len(sent_late)

    # Progress reached the consumer group after the commit.
    with test_db.kafka_admin() as admin:
        committed = admin.list_group_offsets({LAG_GROUP: None})[LAG_GROUP]
    done = {tp.partition: o.offset for tp, o in committed.items() if tp.topic == "sensor.readings"}
    assert all(done[part] > off for _, part, off in sent_late)


def test_every_topic_lands_in_its_bronze_table(test_db: Settings):
    hour = hour_ago(9)
    messages = simulate(test_db, hour + timedelta(minutes=5), 10, seed=33)
    with test_db.kafka_producer(bulk=True) as p:
        sent = send(p, messages)
    by_topic = {
        t: sum(1 for m in sent.values() if m.topic == t)
        for t in ("grid.frequency", "market.prices")
    }
    key = hour.strftime("%Y-%m-%d-%H:%M")
    for topic, table in (("grid.frequency", "grid_frequency"), ("market.prices", "market_prices")):
        run(test_db, topic, None, key=key)
        with connect(test_db.warehouse) as conn:
            n = conn.execute(
                f"select count(*) from bronze.{table} where ts >= %s and ts < %s",
                (hour + timedelta(minutes=5), hour + timedelta(minutes=15)),
            ).fetchone()[0]
        assert n >= by_topic[topic] > 0


CRASHER = """
import sys, time
from pathlib import Path
from datetime import datetime
import grid_intel.ingestion.load as load
from grid_intel.ingestion.tables import BRONZE_SENSOR_READINGS
from grid_intel.broker.client import consumer
from grid_intel.broker.security import KafkaSecurity
from grid_intel.broker.windows import Window, to_ms
from grid_intel.warehouse.connection import connect
from grid_intel.warehouse.migrate import hypertables

url, bootstrap, start, end, marker = sys.argv[1:]

def stall(conn, rows):  # runs after the COPY, before the commit
    Path(marker).write_text("copied")
    time.sleep(120)

load.quarantine = stall
with consumer(bootstrap, security=KafkaSecurity()) as c, connect(url) as conn:
    load.load_window(c, conn, BRONZE_SENSOR_READINGS,
                     Window(datetime.fromisoformat(start), datetime.fromisoformat(end)))
"""


def test_a_run_killed_between_copy_and_commit_loses_and_doubles_nothing(
    test_db: Settings, tmp_path: Path
):
    hour = hour_ago(10)
    with test_db.kafka_producer(bulk=True) as p:
        sent = send(p, scans(simulate(test_db, hour + timedelta(minutes=30), 1, seed=34)))
    key = hour.strftime("%Y-%m-%d-%H:%M")
    run(test_db, "sensor.readings", None, key=key)
    before = reading_rows(test_db, hour)
    assert before == kafka_rows(test_db, hour) and expected_rows(sent) <= before

    marker = tmp_path / "copied"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CRASHER,
            test_db.warehouse,
            test_db.kafka_bootstrap,
            hour.isoformat(),
            (hour + timedelta(hours=1)).isoformat(),
            str(marker),
        ],
        env=os.environ.copy(),
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, "the loader exited before it copied"
            assert time.monotonic() < deadline, "the loader never reached the commit"
            time.sleep(0.2)
        with connect(test_db.warehouse) as conn:
            open_tx = conn.execute(
                "select count(*) from pg_stat_activity where application_name = 'grid-intel'"
                " and state like 'idle in transaction%%' and datname = current_database()"
            ).fetchone()[0]
        assert open_tx >= 1  # the replaced rows are copied, not yet committed
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    deadline = time.monotonic() + 30
    while reading_rows(test_db, hour) != before and time.monotonic() < deadline:
        time.sleep(0.5)  # the server notices the dead client and rolls back
    assert reading_rows(test_db, hour) == before
    run(test_db, "sensor.readings", None, key=key)
    assert reading_rows(test_db, hour) == before


@pytest.mark.timescale
def test_bronze_on_timescaledb_with_policies(timescale_db: Settings):
    hour = hour_ago(11)
    messages = simulate(timescale_db, hour + timedelta(minutes=40), 0.25, seed=35)
    with timescale_db.kafka_producer(bulk=True) as p:
        sent = send(p, messages)
    key = hour.strftime("%Y-%m-%d-%H:%M")
    scans_sent = {k: m for k, m in sent.items() if m.topic == "sensor.readings"}
    run(timescale_db, "sensor.readings", None, key=key)
    run(timescale_db, "sensor.readings", None, key=key)
    loaded = reading_rows(timescale_db, hour)
    assert loaded == kafka_rows(timescale_db, hour) and expected_rows(scans_sent) <= loaded
    run(timescale_db, "market.prices", None, key=key)
    with connect(timescale_db.warehouse) as conn:
        tables_there = hypertables(conn)
        jobs = {
            (r[0], r[1])
            for r in conn.execute(
                "select hypertable_name, proc_name from timescaledb_information.jobs"
                " where hypertable_schema = 'bronze'"
            )
        }
    tables = {"sensor_readings", "grid_frequency", "market_prices", "grid_alerts"}
    assert {f"bronze.{t}" for t in tables} <= tables_there
    for t in tables | {"weather_hourly", "miso_lmp"}:
        assert (t, "policy_compression") in jobs and (t, "policy_retention") in jobs
    assert {("outages", "policy_retention"), ("work_orders", "policy_retention")} <= jobs


def test_bench_ingest_reports_rates_beside_a_raw_copy(stack: Settings):
    from grid_intel.bench import bench_ingest, table

    said: list[str] = []
    report = bench_ingest(stack, minutes=1, scales=[1], progress=said.append)
    (run_,) = report["runs"]
    assert run_["readings"] > 0 and run_["ingest_readings_per_s"] > 0
    assert run_["ratio_vs_raw_copy"] == pytest.approx(
        run_["ingest_readings_per_s"] / run_["raw_copy_readings_per_s"], rel=0.01
    )
    assert "ratio_vs_raw_copy" in table(report) and any("raw binary COPY" in s for s in said)


def test_one_consumer_reads_ranges_twice(stack: Settings):
    """A read pauses the partitions it finished; the next read on the client resumes them."""
    from grid_intel.broker.client import read_ranges, window_ranges
    from grid_intel.broker.windows import Window

    hour = hour_ago(12)
    with stack.kafka_producer() as p:
        send(p, list(Feeds(36).messages(hour, hour + timedelta(seconds=8)))[:50])
    window = Window(hour, hour + timedelta(hours=1))
    with stack.kafka_consumer() as c:
        first = sum(
            1 for _ in read_ranges(c, "grid.frequency", window_ranges(c, "grid.frequency", window))
        )
        second = sum(
            1 for _ in read_ranges(c, "grid.frequency", window_ranges(c, "grid.frequency", window))
        )
    assert first == second > 0


def test_alerts_land_with_their_detail_as_a_json_object(test_db: Settings):
    from grid_intel.broker.codec import Alert, encode_alert

    hour = hour_ago(13)
    alert_id = f"it-{uuid.uuid4().hex[:8]}"
    alert = Alert(
        hour + timedelta(minutes=7),
        alert_id,
        "tx_a",
        "overheating",
        "critical",
        "hot spot 131 °C",
        {"hot_spot_c": 131.2, "limit_c": 120},
    )
    with test_db.kafka_producer() as p:
        p.send(
            "grid.alerts",
            key=b"tx_a",
            value=encode_alert(alert),
            timestamp_ms=int(alert.ts.timestamp() * 1000),
        )
    run(test_db, "grid.alerts", None, key=hour.strftime("%Y-%m-%d-%H:%M"))
    with connect(test_db.warehouse) as conn:
        row = conn.execute(
            "select jsonb_typeof(detail), (detail->>'hot_spot_c')::float8, severity"
            " from bronze.grid_alerts where alert_id = %s",
            (alert_id,),
        ).fetchone()
    assert row == ("object", 131.2, "critical")


def test_a_first_scan_of_a_fresh_topic_starts_at_offset_zero(stack: Settings):
    """A sensor's first scan on a new broker starts at its history, not past it."""
    from grid_intel.broker.client import start_offsets

    topic = f"test.fresh.{uuid.uuid4().hex[:8]}"
    with stack.kafka_admin() as admin:
        admin.create_topics(
            {topic: {"num_partitions": 1, "replication_factor": 1}}, wait_for_metadata=True
        )
    try:
        hour = hour_ago(3)
        with stack.kafka_producer() as p:
            for i in range(5):
                p.send(topic, value=b"x", timestamp_ms=int(hour.timestamp() * 1000) + i)
            p.flush()
        with stack.kafka_consumer() as c:
            assert start_offsets(c, topic, hour - timedelta(hours=1)) == {0: 0}
            assert start_offsets(c, topic, hour + timedelta(hours=1)) == {0: 5}  # nothing newer
    finally:
        with stack.kafka_admin() as admin:
            admin.delete_topics([topic])


def test_a_window_past_kafka_retention_keeps_its_bronze_rows(test_db: Settings):
    """Bronze is the copy that outlives the topic: once retention has deleted a window's
    records, a backfill of that window keeps its rows instead of replacing them with
    nothing, and says so; with no rows to keep it fails and says the data is gone."""
    from dataclasses import replace

    from kafka import TopicPartition

    from grid_intel.broker.codec import Alert, encode_alert
    from grid_intel.ingestion.load import WindowExpired, load_window
    from grid_intel.ingestion.tables import BRONZE_GRID_ALERTS

    name = f"test.retention.{uuid.uuid4().hex[:8]}"
    week = replace(BRONZE_GRID_ALERTS.topic, name=name, retention=timedelta(days=7))
    bronze = replace(BRONZE_GRID_ALERTS, topic=week)
    hour = hour_ago(24 * 9 + 5)  # two days past the topic's retention
    window = Window(hour, hour + timedelta(hours=1))
    with test_db.kafka_admin() as admin:
        admin.create_topics({name: {"num_partitions": 1, "replication_factor": 1}})
    try:
        with test_db.kafka_producer() as p:
            for i in range(3):
                ts = hour + timedelta(minutes=10 * i)
                alert = Alert(ts, f"ret-{i}", "tx_a", "overheating", "critical", "hot", {"c": 1})
                p.send(name, key=b"tx_a", value=encode_alert(alert), timestamp_ms=to_ms(ts))
        with (
            test_db.kafka_consumer() as c,
            connect(test_db.warehouse) as conn,
        ):
            first = load_window(c, conn, bronze, window)
            assert first.rows == 3 and first.kept_past_retention == []
            with test_db.kafka_admin() as admin:  # what retention does
                admin.delete_records({TopicPartition(name, 0): 3})
            again = load_window(c, conn, bronze, window)
            assert again.rows == 3 and again.kept_past_retention == [0]
            assert again.metadata()["kept_past_retention"] == [0]
            table = BRONZE_GRID_ALERTS.table.qualified
            held = "select count(*) from " + table + " where ts >= %s and ts < %s"
            assert conn.execute(held, (window.start, window.end)).fetchone()[0] == 3
            conn.execute("delete from " + table + " where ts >= %s and ts < %s", (hour, window.end))
            conn.commit()
            with pytest.raises(WindowExpired, match="this data is gone"):
                load_window(c, conn, bronze, window)
    finally:
        with test_db.kafka_admin() as admin:
            admin.delete_topics([name])
