"""Sensors and schedules paused around a big backfill, through the webserver.

A historical backfill over days the sensors have not seen competes with them for the
run queue's two slots: the landing sensor reloads archives the backfill loads too,
the schedules fire for days the backfill has not built yet. Pausing stops only what
was running and resumes exactly that, even when the backfill fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from grid_intel.operations.graphql import DagsterApiError, DagsterGraphQL

INSTIGATORS = """
{
  repositoriesOrError {
    __typename
    ... on RepositoryConnection {
      nodes {
        name
        location { name }
        sensors { id name sensorState { status } }
        schedules { id name scheduleState { status } }
      }
    }
    ... on PythonError { message }
  }
}"""

STOP = {
    "sensor": "mutation($id: String!) { stopSensor(id: $id) { __typename ...E } }",
    "schedule": "mutation($id: String!) { stopRunningSchedule(id: $id) { __typename ...E } }",
}
START = {
    "sensor": "mutation($s: SensorSelector!) { startSensor(sensorSelector: $s) "
    "{ __typename ...E } }",
    "schedule": "mutation($s: ScheduleSelector!) { startSchedule(scheduleSelector: $s) "
    "{ __typename ...E } }",
}
SET_CURSOR = (
    "mutation($s: SensorSelector!, $c: String) { setSensorCursor(sensorSelector: $s, "
    "cursor: $c) { __typename ...E } }"
)
ERROR = "fragment E on Error { message }"


@dataclass(frozen=True)
class Instigator:
    kind: str  # "sensor" or "schedule"
    name: str
    id: str
    location: str
    repository: str

    def selector(self) -> dict[str, str]:
        return {
            "repositoryLocationName": self.location,
            "repositoryName": self.repository,
            f"{self.kind}Name": self.name,
        }


def running(client: DagsterGraphQL) -> list[Instigator]:
    """Every sensor and schedule whose state is RUNNING, in every code location."""
    repos = client.query(INSTIGATORS)["repositoriesOrError"]
    if repos["__typename"] != "RepositoryConnection":
        raise DagsterApiError(f"cannot list sensors and schedules: {repos.get('message')}")
    out = []
    for repo in repos["nodes"]:
        where = (repo["location"]["name"], repo["name"])
        for kind, state in (("sensor", "sensorState"), ("schedule", "scheduleState")):
            out += [
                Instigator(kind, i["name"], i["id"], *where)
                for i in repo[f"{kind}s"]
                if i[state]["status"] == "RUNNING"
            ]
    return out


def _mutate(client: DagsterGraphQL, text: str, variables: dict, what: str) -> None:
    (result,) = client.query(f"{text} {ERROR}", variables).values()
    if "Error" in result["__typename"]:
        raise DagsterApiError(f"{what}: {result.get('message', result['__typename'])}")


@contextmanager
def paused(client: DagsterGraphQL, progress: Callable[[str], None]) -> Iterator[list[Instigator]]:
    """Stop the running sensors and schedules; start the same ones again on the way out."""
    stopped: list[Instigator] = []
    try:
        for i in running(client):
            _mutate(client, STOP[i.kind], {"id": i.id}, f"stopping {i.kind} {i.name}")
            stopped.append(i)
        if stopped:
            progress(f"paused {len(stopped)}: {', '.join(i.name for i in stopped)}")
        yield stopped
    finally:
        for i in stopped:
            _mutate(client, START[i.kind], {"s": i.selector()}, f"starting {i.kind} {i.name}")
        if stopped:
            progress(f"resumed {len(stopped)} sensors and schedules")


def set_cursor(client: DagsterGraphQL, sensor: Instigator, cursor: str) -> None:
    """Where a sensor continues from (what the UI's "Set cursor" does)."""
    _mutate(client, SET_CURSOR, {"s": sensor.selector(), "c": cursor}, f"cursor of {sensor.name}")
