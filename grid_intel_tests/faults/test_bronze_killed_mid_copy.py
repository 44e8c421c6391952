"""A bronze run SIGKILLed during its COPY leaves no partial hour; a re-run lands it exactly.

The run is a separate process doing what a Dagster run does (materialize the hour);
it is killed once pg_stat_activity shows its COPY under way. The window's delete and
COPY share one transaction, so the server rolls them back and the hour holds exactly
what it held before (nothing); the re-run then gives every published point once.
Runs on the private stack only to keep its 20 minutes of scans off the shared topic.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

from grid_intel.settings import Settings
from grid_intel.simulation.feeds import Feeds
from grid_intel.warehouse.connection import connect
from grid_intel_tests.faults.test_kafka_restart_bronze import counts, materialize
from grid_intel_tests.hours import hour_ago
from grid_intel_tests.integration.test_bronze import (
    assert_same_rows,
    expected_rows,
    reading_rows,
    scans,
    send,
)

RUN = """
import sys
import dagster as dg
from grid_intel.defs.bronze.assets import BRONZE_ASSETS
from grid_intel.defs.resources import build_resources
from grid_intel.settings import get_settings
result = dg.materialize(
    [BRONZE_ASSETS["sensor.readings"]],
    partition_key=sys.argv[1],
    resources=build_resources(get_settings()),
)
"""


def copies(settings: Settings) -> list[int]:
    """Backend pids running a COPY in the warehouse (other than this connection)."""
    with connect(settings.warehouse) as conn:
        return [
            r[0]
            for r in conn.execute(
                "select pid from pg_stat_activity where query ilike 'copy %%'"
                " and state <> 'idle' and pid <> pg_backend_pid()"
            )
        ]


def test_run_killed_mid_copy_leaves_the_hour_untouched_and_rerun_is_exact(
    private_stack: Settings,
):
    settings = private_stack
    hour = hour_ago(4)
    key = hour.strftime("%Y-%m-%d-%H:%M")
    messages = scans(list(Feeds(seed=14).messages(hour, hour + timedelta(minutes=20))))
    with settings.kafka_producer(bulk=True) as p:
        want = expected_rows(send(p, messages))

    env = os.environ | settings.kafka_env() | {"GRID_INTEL_WAREHOUSE_URL": settings.warehouse}
    run = subprocess.Popen(
        [sys.executable, "-c", RUN, key],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while not copies(settings):
            assert run.poll() is None, run.stdout.read().decode()[-3000:]
            assert time.monotonic() < deadline, "no COPY from the bronze run within 90s"
            time.sleep(0.02)
        time.sleep(0.5)  # well into the COPY: many rows sent, none committed
        assert run.poll() is None, "the run finished before it could be killed"
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == -signal.SIGKILL

    deadline = time.monotonic() + 30
    while copies(settings):  # the server notices the dead client and rolls back
        assert time.monotonic() < deadline, "the killed run's COPY is still running"
        time.sleep(0.1)
    assert counts(settings, hour) == (0, 0)

    again = materialize(settings, key)
    assert again.success
    assert_same_rows(reading_rows(settings, hour), want)
    assert counts(settings, hour) == (len(want), len(want))
