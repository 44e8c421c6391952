"""What a dbt run needs of dagster-dbt: the selection of the context's assets and checks,
and dbt's events turned into Dagster's. Imported by the run, never by the code location
(the warm runner preloads it, so a forked run pays nothing)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings
from dagster_dbt.asset_utils import get_subset_selection_for_context
from dagster_dbt.core.dbt_cli_invocation import DbtCliInvocation

from grid_intel.defs.dbt.in_process import DbtThread, InProcessDbtInvocation, dbt_args
from grid_intel.defs.dbt.parse_state import seed_parse_state
from grid_intel.defs.dbt.project import TARGET_DIR
from grid_intel.defs.dbt.translator import SELECT_TAG, ManifestSpecs, node_key

if TYPE_CHECKING:
    from grid_intel.defs.dbt.project import GridDbtResource


class GridDbtTranslator(DagsterDbtTranslator):
    """Names dbt's events with the code location's keys: the specs `translator.py` built
    from the manifest the run hands dagster-dbt."""

    def __init__(self, specs: ManifestSpecs) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
        self.specs = specs

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: Any | None
    ) -> dg.AssetSpec:
        return self.specs.asset(unique_id)

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        # dagster-dbt keys a test's result on an unselected node through this one.
        return node_key(dbt_resource_props)


def with_indirect_selection(args: Sequence[str], override: str | None) -> list[str]:
    """`args` with dbt's `--indirect-selection` set to dagster-dbt's override, if it
    made one (`empty` when some of a selected asset's checks are deselected: their tests
    must not run), added if `args` had none."""
    out = list(args)
    if not override:
        return out
    if "--indirect-selection" in out:
        out[out.index("--indirect-selection") + 1] = override
        return out
    return [*out, "--indirect-selection", override]


def invoke(
    resource: GridDbtResource,
    args: Sequence[str],
    context: dg.AssetExecutionContext,
    specs: ManifestSpecs,
) -> DbtCliInvocation:
    """`dbt <args>` over the context's selection, in this process or a subprocess. The
    selection is dagster-dbt's (the whole group's select, or each selected model and test
    by name when the run is a subset); the target folder is the run's own, seeded with
    the project's parse state."""
    manifest, translator = specs.manifest, GridDbtTranslator(specs)
    selection, indirect = get_subset_selection_for_context(
        context=context,
        manifest=manifest,
        select=context.op.tags.get(SELECT_TAG),
        exclude=None,
        selector=None,
        dagster_dbt_translator=translator,
        current_dbt_indirect_selection_env=os.getenv("DBT_INDIRECT_SELECTION"),
    )
    name = f"{context.op_execution_context.op.name}-{context.run.run_id[:7]}-{uuid.uuid4().hex[:7]}"
    target_path = TARGET_DIR / name
    seed_parse_state(TARGET_DIR, target_path)
    # `args` names no --select: the selection is the context's.
    command = [*with_indirect_selection(args, indirect), *selection]
    project_dir = Path(resource.project_dir)
    common: dict[str, Any] = {
        "manifest": manifest,
        "dagster_dbt_translator": translator,
        "project_dir": project_dir,
        "target_path": target_path,
        "raise_on_error": True,
        "context": context,
        "adapter": None,
        "cli_version": resource.cli_version,
    }
    if resource.in_process:
        thread = DbtThread(dbt_args(command, project_dir, target_path, resource.profiles_dir))
        return InProcessDbtInvocation(process=thread, project=None, **common)  # type: ignore[arg-type]
    _, *rest = dbt_args(command, project_dir, target_path, resource.profiles_dir, console="json")
    return DbtCliInvocation.run(
        args=[resource.dbt_executable, *rest],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        **common,
    )
