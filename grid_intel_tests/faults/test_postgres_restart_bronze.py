"""PostgreSQL restarted under a bronze run: the asset's retry policy completes the hour.

While the run's COPY is under way the private server is stopped (`pg_ctl -m fast`,
which cuts every session and rolls back its transaction) and started again. The
attempt fails on its broken connection; the bronze asset's RetryPolicy re-executes
the step in the same run (after 10 s), which replaces the window from Kafka again:
the run succeeds and the hour holds every published point exactly once.
"""

from __future__ import annotations

from datetime import timedelta

from grid_intel.settings import Settings
from grid_intel.simulation.feeds import Feeds
from grid_intel_tests.faults.conftest import restart_postgres
from grid_intel_tests.faults.test_kafka_restart_bronze import Load, counts
from grid_intel_tests.hours import hour_ago
from grid_intel_tests.integration.test_bronze import (
    assert_same_rows,
    expected_rows,
    reading_rows,
    scans,
    send,
)


def test_postgres_restarted_mid_copy_is_retried_to_exact_rows(private_stack: Settings):
    settings = private_stack
    hour = hour_ago(5)
    key = hour.strftime("%Y-%m-%d-%H:%M")
    messages = scans(list(Feeds(seed=15).messages(hour, hour + timedelta(minutes=20))))
    with settings.kafka_producer(bulk=True) as p:
        want = expected_rows(send(p, messages))

    load = Load(settings, key)
    load.wait_for_copy(settings)
    restart_postgres(settings)
    result = load.result()
    retried = [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    assert retried, "the restart did not fail the first attempt: publish more messages"
    assert result.success
    assert_same_rows(reading_rows(settings, hour), want)
    assert counts(settings, hour) == (len(want), len(want))
