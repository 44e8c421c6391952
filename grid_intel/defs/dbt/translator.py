"""How dbt nodes appear in Dagster: keyed and grouped by warehouse layer, with
explicit partition mappings where an hourly model meets a daily one."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

from grid_intel.asset_metadata import MONTHS_OF_WINDOW, ROWS_IN_WINDOW
from grid_intel.defs.automation import FOLLOWS_UPSTREAM, REBUILT_WITH_INPUTS

# dbt tags say how a node is partitioned (see dbt_project.yml).
PARTITIONINGS = ("hourly", "daily", "reference")


def partitioning(node: Mapping[str, Any]) -> str:
    """A node's partitioning from its tags; untagged nodes are reference data."""
    tags = set(node.get("tags") or ()) | set((node.get("config") or {}).get("tags") or ())
    return next((p for p in PARTITIONINGS if p in tags), "reference")


def node_key(node: Mapping[str, Any]) -> dg.AssetKey:
    """bronze/<table> for sources (the bronze assets' keys), <layer>/<name> otherwise."""
    if node["resource_type"] == "source":
        return dg.AssetKey([node["source_name"], node["name"]])
    return dg.AssetKey([node["config"].get("schema") or "silver", node["name"]])


CLEAR_WINDOW = re.compile(r"clear_window\(([^)]*)\)")
COLUMN_ARG = re.compile(r"\s*(?:column\s*=\s*)?'(\w+)'")


def window_metadata(node: Mapping[str, Any], macros: Mapping[str, Any]) -> dict[str, str]:
    """The column a partitioned model replaces per window, from the `clear_window(...)` of
    its pre-hook (or of a macro the hook calls), as `partition_column`/`partition_window`."""
    hooks = " ".join(h.get("sql", "") for h in node["config"].get("pre-hook") or ())
    called = [
        macros[m]["macro_sql"]
        for m in (node.get("depends_on") or {}).get("macros") or ()
        if m in macros and f"{macros[m]['name']}(" in hooks
    ]
    for text in (hooks, *called):
        if found := CLEAR_WINDOW.search(text):
            column = COLUMN_ARG.match(found.group(1))
            months = re.search(r"months\s*=\s*true", found.group(1), re.IGNORECASE)
            return {
                "partition_column": column.group(1) if column else "ts",  # the macro's default
                "partition_window": MONTHS_OF_WINDOW if months else ROWS_IN_WINDOW,
            }
    return {}


# Where an hourly model meets a daily one. An hourly model may read a daily input that
# arrives later (MISO's files, a day after the stream's prices): today's hours have no
# daily partition yet, and without `allow_nonexistent_upstream_partitions` no backfill
# could include them. A daily model's hours always exist.
ACROSS_GRANULARITIES = dg.TimeWindowPartitionMapping(allow_nonexistent_upstream_partitions=True)


class GridDbtTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
        # Every node's partitioning, worked out once per manifest, not once per node.
        self._partitionings: tuple[int, dict[dg.AssetKey, str]] | None = None

    def _upstream(self, manifest: Mapping[str, Any]) -> dict[dg.AssetKey, str]:
        if self._partitionings is None or self._partitionings[0] != id(manifest):
            self._partitionings = (id(manifest), _partitionings(manifest))
        return self._partitionings[1]

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: Any | None
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id) or manifest["sources"].get(unique_id)
        if node is None or node["resource_type"] == "source":
            return spec
        key = node_key(node)
        owner = (node["config"].get("meta") or {}).get("owner")
        mine = partitioning(node)
        upstream = self._upstream(manifest)
        deps = [
            dg.AssetDep(dep.asset_key, partition_mapping=ACROSS_GRANULARITIES)
            if mine != "reference" and upstream.get(dep.asset_key, mine) not in (mine, "reference")
            else dep
            for dep in spec.deps
        ]
        return spec.replace_attributes(
            key=key,
            group_name=key.path[0],
            owners=[owner] if owner else spec.owners,
            deps=deps,
            automation_condition=REBUILT_WITH_INPUTS if mine == "reference" else FOLLOWS_UPSTREAM,
        ).merge_attributes(
            kinds={"postgres"},
            metadata={} if mine == "reference" else window_metadata(node, manifest["macros"]),
        )


def _partitionings(manifest: Mapping[str, Any]) -> dict[dg.AssetKey, str]:
    """Every model's, seed's and source's partitioning by asset key."""
    nodes = [*manifest["nodes"].values(), *manifest["sources"].values()]
    return {
        node_key(n): partitioning(n)
        for n in nodes
        if n["resource_type"] in ("model", "seed", "source", "snapshot")
    }
