"""How dbt nodes appear in Dagster: keyed and grouped by warehouse layer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

from grid_intel.defs.automation import FOLLOWS_UPSTREAM


class GridDbtTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: Any | None
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id) or manifest["sources"].get(unique_id)
        if node is None or node["resource_type"] == "source":
            return spec
        layer = node["config"].get("schema") or "silver"
        owner = (node["config"].get("meta") or {}).get("owner")
        return spec.replace_attributes(
            key=dg.AssetKey([layer, node["name"]]),
            group_name=layer,
            owners=[owner] if owner else spec.owners,
            automation_condition=FOLLOWS_UPSTREAM,
        ).merge_attributes(kinds={"postgres"})
