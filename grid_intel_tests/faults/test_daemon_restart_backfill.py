"""The Dagster daemon killed in the middle of a backfill and started again: the backfill
completes, every row once.

The backfill covers two hours of bronze/grid_frequency and silver/clean_frequency, two
runs in order. The daemon is SIGKILLed once the first run has started; the run lives in
a process of its own and finishes, and the new daemon picks the backfill up where the
old one left it and launches the second run.
"""

import time
import uuid
from datetime import timedelta

from grid_intel.operations.backfill import launch, plan_for_selection, wait
from grid_intel.operations.graphql import DagsterGraphQL
from grid_intel_tests.e2e.devserver import dagster_services
from grid_intel_tests.hours import hour_ago
from grid_intel_tests.integration.test_tracer import TRACED, counts, publish_hour

SELECTION = "key:bronze/grid_frequency or key:silver/clean_frequency"
RUNS = """
query($id: String!) {
  runsOrError(filter: {tags: [{key: "dagster/backfill", value: $id}]}) {
    ... on Runs { results { runId status } }
  }
}"""


def backfill_runs(client: DagsterGraphQL, backfill_id: str) -> list[dict]:
    return client.query(RUNS, {"id": backfill_id})["runsOrError"]["results"]


def test_backfill_completes_after_the_daemon_is_killed(test_db, dbt_manifest, tmp_path_factory):
    first = hour_ago(5)
    hours = [first, first + timedelta(hours=1)]
    region = f"fault-{uuid.uuid4().hex[:8]}"
    for hour in hours:
        publish_hour(test_db, hour, region)
    plan = plan_for_selection(SELECTION, hours[0], hours[-1] + timedelta(hours=1))
    assert plan.partitions == 4

    state = tmp_path_factory.mktemp("state")
    with (
        dagster_services(test_db, state) as services,
        DagsterGraphQL.local(services.settings.dagster_port) as client,
    ):
        backfill_id = launch(client, plan, "daemon restart fault test")
        deadline = time.monotonic() + 120
        while not any(r["status"] == "STARTED" for r in backfill_runs(client, backfill_id)):
            assert time.monotonic() < deadline, "no backfill run started within 120 s"
            time.sleep(1)
        services.kill_daemon()
        (running,) = backfill_runs(client, backfill_id)  # the second waits on the first

        services.start_daemon()
        outcome = wait(client, backfill_id, print, poll_seconds=2, timeout_seconds=200)
        runs = backfill_runs(client, backfill_id)

    assert outcome.succeeded, outcome
    assert outcome.counts.materialized == 4
    # The killed daemon's run finished on its own; the new daemon launched the rest.
    assert running["runId"] in {r["runId"] for r in runs}
    assert all(r["status"] == "SUCCESS" for r in runs), runs
    for hour in hours:
        assert counts(test_db, region, hour) == TRACED
