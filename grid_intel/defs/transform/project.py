"""The one dbt project; its manifest is built by a command, never at import."""

from __future__ import annotations

import importlib.metadata
import os
import sys
from functools import cached_property
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from grid_intel.settings import project_root

DBT_PROJECT_DIR = project_root() / "grid_intel_dbt"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()


def dbt_executable() -> str:
    """The dbt installed beside this interpreter, so an unactivated venv still works."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else "dbt"


class GridDbtCliResource(DbtCliResource):
    """dagster-dbt asks the dbt executable for its version (`dbt --version`, an interpreter
    start of 2-4 s) in every run; the dbt beside this interpreter is this environment's
    dbt-core, whose version its package metadata gives at once."""

    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable).parent != Path(sys.executable).parent:
            return super()._cli_version
        return version.parse(importlib.metadata.version("dbt-core"))


def dbt_resource() -> DbtCliResource:
    return GridDbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())


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
