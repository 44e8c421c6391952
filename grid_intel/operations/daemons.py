"""Whether the Dagster daemons are up, as the webserver sees them."""

from __future__ import annotations

from grid_intel.operations.graphql import DagsterGraphQL

DAEMONS = """
{ instance { daemonHealth { allDaemonStatuses { daemonType required healthy } } } }"""


def daemons_healthy(client: DagsterGraphQL) -> bool:
    """Every required daemon (the run queue, backfills, monitoring) heartbeating."""
    health = client.query(DAEMONS)["instance"]["daemonHealth"]["allDaemonStatuses"]
    return all(d["healthy"] for d in health if d["required"])
