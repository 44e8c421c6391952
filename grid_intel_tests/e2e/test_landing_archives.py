"""`dagster dev` loads archives dropped in the landing folder, and a new SCADA hour
flows bronze → silver → gold, with nobody clicking."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from grid_intel.kafka.client import producer
from grid_intel.settings import Settings
from grid_intel.simulation.archives import write_archives
from grid_intel.simulation.feeds import Feeds
from grid_intel.simulation.producer import history
from grid_intel.warehouse.connection import connect
from grid_intel_tests.e2e.test_dagster_dev import (
    MATERIALIZATIONS,
    RUN_TAGS,
    SENSOR_TICKS,
    gql,
    materialized_by,
    wait_for_first_tick,
)

SCAN_SECONDS = 300  # one SCADA scan cycle every 5 minutes: 12 per point in the hour


def test_the_landing_sensor_loads_dropped_archives(deployment: Settings):
    settings = deployment
    yesterday = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(
        days=1
    )
    write_archives(
        settings.resolved_landing_dir,
        3,
        yesterday - timedelta(days=1),
        yesterday + timedelta(hours=1),
        print,
    )
    key = f"{yesterday:%Y-%m-%d}"
    deadline = time.monotonic() + 540
    done: dict[str, bool] = {}
    while time.monotonic() < deadline:
        done = {
            "outages": bool(materialized_by(settings, ["bronze", "outages"], key)),
            "miso_lmp": bool(materialized_by(settings, ["bronze", "miso_lmp"], key)),
            "asset_registry": bool(
                gql(settings, MATERIALIZATIONS, {"key": {"path": ["bronze", "asset_registry"]}})[
                    "assetNodeOrError"
                ]["assetMaterializations"]
            ),
        }
        if all(done.values()):
            break
        time.sleep(5)
    assert all(done.values()), done
    (tags,) = materialized_by(settings, ["bronze", "outages"], key)[:1]
    assert tags["grid_intel/trigger"] == "landing-file"
    assert tags["dagster/sensor_name"] == "landing_archives_sensor"
    ticks = gql(settings, SENSOR_TICKS, {"name": "landing_archives_sensor"})
    assert ticks["sensorOrError"]["sensorState"]["status"] == "RUNNING"
    with connect(settings.warehouse) as conn:
        (n,) = conn.execute(
            "select count(*) from bronze.miso_lmp"
            " where interval_start >= %s and interval_start < %s",
            (yesterday, yesterday + timedelta(days=1)),
        ).fetchone()
    assert n > 0
    # An ECCC month file touches a month of days: they load in week-long partition ranges.
    weather = gql(settings, MATERIALIZATIONS, {"key": {"path": ["bronze", "weather_hourly"]}})
    runs = {m["runId"] for m in weather["assetNodeOrError"]["assetMaterializations"]}
    ranged = [
        r
        for r in runs
        if any(
            t["key"] == "dagster/asset_partition_range_start"
            for t in gql(settings, RUN_TAGS, {"id": r})["runOrError"]["tags"]
        )
    ]
    assert ranged, runs


def test_a_new_scada_hour_flows_through_silver_and_gold_without_anyone_clicking(
    deployment: Settings,
):
    settings = deployment
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    # The registry (the point list behind silver) arrives as a landing file.
    write_archives(settings.resolved_landing_dir, 3, hour, hour + timedelta(hours=1), print)
    wait_for_first_tick(settings, "sensor_readings_kafka_sensor")
    # One scan cycle every 5 minutes: the chain's code path at 1/75 of the readings
    # (`grid-intel rehearse scada-hour` runs a full-rate hour through every layer).
    with producer(settings.kafka_bootstrap, settings.connect_timeout_s, bulk=True) as p:
        history(p, Feeds(3, scan_seconds=SCAN_SECONDS), hour, hour + timedelta(hours=1), print)

    key = hour.strftime("%Y-%m-%d-%H:%M")
    chain = [
        ["bronze", "sensor_readings"],
        ["silver", "validated_readings"],
        ["gold", "hourly_station_stats"],
        ["gold", "demand_hourly"],
        ["gold", "interchange_hourly"],
    ]
    deadline = time.monotonic() + 1800
    runs: dict[str, list[dict]] = {}
    while time.monotonic() < deadline:
        runs = {"/".join(path): materialized_by(settings, path, key) for path in chain}
        if all(runs.values()):
            break
        time.sleep(5)
    assert all(runs.values()), {k: bool(v) for k, v in runs.items()}
    assert (
        runs["bronze/sensor_readings"][0]["dagster/sensor_name"] == "sensor_readings_kafka_sensor"
    )
    for path in chain[1:]:
        assert runs["/".join(path)][0]["dagster/sensor_name"] == "layers_follow_upstream"
    with connect(settings.warehouse) as conn:
        regions, mw = conn.execute(
            "select count(*), sum(demand_mw) from gold.demand_hourly where hour = %s", (hour,)
        ).fetchone()
    assert regions == 7 and 1000 < mw < 8000
