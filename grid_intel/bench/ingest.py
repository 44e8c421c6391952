"""`bench ingest`: readings/s from Kafka into bronze through the asset's code path.

Each scale publishes simulated SCADA scans to a topic of its own, then per hourly
window times, in one process on one database: the Kafka read and decode alone;
a raw binary COPY of the already decoded rows into the empty table (the
baseline); and `load_window` — what the bronze asset runs — on the empty table.
The ratio is the asset's rate over the raw COPY's.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from grid_intel.bench.database import scratch_database
from grid_intel.bench.report import START
from grid_intel.broker.client import read_ranges, window_ranges
from grid_intel.broker.windows import Window
from grid_intel.ingestion.load import load_window
from grid_intel.ingestion.split import Split
from grid_intel.ingestion.tables import BRONZE_SENSOR_READINGS, BronzeTopic
from grid_intel.settings import Settings
from grid_intel.simulation.feeds import Feeds
from grid_intel.warehouse.connection import connect
from grid_intel.warehouse.writer import replace_window

Progress = Callable[[str], None]
# The bench replays a fixed winter day: without these the broker would roll and
# delete its segments at once, their event times being older than the retention.
KEEP_OLD_EVENTS = {"retention.ms": "-1", "segment.ms": str(10 * 365 * 86_400_000)}


def _windows(minutes: float) -> list[Window]:
    out, t = [], START
    end = START + timedelta(minutes=minutes)
    while t < end:
        out.append(Window(t, t + timedelta(hours=1)))
        t += timedelta(hours=1)
    return out


def _publish(settings: Settings, topic: str, scale: int, minutes: float) -> tuple[int, int]:
    feeds = Feeds(seed=1, scale=scale)
    messages = readings = 0
    with settings.kafka_producer(bulk=True) as p:
        for m in feeds.messages(START, START + timedelta(minutes=minutes)):
            if m.topic == "sensor.readings":
                p.send(topic, key=m.key, value=m.value, timestamp_ms=m.timestamp_ms)
                messages += 1
                readings += m.readings
    return messages, readings


def _run_scale(
    settings: Settings, db_url: str, scale: int, minutes: float, progress: Progress
) -> dict[str, object]:
    topic = f"bench.sensor.readings.{uuid.uuid4().hex[:8]}"
    bronze: BronzeTopic = replace(
        BRONZE_SENSOR_READINGS, topic=replace(BRONZE_SENSOR_READINGS.topic, name=topic)
    )
    with settings.kafka_admin() as admin:
        admin.create_topics(
            {
                topic: {
                    "num_partitions": bronze.topic.partitions,
                    "replication_factor": 1,
                    "configs": KEEP_OLD_EVENTS,
                }
            },
            wait_for_metadata=True,
        )
    try:
        progress(f"scale {scale}: publishing {minutes:g} simulated minutes to {topic}")
        messages, readings = _publish(settings, topic, scale, minutes)
        decode_s = copy_s = ingest_s = 0.0
        loaded = 0
        with (
            settings.kafka_consumer() as c,
            connect(db_url) as conn,
        ):
            for window in _windows(minutes):
                t0 = time.perf_counter()
                split = Split()
                rows = list(
                    split.window_rows(
                        read_ranges(c, topic, window_ranges(c, topic, window)), window, bronze
                    )
                )
                decode_s += time.perf_counter() - t0

                t0 = time.perf_counter()
                with conn.transaction():
                    replace_window(conn, bronze.table, rows, window.start, window.end)
                copy_s += time.perf_counter() - t0
                del rows
                conn.execute("truncate bronze.sensor_readings")
                conn.commit()

                report = load_window(c, conn, bronze, window)
                ingest_s += report.seconds
                loaded += report.rows
                progress(
                    f"scale {scale}: window {window.start:%H:%M} {report.rows:,} readings "
                    f"at {report.rows_per_s:,.0f}/s"
                )
                conn.execute("truncate bronze.sensor_readings")
                conn.commit()
        if loaded != readings:
            raise RuntimeError(f"bench loaded {loaded} readings of the {readings} published")
    finally:
        with settings.kafka_admin() as admin:
            admin.delete_topics([topic])
    raw, ingest = readings / copy_s, readings / ingest_s
    return {
        "scale": scale,
        "readings": readings,
        "messages": messages,
        "raw_copy_readings_per_s": round(raw),
        "ingest_readings_per_s": round(ingest),
        "ratio_vs_raw_copy": round(ingest / raw, 3),
        "decode_only_readings_per_s": round(readings / decode_s),
        "ingest_seconds": round(ingest_s, 2),
    }


def bench_ingest(
    settings: Settings, minutes: float, scales: list[int], progress: Progress
) -> dict[str, object]:
    """Readings/s into bronze beside a raw binary COPY of the same rows, per scale."""
    report: dict[str, object] = {
        "benchmark": "ingest",
        "simulated_minutes": minutes,
        "goals": {"ingest_readings_per_s": 150_000, "ratio_vs_raw_copy": 0.5},
        "runs": [],
    }
    with scratch_database(settings.warehouse) as db_url:
        for scale in scales:
            run = _run_scale(settings, db_url, scale, minutes, progress)
            report["runs"].append(run)  # type: ignore[union-attr]
            progress(
                f"scale {scale}: {run['ingest_readings_per_s']:,} readings/s into bronze, "
                f"{run['ratio_vs_raw_copy']:.2f}x a raw binary COPY "
                f"({run['raw_copy_readings_per_s']:,}/s)"
            )
    return report
