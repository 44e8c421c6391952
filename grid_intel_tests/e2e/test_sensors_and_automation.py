"""Nobody clicks: the topic sensors load new hours into bronze, the automation follows
with silver and gold, and the landing sensor loads dropped archives. The data arrived
when the tier's deployment came up (see conftest); these tests run after the quick
ones, so most of that work is done by the time they look."""

from __future__ import annotations

from datetime import timedelta

from grid_intel.warehouse.connection import connect
from grid_intel_tests.e2e.conftest import Deployment
from grid_intel_tests.e2e.dagster_api import (
    MATERIALIZATIONS,
    RUN_TAGS,
    SENSOR_TICKS,
    gql,
    wait_until_materialized,
)
from grid_intel_tests.integration.test_tracer import TRACED, counts


def test_the_landing_sensor_loads_dropped_archives(deployment: Deployment):
    settings, day = deployment.settings, deployment.archive_day
    key = f"{day:%Y-%m-%d}"
    wanted = [(["bronze", "outages"], key), (["bronze", "miso_lmp"], key)]
    wanted += [(["bronze", "asset_registry"], None)]
    runs = wait_until_materialized(settings, wanted, 270)
    assert all(runs.values()), {k: bool(v) for k, v in runs.items()}
    tags = runs["bronze/outages"][0]
    assert tags["grid_intel/trigger"] == "landing-file"
    assert tags["dagster/sensor_name"] == "landing_archives_sensor"
    ticks = gql(settings, SENSOR_TICKS, {"name": "landing_archives_sensor"})
    assert ticks["sensorOrError"]["sensorState"]["status"] == "RUNNING"
    with connect(settings.warehouse) as conn:
        (n,) = conn.execute(
            "select count(*) from bronze.miso_lmp"
            " where interval_start >= %s and interval_start < %s",
            (day, day + timedelta(days=1)),
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
    deployment: Deployment,
):
    """A closed hour of the simulated grid at one scan cycle in five minutes: the chain's
    code path at 1/75 of the readings (`grid-intel demo` runs full-rate hours through
    every layer)."""
    settings, hour = deployment.settings, deployment.scada_hour
    chain = [
        ["bronze", "sensor_readings"],
        ["silver", "validated_readings"],
        ["gold", "hourly_station_stats"],
        ["gold", "demand_hourly"],
        ["gold", "interchange_hourly"],
    ]
    key = hour.strftime("%Y-%m-%d-%H:%M")
    runs = wait_until_materialized(settings, [(path, key) for path in chain], 270)
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


def test_sensors_fill_bronze_and_silver_without_anyone_clicking(deployment: Deployment):
    """The frequency hour published when the deployment came up: its topic sensor loads
    bronze, the automation follows with silver, every reading once."""
    settings, hour = deployment.settings, deployment.frequency_hour
    sensor = "grid_frequency_kafka_sensor"
    key = hour.strftime("%Y-%m-%d-%H:%M")
    wanted = [(["bronze", "grid_frequency"], key), (["silver", "clean_frequency"], key)]
    runs = wait_until_materialized(settings, wanted, 270)
    bronze, silver = runs["bronze/grid_frequency"], runs["silver/clean_frequency"]
    assert any(t.get("dagster/sensor_name") == sensor for t in bronze), bronze
    assert any(t.get("dagster/sensor_name") == "layers_follow_upstream" for t in silver), silver
    assert counts(settings, deployment.frequency_region, hour) == TRACED
