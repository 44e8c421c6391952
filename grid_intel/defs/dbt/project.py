"""The one dbt project; its manifest is built by a command, never at import."""

from __future__ import annotations

import importlib.metadata
import os
import sys
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject
from dagster_dbt.asset_utils import (
    extract_runtime_selection_from_args,
    get_updated_cli_invocation_params_for_context,
)
from packaging import version

from grid_intel.defs.dbt.in_process import DbtThread, InProcessDbtInvocation, dbt_args
from grid_intel.defs.dbt.parse_state import seed_parse_state
from grid_intel.settings import project_root

DBT_PROJECT_DIR = project_root() / "grid_intel_dbt"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
SOURCE_FOLDERS = ("models", "macros", "seeds", "tests", "snapshots")


def manifest_is_current(manifest: Path) -> bool:
    """Whether `manifest` was built after the last edit to the dbt project's files."""
    if not manifest.exists():
        return False
    project = manifest.parents[1]
    sources = [project / "dbt_project.yml", project / "packages.yml"]
    sources += [f for d in SOURCE_FOLDERS for f in (project / d).rglob("*") if f.is_file()]
    built = manifest.stat().st_mtime
    return all(f.stat().st_mtime <= built for f in sources if f.exists())


def dbt_executable() -> str:
    """The dbt installed beside this interpreter, so an unactivated venv still works."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else "dbt"


class GridDbtCliResource(DbtCliResource):
    """dagster-dbt asks the dbt executable for its version (`dbt --version`, an interpreter
    start of 2-4 s) in every run; the dbt beside this interpreter is this environment's
    dbt-core, whose version its package metadata gives at once. Asset runs build in
    this process unless `in_process` is off (a subprocess per build, as dagster-dbt
    runs it: the benchmark's baseline, and a way out should dbt's Python API misbehave)."""

    in_process: bool = True

    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable).parent != Path(sys.executable).parent:
            return super()._cli_version
        return version.parse(importlib.metadata.version("dbt-core"))

    def build_in_process(
        self, args: Sequence[str], *, context: dg.AssetExecutionContext
    ) -> InProcessDbtInvocation:
        """What `cli(args, context=context)` runs, in this process (`in_process.py`): the
        same selection of the context's assets, target folder and parse state, with the
        settings dagster-dbt passes a subprocess in its environment given as flags."""
        cleaned, selects, excludes = extract_runtime_selection_from_args(args)
        params = get_updated_cli_invocation_params_for_context(
            context=context,
            manifest={},
            dagster_dbt_translator=DagsterDbtTranslator(),
            runtime_selects=selects,
            runtime_excludes=excludes,
        )
        project = params.dbt_project
        project_dir = Path(project.project_dir if project else self.project_dir)
        target_path = self._get_unique_target_path(context=context)
        if not target_path.is_absolute():
            target_path = project_dir / target_path
        seed_parse_state(target_path.parent, target_path)
        indirect = (
            ["--indirect-selection", params.indirect_selection]
            if params.indirect_selection and "--indirect-selection" not in cleaned
            else []
        )
        profile = ["--profile", self.profile] if self.profile else []
        target = ["--target", self.target] if self.target else []
        command = [
            *self.global_config_flags,
            *cleaned,
            *indirect,
            *profile,
            *target,
            *params.selection_args,
        ]
        thread = DbtThread(dbt_args(command, project_dir, target_path, self.profiles_dir))
        return InProcessDbtInvocation(
            process=thread,  # type: ignore[arg-type]
            manifest=params.manifest,
            dagster_dbt_translator=params.dagster_dbt_translator,
            project_dir=project_dir,
            target_path=target_path,
            raise_on_error=True,
            context=context,
            adapter=None,
            cli_version=self._cli_version,
            project=params.dbt_project,
        )


def dbt_resource(in_process: bool = True) -> GridDbtCliResource:
    return GridDbtCliResource(
        project_dir=dbt_project, dbt_executable=dbt_executable(), in_process=in_process
    )


def generate_docs(lane: str, env: dict[str, str]) -> Path:
    """`dbt docs generate --static` against a warehouse: one self-contained HTML page
    with every model, column, test and the lineage, plus the catalog's column types."""
    os.environ.update(env)
    dbt_resource().cli(
        ["docs", "generate", "--static", "--target", lane], target_path=dbt_project.target_path
    ).wait()
    return DBT_PROJECT_DIR / dbt_project.target_path / "static_index.html"


def prepare() -> None:
    """Build `target/manifest.json` with `dbt parse` (what `grid-intel dbt-prepare` runs)."""
    dbt_resource().cli(["parse", "--quiet"], target_path=dbt_project.target_path).wait()


def prepare_if_stale(progress: Callable[[str], None]) -> bool:
    """Parse when a dbt file changed since the manifest was built (or there is none);
    whether it parsed."""
    if manifest_is_current(dbt_project.manifest_path):
        return False
    progress("dbt: a dbt file changed since the manifest was built (or there is none); parsing")
    prepare()
    return True


def prepare_if_dev_and_stale() -> None:
    """Under `dagster dev`, re-parse when a dbt file changed since the manifest was built.
    dagster-dbt's `prepare_if_dev` parsed on every load of the code location (the
    webserver's, the daemon's, the warm runner's): about 7 s each, and a full parse, as
    its profile is not the runs' and dbt's partial parsing keeps one profile's state."""
    if os.environ.get("DAGSTER_IS_DEV_CLI"):
        prepare_if_stale(lambda _: None)


prepare_if_dev_and_stale()
