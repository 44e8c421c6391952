"""The dbt assets the code location builds from the manifest are the ones dagster-dbt's
`@dbt_assets` builds, with the project's keys, groups, partition mappings and
automation: the same specs, checks, selection and run policy, so nothing changed for
the UI, the daemon or a run but the import."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
import pytest

# dagster-dbt's per-project objects: a run rebuilds them from the manifest.
RUN_TIME_METADATA = ("dagster_dbt/manifest", "dagster_dbt/dagster_dbt_translator", "dagster_dbt/project")


def reference_assets(tag: str, layer: str | None, partitions_def) -> dg.AssetsDefinition:
    """What `@dbt_assets` made of the same group through a translator with the project's
    policy on top of dagster-dbt's defaults (as the code location built them before)."""
    from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject, dbt_assets

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
                dg.AssetDep(d.asset_key, partition_mapping=ACROSS_GRANULARITIES, metadata=d.metadata)
                if mine != "reference" and upstream[d.asset_key] not in (mine, "reference")
                else d
                for d in spec.deps
            ]
            return spec.replace_attributes(
                group_name=spec.key.path[0],
                owners=[owner] if owner else spec.owners,
                deps=deps,
                automation_condition=REBUILT_WITH_INPUTS if mine == "reference" else FOLLOWS_UPSTREAM,
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
            ((d.asset_key.to_user_string(), d.partition_mapping, dict(d.metadata or {})) for d in spec.deps),
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

    from grid_intel.defs.dbt.assets import DBT_ASSETS
    from grid_intel.defs.dbt.project import MANIFEST_PATH
    from grid_intel.defs.dbt.runtime import GridDbtTranslator
    from grid_intel.defs.dbt.translator import UNIQUE_ID, read_manifest

    manifest, translator = read_manifest(MANIFEST_PATH), GridDbtTranslator()
    for assets in DBT_ASSETS:
        for key in assets.keys:
            unique_id = assets.get_asset_spec(key).metadata[UNIQUE_ID]
            assert translator.get_asset_spec(manifest, unique_id, None).key == key
        for check in assets.check_specs:
            test_id = check.metadata[UNIQUE_ID]
            assert get_asset_check_key_for_test(manifest, translator, test_id, None) == check.key
