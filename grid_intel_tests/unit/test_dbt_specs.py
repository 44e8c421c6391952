"""The dbt assets the code location builds from the manifest are the ones dagster-dbt's
`@dbt_assets` builds, with the project's keys, groups, partition mappings and
automation: the same specs, checks, selection tag and run policy, so nothing changed
for the UI, the daemon or a run but the import. One deliberate difference from the
translator the project had: a dependency across granularities on a bronze source keeps
the source's table metadata, as every other source dependency does (it used to be
dropped when the partition mapping was set)."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
import pytest

# dagster-dbt's per-project objects: a run rebuilds them from the manifest.
RUN_TIME_METADATA = (
    "dagster_dbt/manifest",
    "dagster_dbt/dagster_dbt_translator",
    "dagster_dbt/project",
)


def reference_assets(tag: str, layer: str | None, partitions_def) -> dg.AssetsDefinition:
    """What `@dbt_assets` made of the same group through a translator with the project's
    policy on top of dagster-dbt's defaults (as the code location built them before)."""
    from dagster_dbt import (
        DagsterDbtTranslator,
        DagsterDbtTranslatorSettings,
        DbtProject,
        dbt_assets,
    )

    from grid_intel.defs.automation import FOLLOWS_UPSTREAM, REBUILT_WITH_INPUTS
    from grid_intel.defs.dbt.project import DBT_PROJECT_DIR, MANIFEST_PATH
    from grid_intel.defs.dbt.translator import (
        ACROSS_GRANULARITIES,
        node_key,
        partitioning,
        window_metadata,
    )

    class Reference(DagsterDbtTranslator):
        def __init__(self) -> None:
            super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

        def get_asset_key(self, node: Mapping[str, Any]) -> dg.AssetKey:
            return node_key(node)

        def get_asset_spec(self, manifest, unique_id, project) -> dg.AssetSpec:
            spec = super().get_asset_spec(manifest, unique_id, project)
            node = manifest["nodes"].get(unique_id) or manifest["sources"][unique_id]
            if node["resource_type"] == "source":
                return spec
            nodes = {**manifest["nodes"], **manifest["sources"]}
            upstream = {node_key(n): partitioning(n) for n in nodes.values()}
            mine = partitioning(node)
            owner = (node["config"].get("meta") or {}).get("owner")
            deps = [
                dg.AssetDep(
                    d.asset_key, partition_mapping=ACROSS_GRANULARITIES, metadata=d.metadata
                )
                if mine != "reference" and upstream[d.asset_key] not in (mine, "reference")
                else d
                for d in spec.deps
            ]
            return spec.replace_attributes(
                group_name=spec.key.path[0],
                owners=[owner] if owner else spec.owners,
                deps=deps,
                automation_condition=REBUILT_WITH_INPUTS
                if mine == "reference"
                else FOLLOWS_UPSTREAM,
            ).merge_attributes(
                kinds={"postgres"},
                metadata={} if mine == "reference" else window_metadata(node, manifest["macros"]),
            )

    @dbt_assets(
        manifest=MANIFEST_PATH,
        project=DbtProject(project_dir=DBT_PROJECT_DIR),
        dagster_dbt_translator=Reference(),
        select=f"tag:{tag},config.schema:{layer}" if layer else f"tag:{tag}",
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run() if partitions_def else None,
        name=f"grid_intel_dbt_{tag}_{layer}" if layer else f"grid_intel_dbt_{tag}",
    )
    def _reference(context):
        yield from ()

    return _reference


def comparable(spec: dg.AssetSpec) -> dict[str, Any]:
    return {
        "deps": sorted(
            (
                (d.asset_key.to_user_string(), d.partition_mapping, dict(d.metadata or {}))
                for d in spec.deps
            ),
            key=lambda d: d[0],
        ),
        "description": spec.description,
        "metadata": {k: v for k, v in spec.metadata.items() if k not in RUN_TIME_METADATA},
        "skippable": spec.skippable,
        "group": spec.group_name,
        "code_version": spec.code_version,
        "automation": spec.automation_condition,
        "owners": list(spec.owners),
        "tags": dict(spec.tags),
        "kinds": set(spec.kinds),
        "partitions": spec.partitions_def,
    }


def check_comparable(check: dg.AssetCheckSpec) -> tuple:
    return (
        check.key,
        check.description,
        frozenset(d.asset_key for d in check.additional_deps),
        check.blocking,
        tuple(sorted((check.metadata or {}).items())),
    )


@pytest.mark.parametrize("group", range(5))
def test_dbt_assets_are_the_ones_dagster_dbt_builds(dbt_manifest, group):
    from grid_intel.defs.dbt.assets import DBT_ASSETS

    ours = DBT_ASSETS[group]
    tag, _, layer = ours.op.name.removeprefix("grid_intel_dbt_").partition("_")
    theirs = reference_assets(tag, layer or None, ours.partitions_def)

    assert ours.keys == theirs.keys and ours.keys
    for key in ours.keys:
        assert comparable(ours.get_asset_spec(key)) == comparable(theirs.get_asset_spec(key)), key
    assert {check_comparable(c) for c in ours.check_specs} == {
        check_comparable(c) for c in theirs.check_specs
    }
    assert ours.op.tags == theirs.op.tags
    assert ours.backfill_policy == theirs.backfill_policy
    assert ours.can_subset and theirs.can_subset
    assert ours.op.required_resource_keys == {"dbt", "warehouse"}


