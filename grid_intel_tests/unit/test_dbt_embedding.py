"""How the dbt project is embedded: partitionings, explicit mappings, automation."""

import os

import dagster as dg
import pytest

from grid_intel.defs.dbt.translator import partitioning


def graph():
    from grid_intel.definitions import defs

    return defs.resolve_asset_graph()


@pytest.mark.parametrize(
    ("key", "partitions"),
    [
        ("silver/validated_readings", "hourly"),
        ("silver/interpolated_gaps", "hourly"),
        ("silver/clean_frequency", "hourly"),
        ("silver/market_prices", "hourly"),
        ("silver/weather_hourly", "daily"),
        ("silver/outages", "daily"),
        ("silver/maintenance", "daily"),
        ("gold/hourly_station_stats", "hourly"),
        ("gold/demand_hourly", "hourly"),
        ("gold/generation_mix_hourly", "hourly"),
        ("gold/interchange_hourly", "hourly"),
        ("gold/prices_hourly", "hourly"),
        ("gold/reliability_daily", "daily"),
        ("gold/reliability_monthly", "daily"),
        ("gold/capacity_factor_daily", "daily"),
        ("gold/peak_demand_daily", "daily"),
        ("gold/export_revenue_daily", "daily"),
        ("silver/scada_points", None),
    ],
)
def test_models_are_partitioned_like_their_layer(dbt_manifest, key, partitions):
    node = graph().get(dg.AssetKey.from_user_string(key))
    kind = {dg.HourlyPartitionsDefinition: "hourly", dg.DailyPartitionsDefinition: "daily"}
    assert (kind[type(node.partitions_def)] if node.partitions_def else None) == partitions
    assert node.group_name == key.split("/")[0]
    assert node.owners, key  # every model names an owner


def test_daily_models_map_hourly_upstreams_explicitly(dbt_manifest):
    g = graph()
    child, parent = (
        dg.AssetKey(["gold", "peak_demand_daily"]),
        dg.AssetKey(["gold", "demand_hourly"]),
    )
    mapping = g.get_partition_mapping(child, parent)
    assert isinstance(mapping, dg.TimeWindowPartitionMapping)
    upstream = mapping.get_upstream_mapped_partitions_result_for_partitions(
        g.get(child).partitions_def.subset_with_partition_keys(["2026-03-01"]),
        g.get(child).partitions_def,
        g.get(parent).partitions_def,
    ).partitions_subset
    keys = sorted(upstream.get_partition_keys())
    assert len(keys) == 24 and keys[0] == "2026-03-01-00:00" and keys[-1] == "2026-03-01-23:00"


def test_hourly_prices_map_the_daily_miso_files(dbt_manifest):
    mapping = graph().get_partition_mapping(
        dg.AssetKey(["silver", "market_prices"]), dg.AssetKey(["bronze", "miso_lmp"])
    )
    assert isinstance(mapping, dg.TimeWindowPartitionMapping)
    # Today's hours run before today's file exists (a backfill may include them).
    assert mapping.allow_nonexistent_upstream_partitions


def test_dbt_tests_are_asset_checks_on_gold(dbt_manifest):
    checks = {(k.asset_key.to_user_string(), k.name) for k in graph().asset_check_keys}
    assert ("gold/demand_hourly", "unique_combination_demand_hourly_hour__region") in checks
    assert any(a == "gold/reliability_daily" and "within_range" in n for a, n in checks)
    assert any(a == "silver/validated_readings" and "relationships" in n for a, n in checks)


def test_automation_ignores_reference_updates_and_late_miso_files(dbt_manifest):
    from grid_intel.defs.automation import FOLLOWS_UPSTREAM

    g = graph()
    for key in (["silver", "validated_readings"], ["gold", "reliability_daily"]):
        assert g.get(dg.AssetKey(key)).automation_condition == FOLLOWS_UPSTREAM
    text = str(FOLLOWS_UPSTREAM)
    assert "reference" in text and "miso_lmp" in text


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["hourly"], "hourly"),
        (["daily", "x"], "daily"),
        ([], "reference"),
        (["reference"], "reference"),
    ],
)
def test_partitioning_comes_from_the_dbt_tag(tags, expected):
    assert partitioning({"tags": tags, "config": {}}) == expected
    assert partitioning({"tags": [], "config": {"tags": tags}}) == expected  # set in config


