"""The code location loads without services and shows the intended lineage."""

import dagster as dg

from grid_intel.defs.resources import WarehouseResource


def test_lineage_bronze_to_silver_with_dbt_checks(dbt_manifest):
    from grid_intel.definitions import defs

    graph = defs.resolve_asset_graph()
    bronze, silver = (
        dg.AssetKey(["bronze", "grid_frequency"]),
        dg.AssetKey(["silver", "clean_frequency"]),
    )
    assert {bronze, silver} <= set(graph.get_all_asset_keys())
    assert graph.get(silver).parent_keys == {bronze}
    checks = {k.name for k in graph.asset_check_keys if k.asset_key == silver}
    assert "unique_combination_clean_frequency_region__ts" in checks
    assert graph.get(silver).partitions_def == graph.get(bronze).partitions_def


def test_every_asset_is_partitioned_and_grouped_by_layer(dbt_manifest):
    from grid_intel.definitions import defs

    graph = defs.resolve_asset_graph()
    # Reference tables without time, replaced whole: the registry and GIS, and the
    # dbt models and seeds derived from them.
    whole = {dg.AssetKey(["bronze", "asset_registry"]), dg.AssetKey(["bronze", "gis_features"])}
    whole |= {k for k in graph.get_all_asset_keys() if "reference" in graph.get(k).tags}
    # The detectors' evaluation and the signals' backtest on a simulated span: the span
    # is config, not a window.
    whole.add(dg.AssetKey(["gold", "anomaly_evaluation_simulated"]))
    whole.add(dg.AssetKey(["gold", "price_signal_backtest"]))
    assert dg.AssetKey(["silver", "scada_points"]) in whole
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if node.is_materializable:
            assert (node.partitions_def is None) == (key in whole), key
            assert node.group_name == key.path[0], key


def test_dbt_env_comes_from_the_warehouse_url():
    env = WarehouseResource(url="postgresql://u:pw@h:6000/wh?sslmode=disable").dbt_env()
    assert env == {
        "GRID_INTEL_DBT_HOST": "h",
        "GRID_INTEL_DBT_PORT": "6000",
        "GRID_INTEL_DBT_USER": "u",
        "GRID_INTEL_DBT_PASSWORD": "pw",
        "GRID_INTEL_DBT_DBNAME": "wh",
        "GRID_INTEL_DBT_SSLMODE": "disable",
    }
