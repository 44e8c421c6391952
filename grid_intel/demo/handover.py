"""From the demo's backfill to the sensors: each topic sensor continues where the history
ends, so it requests the hours the live simulator streams and none the backfill loaded.

A topic sensor without a cursor looks back `sensor_lookback_hours` (24) and would
request those hours again: a re-load of bronze and everything downstream, right after
the demo says it is ready.
"""

from __future__ import annotations

from datetime import datetime

from grid_intel.broker import client as kafka
from grid_intel.broker.cursor import TopicCursor
from grid_intel.defs.bronze.sensors import sensor_name
from grid_intel.ingestion.tables import BRONZE_TOPICS
from grid_intel.operations.automation import Instigator, set_cursor
from grid_intel.operations.graphql import DagsterGraphQL
from grid_intel.settings import Settings


def cursors_at(settings: Settings, until: datetime) -> dict[str, TopicCursor]:
    """Per topic sensor, a cursor at the first record stamped at or after `until`."""
    out = {}
    with kafka.consumer(
        settings.kafka_bootstrap,
        timeout_s=settings.connect_timeout_s,
        security=settings.kafka_security,
    ) as c:
        for bronze in BRONZE_TOPICS:
            offsets = kafka.start_offsets(c, bronze.topic.name, until)
            out[sensor_name(bronze)] = TopicCursor(next_offsets=offsets)
    return out


def set_cursors(
    client: DagsterGraphQL, sensors: list[Instigator], cursors: dict[str, TopicCursor]
) -> list[str]:
    """Set the cursors of the (stopped) topic sensors; the names of those set."""
    done = []
    for sensor in sensors:
        if sensor.kind == "sensor" and sensor.name in cursors:
            set_cursor(client, sensor, cursors[sensor.name].to_json())
            done.append(sensor.name)
    return done