def test_a_node_is_keyed_by_its_layer_and_a_source_by_its_bronze_table():
    from grid_intel.defs.dbt.translator import node_key

    source = {"resource_type": "source", "source_name": "bronze", "name": "sensor_readings"}
    assert node_key(source) == dg.AssetKey(["bronze", "sensor_readings"])
    gold = {"resource_type": "model", "name": "demand_hourly", "config": {"schema": "gold"}}
    assert node_key(gold) == dg.AssetKey(["gold", "demand_hourly"])
    unset = {"resource_type": "model", "name": "scada_points", "config": {"schema": None}}
    assert node_key(unset) == dg.AssetKey(["silver", "scada_points"])


def test_a_fresh_warehouse_builds_reference_models_without_anyone_clicking(dbt_manifest):
    """Seeds have no upstream to update: they must be built because they are missing."""
    from grid_intel.definitions import defs

    seed = dg.AssetKey(["silver", "unit_conversions"])
    with dg.DagsterInstance.ephemeral() as instance:
        # The first tick only starts the bookkeeping; the next one asks for what is missing.
        first = dg.evaluate_automation_conditions(defs=defs, instance=instance)
        result = dg.evaluate_automation_conditions(
            defs=defs, instance=instance, cursor=first.cursor
        )
        assert result.get_num_requested(seed) == 1
        # Partitioned models wait for their upstream: nothing asks for all of history.
        assert result.get_num_requested(dg.AssetKey(["silver", "validated_readings"])) == 0
        again = dg.evaluate_automation_conditions(
            defs=defs, instance=instance, cursor=result.cursor
        )
        assert again.get_num_requested(seed) == 0  # requested once, not on every tick


def test_runs_read_dbts_version_from_its_package_not_a_dbt_process():
    """dagster-dbt would start `dbt --version` (seconds) in every run."""
    import importlib.metadata
    import sys
    from pathlib import Path

    from packaging import version

    from grid_intel.defs.dbt.project import dbt_resource

    resource = dbt_resource()
    assert Path(resource.dbt_executable).parent == Path(sys.executable).parent
    assert resource.cli_version == version.parse(importlib.metadata.version("dbt-core"))


def test_the_window_reaches_dbt_in_the_environment_not_in_its_vars():
    """dbt re-parses the whole project when its --vars change: a window there cost every
    run a full parse."""
    from datetime import UTC, datetime

    from grid_intel.defs.dbt.assets import WINDOW_ENV, window_env

    window = dg.TimeWindow(
        datetime(2026, 3, 11, 10, tzinfo=UTC), datetime(2026, 3, 11, 12, tzinfo=UTC)
    )
    assert window_env(window) == {
        WINDOW_ENV[0]: "2026-03-11T10:00:00+00:00",
        WINDOW_ENV[1]: "2026-03-11T12:00:00+00:00",
    }
    assert window_env(None) == {}


def test_a_runs_parse_state_replaces_the_projects(tmp_path):
    from grid_intel.defs.dbt.parse_state import (
        PARSE_STATE,
        keep_parse_state,
        seed_parse_state,
    )

    run, project = tmp_path / "run", tmp_path / "target"
    assert not seed_parse_state(project, run)  # nothing to seed from: dbt parses in full
    run.mkdir()
    assert not keep_parse_state(run, project)  # a run that parsed nothing leaves it alone
    (run / PARSE_STATE).write_bytes(b"state of the run")
    assert keep_parse_state(run, project)
    assert (project / PARSE_STATE).read_bytes() == b"state of the run"
    assert [p.name for p in project.iterdir()] == [PARSE_STATE]  # no staging file left
    later_run = tmp_path / "later_run"
    assert seed_parse_state(project, later_run)  # the next run starts from it
    assert (later_run / PARSE_STATE).read_bytes() == b"state of the run"

    (run / PARSE_STATE).write_bytes(b"a later state")
    project.chmod(0o500)  # a read-only image: the run goes on, the state stays
    try:
        if os.access(project, os.W_OK):  # root writes anyway: a file where the folder goes
            project.chmod(0o700)
            blocked = tmp_path / "blocked"
            blocked.write_text("not a folder")
            assert not keep_parse_state(run, blocked / "target")
        else:
            assert not keep_parse_state(run, project)
            assert (project / PARSE_STATE).read_bytes() == b"state of the run"
    finally:
        project.chmod(0o700)


