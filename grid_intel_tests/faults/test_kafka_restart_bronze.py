"""Kafka broker restarted while a bronze load reads it: the hour still lands exactly.

The load streams Kafka records into one COPY, so a COPY in pg_stat_activity means
the read is under way; the private broker is stopped right then and started again.
The load resumes (kafka-python reconnects within the read's no-progress timeout) or
fails and is retried by the asset's retry policy; a re-run replaces the hour with
the same rows: every published message's points once, nothing duplicated.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import dagster as dg

from grid_intel.defs.bronze.assets import BRONZE_ASSETS
from grid_intel.defs.resources import build_resources
from grid_intel.settings import Settings
from grid_intel.simulation.feeds import Feeds
from grid_intel.warehouse.connection import connect
from grid_intel_tests.faults.conftest import start_kafka, stop_kafka
from grid_intel_tests.hours import hour_ago
from grid_intel_tests.integration.test_bronze import (
    assert_same_rows,
    expected_rows,
    reading_rows,
    scans,
    send,
)

TOPIC = "sensor.readings"


def materialize(settings: Settings, key: str) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [BRONZE_ASSETS[TOPIC]],
        partition_key=key,
        resources=build_resources(settings),
        raise_on_error=False,
    )


def copy_running(settings: Settings) -> bool:
    with connect(settings.warehouse) as conn:
        row = conn.execute(
            "select count(*) from pg_stat_activity where state = 'active'"
            " and query ilike 'copy %%' and pid <> pg_backend_pid()"
        ).fetchone()
    return row[0] > 0


class Load:
    """A bronze load of one hour in a thread; `outcome` gets its result or exception."""

    def __init__(self, settings: Settings, key: str) -> None:
        self.outcome: list[dg.ExecuteInProcessResult | BaseException] = []
        self.began = time.monotonic()
        self.thread = threading.Thread(target=self._run, args=(settings, key), daemon=True)
        self.thread.start()

    def _run(self, settings: Settings, key: str) -> None:
        try:
            self.outcome.append(materialize(settings, key))
        except BaseException as exc:  # reported by the test thread
            self.outcome.append(exc)

    def wait_for_copy(self, settings: Settings, timeout_s: float = 60) -> None:
        """Block until the load's COPY is running on the server (the fault's moment)."""
        deadline = time.monotonic() + timeout_s
        while not copy_running(settings):
            assert self.thread.is_alive(), (
                f"the load ended before its COPY was seen: {self.outcome}"
            )
            assert time.monotonic() < deadline, f"no COPY from the bronze load within {timeout_s}s"
            time.sleep(0.02)

    def result(self, timeout_s: float = 100) -> dg.ExecuteInProcessResult:
        self.thread.join(timeout=timeout_s)
        assert not self.thread.is_alive(), "the bronze load hung after the fault cleared"
        (first,) = self.outcome
        assert not isinstance(first, BaseException), repr(first)
        return first


def counts(settings: Settings, hour) -> tuple[int, int]:
    """(rows, distinct (partition, offset, point)) of the hour in bronze."""
    with connect(settings.warehouse) as conn:
        return conn.execute(
            "select count(*), count(distinct (kafka_partition, kafka_offset, point_id))"
            " from bronze.sensor_readings where ts >= %s and ts < %s",
            (hour, hour + timedelta(hours=1)),
        ).fetchone()


def test_broker_restarted_mid_load_then_rerun_gives_exact_rows(private_stack: Settings):
    settings = private_stack
    hour = hour_ago(3)
    key = hour.strftime("%Y-%m-%d-%H:%M")
    messages = scans(list(Feeds(seed=13).messages(hour, hour + timedelta(minutes=35))))
    with settings.kafka_producer(bulk=True) as p:
        sent = send(p, messages)
    want = expected_rows(sent)

    load = Load(settings, key)
    load.wait_for_copy(settings)
    stopping = time.monotonic()
    stop_kafka(settings)
    mid_load = load.thread.is_alive()
    took = time.monotonic() - stopping
    print(f"COPY seen after {stopping - load.began:.1f}s, broker stopped in {took:.1f}s")
    start_kafka(settings)
    first = load.result()
    assert mid_load, "the load finished before the broker stopped: publish more messages"
    print(f"first load: success={first.success} in {time.monotonic() - load.began:.1f}s")
    if first.success:
        assert counts(settings, hour) == (len(want), len(want))
    else:  # a failure must say what broke, and leave the hour as it was (empty)
        assert counts(settings, hour) == (0, 0)

    again = materialize(settings, key)
    assert again.success
    assert_same_rows(reading_rows(settings, hour), want)
    assert counts(settings, hour) == (len(want), len(want))
