"""How dbt nodes appear in Dagster: keyed and grouped by warehouse layer, with
explicit partition mappings where an hourly model meets a daily one.

The specs are built from the manifest alone. dagster-dbt's `@dbt_assets` builds the
same ones through its translator, but importing dagster-dbt imports dbt-core, about
1.5 s of every load of the code location; only a dbt run needs it (`runtime.py`).
`test_dbt_specs` compares these specs with dagster-dbt's over the project's manifest.
"""

from __future__ import annotations

import hashlib
import json
import re
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg

from grid_intel.asset_metadata import MONTHS_OF_WINDOW, ROWS_IN_WINDOW
from grid_intel.defs.automation import FOLLOWS_UPSTREAM, REBUILT_WITH_INPUTS

# dbt tags say how a node is partitioned (see dbt_project.yml).
PARTITIONINGS = ("hourly", "daily", "reference")
# The nodes that are assets (dagster-dbt's choice): sources are upstream keys only.
ASSET_TYPES = ("model", "seed", "snapshot")
UPSTREAM_TYPES = (*ASSET_TYPES, "source")
# Metadata dagster-dbt keeps for itself: not copied onto a dependency on a source.
OWN_METADATA = "dagster_dbt"
UNIQUE_ID = "dagster_dbt/unique_id"
# The op tag dagster-dbt reads a group's dbt selection from at run time.
SELECT_TAG = "dagster_dbt/select"


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


def description(node: Mapping[str, Any]) -> str:
    """The model's dbt description (or its type and name), then its SQL."""
    code = textwrap.indent(node.get("raw_sql") or node.get("raw_code", ""), "    ")
    first = node.get("description") or f"dbt {node['resource_type']} {node['name']}"
    return "\n\n".join(filter(None, [first, f"#### Raw SQL:\n```sql\n{code}\n```"]))


def code_version(node: Mapping[str, Any]) -> str | None:
    """Changes when the model's SQL does, so Dagster can tell a stale materialization."""
    code = node.get("raw_sql") or node.get("raw_code")
    if code:
        return hashlib.sha1(code.encode("utf-8")).hexdigest()
    return (node.get("checksum") or {}).get("checksum")


def table_metadata(node: Mapping[str, Any]) -> dict[str, Any]:
    """The relation's name, its documented columns, its materialization and storage."""
    columns = node.get("columns") or {}
    schema = (
        dg.TableSchema(
            columns=[
                dg.TableColumn(
                    name=name,
                    type=column.get("data_type") or "?",
                    description=column.get("description"),
                    tags={tag: "" for tag in column.get("tags", [])},
                )
                for name, column in columns.items()
            ]
        )
        if columns
        else None
    )
    parts = [node.get("database"), node.get("schema"), node.get("alias")]
    if node["resource_type"] == "source":
        parts.append(node.get("name"))
    relation = ".".join(p for p in parts if p) or None
    materialized = (node.get("config") or {}).get("materialized")
    return {
        **({"dagster-dbt/materialization_type": materialized} if materialized else {}),
        **({"dagster/column_schema": schema} if schema else {}),
        **({"dagster/table_name": relation} if relation else {}),
    }