def test_no_model_or_test_reads_the_window_at_parse_time():
    """Every model, macro and test config reaches the window through window_bound, which
    reads it only while executing (macros/window.sql, the one reader of the vars), or
    through the where placeholders, never through var() when parsing."""
    from grid_intel.defs.dbt.project import DBT_PROJECT_DIR

    offenders = [
        str(p.relative_to(DBT_PROJECT_DIR))
        for folder in ("models", "macros")
        for p in (DBT_PROJECT_DIR / folder).rglob("*")
        if p.suffix in (".sql", ".yml")
        and p.name != "window.sql"
        and "var('window_" in p.read_text().replace('"', "'")
    ]
    assert offenders == []


def test_in_process_dbt_gets_the_subprocess_settings_as_flags(tmp_path):
    """dagster-dbt gives its subprocess the target and log folders and the profiles
    folder in the environment; in the run's process they must be flags dbt accepts."""
    from pathlib import Path

    from dbt.cli.main import cli

    from grid_intel.defs.dbt.in_process import dbt_args
    from grid_intel.defs.dbt.project import DBT_PROJECT_DIR

    command = ["build", "--target", "ci", "--select", "tag:hourly"]
    args = dbt_args(command, DBT_PROJECT_DIR, tmp_path, str(DBT_PROJECT_DIR))
    assert args[:2] == ["dbt", "build"]
    params = cli.commands["build"].make_context("build", args[2:]).params
    folders = ("target_path", "log_path", "profiles_dir")
    assert [Path(params[f]) for f in folders] == [tmp_path, tmp_path, DBT_PROJECT_DIR]
    assert params["log_level"] == "none"
    assert params["target"] == "ci" and params["select"] == ("tag:hourly",)
    assert params["send_anonymous_usage_stats"] is False


def test_a_failing_in_process_dbt_says_why_and_exits_non_zero(tmp_path):
    """An in-process dbt that cannot start fails like the subprocess did: a non-zero exit
    code and dbt's reason among its messages, so dagster-dbt raises with it."""
    from grid_intel.defs.dbt.in_process import _DONE, DbtThread, dbt_args

    thread = DbtThread(dbt_args(["parse"], tmp_path, tmp_path / "target", str(tmp_path)))
    assert thread.start() and not thread.start()  # started once, however often read
    messages = []
    while (msg := thread.events.get(timeout=60)) is not _DONE:
        messages.append(msg if isinstance(msg, str) else msg.info.msg)
    assert thread.wait() != 0
    assert any("dbt_project.yml" in m for m in messages), messages


def test_dagster_dev_reparses_only_after_a_dbt_file_changed(tmp_path):
    """Every load of the code location under `dagster dev` ran a full `dbt parse` (7 s);
    now only one after an edit does."""
    from grid_intel.defs.dbt.project import manifest_is_current

    manifest = tmp_path / "target" / "manifest.json"
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "a.sql").write_text("select 1")
    (tmp_path / "dbt_project.yml").write_text("name: p")
    assert not manifest_is_current(manifest)  # never built
    manifest.parent.mkdir()
    manifest.write_text("{}")
    assert manifest_is_current(manifest)
    later = manifest.stat().st_mtime + 5
    os.utime(tmp_path / "models" / "a.sql", (later, later))
    assert not manifest_is_current(manifest)  # a model edited since
