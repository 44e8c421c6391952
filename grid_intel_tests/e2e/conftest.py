"""One `dagster dev` for the whole e2e tier, on the PostgreSQL lane (the TimescaleDB lane
keeps its own integration tests), as a user's deployment would be: data arrives once
it is up, and the sensors and automation work on it in the background while the tier's
other tests look at the UI. Each test then waits only for its own part of that work.

What arrives: a frequency hour for the sensor test, a SCADA hour (at one scan cycle in
five minutes) for the gold chain, and two days of landing archives (with the registry
the SCADA hour is validated against). Starting `dagster dev` costs about a minute of
the two cores; it is stopped when the tier's last test is done."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from grid_intel.broker.topics import SENSOR_READINGS
from grid_intel.settings import Settings
from grid_intel.simulation.archives import write_archives
from grid_intel.simulation.feeds import Feeds
from grid_intel.simulation.producer import PublishStats, publish
from grid_intel_tests.e2e.dagster_api import wait_for_first_tick
from grid_intel_tests.e2e.devserver import dagster_dev
from grid_intel_tests.hours import SESSION_HOUR, hour_ago
from grid_intel_tests.integration.test_tracer import publish_hour

READINGS = SENSOR_READINGS.name
SCAN_SECONDS = 300  # one SCADA scan cycle every 5 minutes: 12 per point in the hour


@dataclass(frozen=True)
class Deployment:
    settings: Settings
    frequency_hour: datetime  # one region's tracer readings on grid.frequency
    frequency_region: str
    scada_hour: datetime  # the simulated grid on sensor.readings, all seven regions
    archive_day: datetime  # outages, MISO prices, weather and the registry, as files


@pytest.fixture(scope="package")
def deployment(test_db: Settings, dbt_manifest, tmp_path_factory) -> Iterator[Deployment]:
    state = tmp_path_factory.mktemp("state")
    with dagster_dev(test_db, state, landing_dir=state / "drop") as settings:
        deployment = Deployment(
            settings,
            frequency_hour=hour_ago(2),
            frequency_region=f"e2e-sensor-{uuid.uuid4().hex[:8]}",
            scada_hour=hour_ago(3),
            archive_day=SESSION_HOUR.replace(hour=0) - timedelta(days=1),
        )
        scada, day = deployment.scada_hour, deployment.archive_day
        landing = settings.resolved_landing_dir
        # Files first: the registry (the point list silver validates the SCADA hour
        # against) gets a head start on the scans.
        write_archives(landing, 3, scada, scada + timedelta(hours=1), print)
        write_archives(landing, 3, day - timedelta(days=1), day + timedelta(hours=1), print)
        # The topic sensors start at the topics' ends on their first tick: publish after.
        wait_for_first_tick(settings, "grid_frequency_kafka_sensor")
        wait_for_first_tick(settings, "sensor_readings_kafka_sensor")
        publish_hour(settings, deployment.frequency_hour, deployment.frequency_region)
        # The SCADA scans alone: the chain under test (the hour's prices and frequency
        # would only queue more runs ahead of it).
        feeds = Feeds(3, scan_seconds=SCAN_SECONDS)
        hour = feeds.messages(scada, scada + timedelta(hours=1))
        scans = [m for m in hour if m.topic == READINGS]
        with settings.kafka_producer(bulk=True) as p:
            stats = PublishStats()
            publish(p, scans, stats)
            p.flush()
        print(f"e2e: the SCADA hour {scada:%Y-%m-%d %H:00} published: {stats.line()}")
        yield deployment