class ManifestSpecs:
    """The project's assets and checks, worked out once per manifest, not once per node."""

    def __init__(self, manifest: Mapping[str, Any]) -> None:
        self.manifest = manifest
        meta = manifest.get("metadata") or {}
        self.adapter: str | None = meta.get("adapter_type")
        self.project_id: str | None = meta.get("project_id")
        nodes = [*manifest["nodes"].values(), *manifest["sources"].values()]
        self.partitionings = {
            node_key(n): partitioning(n) for n in nodes if n["resource_type"] in UPSTREAM_TYPES
        }
        self._specs: dict[str, dg.AssetSpec] = {}

    def node(self, unique_id: str) -> Mapping[str, Any]:
        return self.manifest["nodes"].get(unique_id) or self.manifest["sources"][unique_id]

    def upstream(self, node: Mapping[str, Any]) -> set[str]:
        """The assets and sources a node reads, looking through ephemeral models."""
        found: set[str] = set()
        seen: set[str] = set()
        queue = list((node.get("depends_on") or {}).get("nodes") or ())
        while queue:
            parent_id = queue.pop()
            if parent_id in seen:
                continue
            seen.add(parent_id)
            parent = self.node(parent_id)
            if is_ephemeral(parent):
                queue.extend((parent.get("depends_on") or {}).get("nodes") or ())
            elif parent["resource_type"] in UPSTREAM_TYPES:
                found.add(parent_id)
        return found

    def asset(self, unique_id: str) -> dg.AssetSpec:
        if unique_id not in self._specs:
            self._specs[unique_id] = self._asset(self.node(unique_id))
        return self._specs[unique_id]

    def _asset(self, node: Mapping[str, Any]) -> dg.AssetSpec:
        key = node_key(node)
        source = node["resource_type"] == "source"
        mine = partitioning(node)
        deps = []
        for parent_id in sorted(self.upstream(node)):
            parent = self.asset(parent_id)
            across = (
                not source
                and mine != "reference"
                and self.partitionings.get(parent.key, mine) not in (mine, "reference")
            )
            metadata = (
                {k: v for k, v in parent.metadata.items() if not k.startswith(OWN_METADATA)}
                if parent_id.startswith("source")
                else None
            )
            partition_mapping = ACROSS_GRANULARITIES if across else None
            deps.append(
                dg.AssetDep(parent.key, partition_mapping=partition_mapping, metadata=metadata)
            )
        owner = ((node.get("config") or {}).get("meta") or {}).get("owner")
        return dg.AssetSpec(
            key=key,
            deps=deps,
            description=description(node),
            metadata={
                **table_metadata(node),
                UNIQUE_ID: node["unique_id"],
                **({"dagster/storage_kind": self.adapter} if self.adapter else {}),
                **(
                    {"dagster_dbt/project_id": dg.MetadataValue.text(self.project_id)}
                    if self.project_id
                    else {}
                ),
                **(
                    {}
                    if source or mine == "reference"
                    else window_metadata(node, self.manifest["macros"])
                ),
            },
            skippable=True,
            group_name=None if source else key.path[0],
            code_version=code_version(node),
            automation_condition=None
            if source
            else (REBUILT_WITH_INPUTS if mine == "reference" else FOLLOWS_UPSTREAM),
            owners=[owner] if owner and not source else None,
            tags={tag: "" for tag in node.get("tags") or ()},
            kinds={"dbt", self.adapter or "dbt", *(() if source else ("postgres",))},
        )

    def checks(self, unique_id: str) -> Iterator[dg.AssetCheckSpec]:
        """The dbt tests attached to a node, each a check on its asset. A test with error
        severity blocks the asset's downstream; one reading other models depends on them."""
        key = self.asset(unique_id).key
        for test_id in self.manifest["child_map"].get(unique_id, ()):
            test = self.manifest["nodes"].get(test_id)
            if test is None or test["resource_type"] != "test":
                continue
            if attached_node(test) != unique_id:
                continue
            others = {self.asset(p).key for p in self.manifest["parent_map"].get(test_id, ())}
            others.discard(key)
            severity = (test.get("config") or {}).get("severity") or "error"
            yield dg.AssetCheckSpec(
                name=test["name"],
                asset=key,
                description=(test.get("meta") or {}).get("description"),
                additional_deps=others,
                metadata={UNIQUE_ID: test_id},
                blocking=severity.lower() == "error",
            )

    def select(
        self, tag: str, layer: str | None
    ) -> tuple[list[dg.AssetSpec], list[dg.AssetCheckSpec]]:
        """What dbt's `tag:<tag>[,config.schema:<layer>]` selects: the assets and the
        checks of their tests."""
        chosen = [
            unique_id
            for unique_id, node in self.manifest["nodes"].items()
            if node["resource_type"] in ASSET_TYPES
            and not is_ephemeral(node)
            and tag in (node.get("tags") or ())
            and (layer is None or (node.get("config") or {}).get("schema") == layer)
        ]
        specs = [self.asset(u) for u in chosen]
        checks = [c for u in chosen for c in self.checks(u)]
        return specs, checks


def is_ephemeral(node: Mapping[str, Any]) -> bool:
    return (
        node["resource_type"] == "model"
        and (node.get("config") or {}).get("materialized") == "ephemeral"
    )


def attached_node(test: Mapping[str, Any]) -> str | None:
    """The node a test checks: a generic test's attached node, a singular test's one parent
    (dagster-dbt's `meta.dagster.ref` for a singular test of several models is not used here)."""
    parents = set((test.get("depends_on") or {}).get("nodes") or ())
    if len(parents) == 1:
        return next(iter(parents))
    return test.get("attached_node")


def read_specs(path: Path) -> ManifestSpecs:
    """The specs of the manifest at `path` (the code location reads it once, at import)."""
    return ManifestSpecs(json.loads(path.read_bytes()))