def test_a_run_names_dbts_events_with_the_code_locations_keys(dbt_manifest):
    """dagster-dbt keys each event through the translator: the run's translator must
    give the keys and check names the code location declared."""
    from dagster_dbt.asset_utils import get_asset_check_key_for_test

    from grid_intel.defs.dbt.assets import DBT_ASSETS, MANIFEST
    from grid_intel.defs.dbt.runtime import GridDbtTranslator
    from grid_intel.defs.dbt.translator import UNIQUE_ID, node_key

    manifest, translator = MANIFEST.manifest, GridDbtTranslator(MANIFEST)
    for assets in DBT_ASSETS:
        for key in assets.keys:
            unique_id = assets.get_asset_spec(key).metadata[UNIQUE_ID]
            node = manifest["nodes"][unique_id]
            assert translator.get_asset_spec(manifest, unique_id, None).key == key
            assert translator.get_asset_key(node) == key == node_key(node)
        for check in assets.check_specs:
            test_id = check.metadata[UNIQUE_ID]
            assert get_asset_check_key_for_test(manifest, translator, test_id, None) == check.key


def tiny_manifest() -> dict[str, Any]:
    """A source, a model reading it and a daily model reading the model, with tests."""

    def model(name: str, tag: str, parents: list[str], **config: Any) -> dict[str, Any]:
        return {
            "unique_id": f"model.p.{name}",
            "resource_type": "model",
            "name": name,
            "tags": [tag],
            "config": {"schema": "silver", "materialized": "incremental", **config},
            "depends_on": {"nodes": parents, "macros": []},
            "raw_code": f"select * from {name}",
            "columns": {},
        }

    def test(name: str, parents: list[str], attached: str, severity: str) -> dict[str, Any]:
        return {
            "unique_id": f"test.p.{name}",
            "resource_type": "test",
            "name": name,
            "config": {"severity": severity},
            "depends_on": {"nodes": parents},
            "attached_node": attached,
        }

    source = {
        "unique_id": "source.p.bronze.readings",
        "resource_type": "source",
        "source_name": "bronze",
        "name": "readings",
        "tags": ["hourly"],
        "config": {},
        "columns": {},
    }
    nodes = {
        n["unique_id"]: n
        for n in (
            model("hourly_means", "hourly", [source["unique_id"]]),
            model("daily_peaks", "daily", ["model.p.hourly_means"], schema="gold"),
            model("lookup", "reference", [], materialized="ephemeral"),
            test("not_null_peaks", ["model.p.daily_peaks"], "model.p.daily_peaks", "warn"),
            test(
                "peaks_match_means",
                ["model.p.daily_peaks", "model.p.hourly_means"],
                "model.p.daily_peaks",
                "error",
            ),
        )
    }
    children: dict[str, list[str]] = {}
    for node in nodes.values():
        for parent in node["depends_on"]["nodes"]:
            children.setdefault(parent, []).append(node["unique_id"])
    return {
        "nodes": nodes,
        "sources": {source["unique_id"]: source},
        "macros": {},
        "child_map": children,
        "parent_map": {u: n["depends_on"]["nodes"] for u, n in nodes.items()},
        "metadata": {"adapter_type": "postgres"},
    }


def test_a_warn_test_does_not_block_and_a_test_of_two_models_depends_on_the_other():
    from grid_intel.defs.dbt.translator import ACROSS_GRANULARITIES, ManifestSpecs

    specs, checks = ManifestSpecs(tiny_manifest()).select("daily", None)
    assert [s.key for s in specs] == [dg.AssetKey(["gold", "daily_peaks"])]
    by_name = {c.name: c for c in checks}
    assert not by_name["not_null_peaks"].blocking
    assert by_name["peaks_match_means"].blocking
    assert {d.asset_key for d in by_name["peaks_match_means"].additional_deps} == {
        dg.AssetKey(["silver", "hourly_means"])
    }
    # The daily model reads its hourly input through the mapping across granularities.
    [dep] = specs[0].deps
    assert dep.partition_mapping == ACROSS_GRANULARITIES


def test_ephemeral_models_are_not_assets_and_a_source_keeps_its_bronze_key():
    from grid_intel.defs.dbt.translator import ManifestSpecs

    specs = ManifestSpecs(tiny_manifest())
    assert specs.select("reference", None) == ([], [])
    [dep] = specs.asset("model.p.hourly_means").deps
    assert dep.asset_key == dg.AssetKey(["bronze", "readings"]) and dep.partition_mapping is None


@pytest.mark.parametrize(
    ("args", "override", "expected"),
    [
        (
            ["build", "--indirect-selection", "buildable"],
            None,
            ["build", "--indirect-selection", "buildable"],
        ),
        (
            ["build", "--indirect-selection", "buildable"],
            "empty",
            ["build", "--indirect-selection", "empty"],
        ),
        (["build"], "empty", ["build", "--indirect-selection", "empty"]),
    ],
)
def test_deselected_checks_override_the_runs_indirect_selection(args, override, expected):
    """dagster-dbt asks for `empty` when some checks of a selected asset are deselected:
    their tests must not run, whatever the run's own default."""
    from grid_intel.defs.dbt.runtime import with_indirect_selection

    assert with_indirect_selection(args, override) == expected
