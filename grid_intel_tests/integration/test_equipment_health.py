"""Equipment health on the real warehouse: a simulated July day with injected
overheating, fault gases, breaker chatter and a line overload goes through bronze,
the dbt layers and the health assets; the faulted assets rank at the bottom."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from grid_intel.grid.registry import build_registry
from grid_intel.ingestion.tables import BRONZE_TOPICS
from grid_intel.settings import Settings
from grid_intel.simulation.archives import write_archives
from grid_intel.simulation.faults import Fault, apply_to_values
from grid_intel.simulation.scada import ScadaSimulator
from grid_intel.warehouse.connection import connect
from grid_intel.warehouse.writer import replace_window
from grid_intel_tests.conftest import fresh_warehouse, query_frame
from grid_intel_tests.integration.test_dbt_models import materialize

DAY = datetime(2026, 7, 20, tzinfo=UTC)
SEED = 7
KINDS = ("transformer", "breaker", "line")
EVERY_NTH_SCAN = 15  # one scan a minute is plenty for daily scores and keeps the test quick
REGISTRY = build_registry(1)
BIG = sorted(t.id for t in REGISTRY.transformers if t.rating_mva >= 100)  # DGA monitored
GASSING = (BIG[3], BIG[11])
OVERHEATING = (BIG[6], sorted(t.id for t in REGISTRY.transformers if t.rating_mva < 100)[9])
CHATTERING = sorted(b.id for b in REGISTRY.breakers)[40]
OVERLOADED = sorted(ln.id for ln in REGISTRY.lines if not ln.hvdc)[30]


def faults() -> list[Fault]:
    def fault(kind: str, asset: str, start_h: int, hours: float, points: tuple[str, ...]):
        start = DAY + timedelta(hours=start_h)
        return Fault(kind, asset, start, start + timedelta(hours=hours), points, {"magnitude": 1})

    gases = ("h2_ppm", "ch4_ppm", "c2h4_ppm", "c2h6_ppm")
    heat = ("top_oil_temp_c", "hot_spot_temp_c")
    return [
        *(fault("dga_fault_gas", t, 2, 48, tuple(f"{t}.{g}" for g in gases)) for t in GASSING),
        *(
            fault("transformer_overheating", t, 13, 6, tuple(f"{t}.{m}" for m in heat))
            for t in OVERHEATING
        ),
        fault(
            "breaker_chatter",
            CHATTERING,
            9,
            0.15,
            (f"{CHATTERING}.status", f"{CHATTERING}.operation_count"),
        ),
        fault(
            "line_overload",
            OVERLOADED,
            16,
            2,
            tuple(
                f"{OVERLOADED}.{m}" for m in ("current_a", "active_power_mw", "conductor_temp_c")
            ),
        ),
    ]


def bronze_day() -> Iterator[tuple[object, ...]]:
    """The day's scans of every transformer, breaker and line point, faults applied."""
    sim = ScadaSimulator(seed=SEED)
    columns = sim.columns
    points = [p for p in REGISTRY.points if p.asset_kind in KINDS]
    cols = np.array([columns[p.id] for p in points])
    rtus = {r.id: r.substation for r in REGISTRY.rtus}
    injected = faults()
    offset = 0
    for h in range(24):
        block = sim.hour(DAY + timedelta(hours=h))
        values = apply_to_values(block["values"], block["ts"], columns, injected)
        for i in range(0, len(block["ts"]), EVERY_NTH_SCAN):
            ts = datetime.fromtimestamp(float(block["ts"][i]), UTC)
            for p, j in zip(points, cols, strict=True):
                offset += 1
                value = float(values[i, j])
                yield (
                    ts,
                    p.rtu,
                    rtus[p.rtu],
                    p.id,
                    round(value, 4),
                    None,
                    int(block["ts"][i] // 4),
                    1,
                    0,
                    offset,
                )


@pytest.fixture(scope="module")
def health_db(stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A warehouse of its own holding the day through gold (other modules' registries
    and days stay out of the fleet being ranked)."""
    landing = tmp_path_factory.mktemp("landing")
    write_archives(landing, SEED, DAY - timedelta(days=1), DAY + timedelta(days=1), lambda _: None)
    for settings in fresh_warehouse(stack, "grid_intel_health"):
        yield settings.model_copy(update={"landing_dir": landing})


def table(settings: Settings, sql: str) -> pl.DataFrame:
    return query_frame(settings, sql, {"day": DAY})


def build_day(settings: Settings) -> list[str]:
    """Registry, bronze, the dbt layers and the health assets for DAY; the worst assets."""
    from grid_intel.defs.dbt.assets import (
        dbt_daily_assets,
        dbt_hourly_assets,
        dbt_reference_assets,
    )
    from grid_intel.defs.health.assets import equipment_health, equipment_health_heatmap
    from grid_intel.defs.landing.assets import ARCHIVE_ASSETS

    key = DAY.strftime("%Y-%m-%d")
    for asset in ARCHIVE_ASSETS.values():
        materialize([asset], settings, **({"partition_key": key} if asset.partitions_def else {}))
    materialize([dbt_reference_assets], settings)
    readings = BRONZE_TOPICS[0].table
    with connect(settings.warehouse) as conn:
        replace_window(conn, readings, bronze_day(), DAY, DAY + timedelta(days=1))
    hours = {
        "dagster/asset_partition_range_start": f"{key}-00:00",
        "dagster/asset_partition_range_end": f"{key}-23:00",
    }
    materialize(list(dbt_hourly_assets), settings, tags=hours)
    materialize([dbt_daily_assets[0]], settings, partition_key=key)  # maintenance, outages
    result = materialize([equipment_health, equipment_health_heatmap], settings, partition_key=key)
    (mat,) = [
        m
        for m in result.get_asset_materialization_events()
        if m.asset_key.path[-1] == "equipment_health"
    ]
    metadata = mat.step_materialization_data.materialization.metadata
    return [w["asset"] for w in metadata["worst_assets"].value]  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def built(health_db: Settings, dbt_manifest) -> Settings:
    worst = build_day(health_db)
    assert set(GASSING) | set(OVERHEATING) <= set(worst)  # the metadata names them
    return health_db


def test_every_asset_is_scored_once_with_explained_factors(built: Settings):
    health = table(built, "select * from gold.equipment_health where day = %(day)s")
    registry_ids = (
        {t.id for t in REGISTRY.transformers}
        | {b.id for b in REGISTRY.breakers}
        | {ln.id for ln in REGISTRY.lines}
    )
    assert sorted(health["asset"].to_list()) == sorted(registry_ids)
    assert health["health_index"].is_between(0, 100).all()
    tx = health.filter(pl.col("asset_kind") == "transformer")
    assert tx["rul_years"].is_not_null().all()
    assert (tx["rul_low_years"] <= tx["rul_years"]).all()
    assert (tx["rul_years"] <= tx["rul_high_years"]).all()
    kinds = table(built, "select distinct jsonb_typeof(factors) as k from gold.equipment_health")
    assert kinds["k"].to_list() == ["object"]  # queryable with ->, not a JSON string
    factors = json.loads(tx.filter(pl.col("asset") == BIG[0])["factors"][0])
    assert {"insulation", "hot_spot", "cooling", "dga", "loading", "age"} <= set(factors)
    assert all(f["evidence"] for f in factors.values())


def test_faulted_transformers_rank_at_the_bottom_and_healthy_ones_do_not(built: Settings):
    tx = table(
        built,
        "select asset, health_index, band, worst_factor, diagnosis, failure_probability"
        " from gold.equipment_health"
        " where day = %(day)s and asset_kind = 'transformer' order by health_index, asset",
    )
    faulted = set(GASSING) | set(OVERHEATING)
    bottom = tx.head(len(faulted))
    assert set(bottom["asset"]) == faulted, bottom
    healthy = tx.filter(~pl.col("asset").is_in(list(faulted)))
    assert healthy["health_index"].min() > bottom["health_index"].max()
    assert healthy["failure_probability"].max() <= bottom["failure_probability"].min()
    for asset in GASSING:
        row = tx.filter(pl.col("asset") == asset).row(0, named=True)
        assert row["worst_factor"] == "dga", row
        # The injected fault is ethylene-led: a thermal fault above 700 °C.
        assert json.loads(row["diagnosis"])["duval_zone"] == "T3", row
    for asset in OVERHEATING:
        row = tx.filter(pl.col("asset") == asset).row(0, named=True)
        assert row["worst_factor"] in ("cooling", "hot_spot"), row


def test_chattering_breaker_and_overloaded_line_are_their_kinds_worst(built: Settings):
    for kind, asset in (("breaker", CHATTERING), ("line", OVERLOADED)):
        rows = table(
            built,
            f"select asset, worst_factor from gold.equipment_health where day = %(day)s"
            f" and asset_kind = '{kind}' order by health_index, asset limit 1",
        )
        assert rows["asset"][0] == asset, (kind, rows)


def test_heatmap_ranks_within_kind_and_rerun_gives_the_same_rows(built: Settings):
    from grid_intel.defs.health.assets import equipment_health, equipment_health_heatmap

    heat = table(built, "select * from gold.equipment_health_heatmap where day = %(day)s")
    worst_tx = (
        heat.filter(pl.col("asset_kind") == "transformer").sort("health_index").row(0, named=True)
    )
    assert worst_tx["fleet_percentile"] == 0.0
    assert heat["fleet_percentile"].is_between(0, 1).all()
    before = table(built, "select * from gold.equipment_health order by day, asset")
    materialize(
        [equipment_health, equipment_health_heatmap],
        built,
        partition_key=DAY.strftime("%Y-%m-%d"),
    )
    after = table(built, "select * from gold.equipment_health order by day, asset")
    assert before.equals(after)
