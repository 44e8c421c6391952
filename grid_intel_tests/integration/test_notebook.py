"""The notebook API and the example notebook on a real warehouse.

One cheap setup: an hour of SCADA and prices through bronze, the reference and
hourly dbt models that gold/carbon_intensity needs for that hour, the Python
asset itself, and an hour of frequency published to Kafka and loaded by its
bronze asset. Then `load_asset` is checked against SQL and the notebook runs
against the same database.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import dagster as dg
import nbformat
import pytest
from nbclient import NotebookClient

from grid_intel.grid.registry import build_registry
from grid_intel.notebook import NotMaterialized, catalog, load_asset
from grid_intel.settings import Settings, project_root
from grid_intel.simulation.archives import write_archives
from grid_intel.warehouse.connection import connect
from grid_intel_tests.conftest import fresh_warehouse
from grid_intel_tests.integration.test_dbt_models import (
    DAY,
    HOURS,
    KEYS,
    as_fahrenheit_in_point_list,
    bronze_readings,
    lmp,
    load_bronze,
    materialize,
)
from grid_intel_tests.integration.test_tracer import READINGS, closed_hour, publish_hour

NOTEBOOK = project_root() / "notebooks" / "grid_intel_tour.ipynb"
REFERENCE = [
    dg.AssetKey(["silver", name])
    for name in ("scada_points", "stations", "unit_conversions", "measurement_rules")
]
CARBON_INPUTS = [
    dg.AssetKey(["silver", "validated_readings"]),
    dg.AssetKey(["gold", "hourly_station_stats"]),
    dg.AssetKey(["gold", "generation_mix_hourly"]),
    dg.AssetKey(["gold", "interchange_hourly"]),
    dg.AssetKey(["gold", "carbon_intensity"]),
]
pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def warehouse(
    stack: Settings, dbt_manifest: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Settings, datetime, str]]:
    """A fresh warehouse with the setup above; yields it, the Kafka hour and its region."""
    from grid_intel.defs.bronze.assets import BRONZE_ASSETS
    from grid_intel.defs.carbon.assets import carbon_intensity
    from grid_intel.defs.dbt.assets import dbt_hourly_assets, dbt_reference_assets
    from grid_intel.defs.landing.assets import ARCHIVE_ASSETS

    landing = tmp_path_factory.mktemp("landing")
    write_archives(landing, 7, DAY - timedelta(days=1), DAY + timedelta(days=1), lambda _: None)
    as_fahrenheit_in_point_list(landing)  # the readings below carry one point in °F
    for fresh in fresh_warehouse(stack, "grid_intel_notebook"):
        settings = fresh.model_copy(update={"landing_dir": landing})
        materialize([ARCHIVE_ASSETS["asset_registry"]], settings)
        materialize([dbt_reference_assets], settings, selection=REFERENCE)
        load_bronze(settings, bronze_readings(build_registry()), lmp(landing))
        materialize(
            [*dbt_hourly_assets, carbon_intensity],
            settings,
            selection=CARBON_INPUTS,
            partition_key=KEYS[0],
        )
        hour, region = closed_hour(7), f"test-{uuid.uuid4().hex[:8]}"
        publish_hour(settings, hour, region)
        materialize(
            [BRONZE_ASSETS["grid.frequency"]], settings, partition_key=f"{hour:%Y-%m-%d-%H:%M}"
        )
        yield settings, hour, region


def count(settings: Settings, sql: str, *params: object) -> int:
    with connect(settings.warehouse) as conn:
        return conn.execute(sql, params).fetchone()[0]


def test_a_bronze_partition_loaded_from_kafka_equals_its_rows_in_sql(warehouse):
    settings, start, region = warehouse
    partition = f"{start:%Y-%m-%d-%H:%M}"
    frame = load_asset("bronze/grid_frequency", partition, url=settings.warehouse)
    in_sql = count(
        settings,
        "select count(*) from bronze.grid_frequency where ts >= %s and ts < %s",
        start,
        start + timedelta(hours=1),
    )
    assert frame.height == in_sql > 0
    # Every message of the region once, the producer's duplicate included.
    assert frame.filter(frame["region"] == region).height == READINGS + 1
    assert frame["ts"].min() >= start and frame["ts"].max() < start + timedelta(hours=1)
    few = load_asset(
        ["bronze", "grid_frequency"],
        partition,
        columns=["ts", "region"],
        limit=5,
        url=settings.warehouse,
    )
    assert few.columns == ["ts", "region"] and few.height == 5


def test_partitions_split_a_table_exactly(warehouse):
    settings, _, _ = warehouse
    hours = [
        load_asset("bronze/sensor_readings", k, columns=["ts"], url=settings.warehouse)
        for k in KEYS
    ]
    whole = load_asset("bronze/sensor_readings", columns=["ts"], url=settings.warehouse)
    assert all(h.height > 0 for h in hours)
    assert sum(h.height for h in hours) == whole.height  # only these two hours are loaded
    for frame, start in zip(hours, HOURS, strict=True):
        assert frame["ts"].min() >= start and frame["ts"].max() < start + timedelta(hours=1)


def test_a_dbt_model_and_a_python_gold_asset_load_with_their_columns(warehouse):
    settings, _, _ = warehouse
    mix = load_asset("gold/generation_mix_hourly", KEYS[0], url=settings.warehouse)
    assert {"hour", "fuel", "generation_mw"} <= set(mix.columns)
    assert mix.height > 0 and set(mix["hour"]) == {HOURS[0]}
    assert "hydro" in set(mix["fuel"])
    stations = load_asset("silver/stations", url=settings.warehouse)  # dbt reference table
    assert {"station", "fuel", "capacity_mw"} <= set(stations.columns) and stations.height > 0

    carbon = load_asset(dg.AssetKey(["gold", "carbon_intensity"]), KEYS[0], url=settings.warehouse)
    from grid_intel.defs.carbon.assets import INTENSITY

    assert carbon.columns == INTENSITY.names
    assert carbon.height == 1 and carbon["hour"][0] == HOURS[0]
    assert carbon["consumption_g_kwh"][0] > 0
    # The next hour was never built: a partition without rows is an empty frame.
    assert load_asset("gold/carbon_intensity", KEYS[1], url=settings.warehouse).is_empty()


def test_a_table_never_materialized_says_to_materialize_it(warehouse):
    settings, _, _ = warehouse
    with pytest.raises(NotMaterialized, match=r"not materialized.*--select gold/demand_hourly"):
        load_asset("gold/demand_hourly", KEYS[0], url=settings.warehouse)
    with pytest.raises(ValueError, match="has no column"):
        load_asset("gold/carbon_intensity", columns=["nope"], url=settings.warehouse)


def test_the_example_notebook_runs_against_the_warehouse(warehouse):
    settings, _, _ = warehouse
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs for c in code), "commit the notebook with outputs cleared"
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=180,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute(env={**os.environ, "GRID_INTEL_WAREHOUSE_URL": settings.warehouse})

    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    printed = "".join(
        o.text for c in code for o in c.outputs if o.output_type == "stream" and o.name == "stdout"
    )
    assert f"{len(catalog())} assets:" in printed
    assert f"partition {KEYS[0]}" in printed
    rows = re.search(rf"bronze/market_prices {KEYS[0]}: (\d+) rows", printed)
    assert rows and int(rows.group(1)) > 0, printed
    assert f"consumption intensity {KEYS[0]}:" in printed
    shown = [c for c in code if any(o.output_type == "execute_result" for o in c.outputs)]
    assert len(shown) == 4  # the asset list and three frames, rendered
    listing = next(o for o in code[0].outputs if o.output_type == "execute_result")
    assert f"shape: ({len(catalog())}, 5)" in listing.data["text/plain"]
