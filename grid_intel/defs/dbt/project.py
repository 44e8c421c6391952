"""The one dbt project; its manifest is built by a command, never at import.

Nothing here imports dagster-dbt or dbt-core: the code location loads this module, and
only runs and commands need them (`runtime.py`, `prepare`, `generate_docs`).
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg
from packaging import version

from grid_intel.settings import project_root

if TYPE_CHECKING:
    from dagster_dbt import DbtCliResource
    from dagster_dbt.core.dbt_cli_invocation import DbtCliInvocation

    from grid_intel.defs.dbt.translator import ManifestSpecs

DBT_PROJECT_DIR = project_root() / "grid_intel_dbt"
TARGET_DIR = DBT_PROJECT_DIR / "target"
MANIFEST_PATH = TARGET_DIR / "manifest.json"
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


class GridDbtResource(dg.ConfigurableResource):
    """Runs `dbt` for the assets of this project. Builds run in the run's process unless
    `in_process` is off (a subprocess per build, as dagster-dbt runs it: the benchmark's
    baseline, and a way out should dbt's Python API misbehave)."""

    project_dir: str
    profiles_dir: str
    dbt_executable: str
    in_process: bool = True

    @property
    def cli_version(self) -> version.Version:
        """dagster-dbt asks the dbt executable (`dbt --version`, an interpreter start of
        2-4 s) in every run; the dbt beside this interpreter is this environment's
        dbt-core, whose package metadata says at once. Another dbt is asked."""
        if Path(self.dbt_executable).parent != Path(sys.executable).parent:
            return self.cli()._cli_version
        return version.parse(importlib.metadata.version("dbt-core"))

    def build(
        self, args: Sequence[str], *, context: dg.AssetExecutionContext, specs: ManifestSpecs
    ) -> DbtCliInvocation:
        """`dbt <args>` over the context's selected assets and checks, as `specs` (the
        manifest the assets were built from) names them."""
        from grid_intel.defs.dbt.runtime import invoke

        return invoke(self, args, context, specs)

    def cli(self) -> DbtCliResource:
        """dagster-dbt's resource over the same project, for commands outside runs."""
        from dagster_dbt import DbtCliResource

        return DbtCliResource(
            project_dir=self.project_dir,
            profiles_dir=self.profiles_dir,
            dbt_executable=self.dbt_executable,
        )


def dbt_resource(in_process: bool = True) -> GridDbtResource:
    return GridDbtResource(
        project_dir=str(DBT_PROJECT_DIR),
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=dbt_executable(),
        in_process=in_process,
    )


def generate_docs(lane: str, env: dict[str, str]) -> Path:
    """`dbt docs generate --static` against a warehouse: one self-contained HTML page
    with every model, column, test and the lineage, plus the catalog's column types."""
    os.environ.update(env)
    dbt_resource().cli().cli(
        ["docs", "generate", "--static", "--target", lane], target_path=TARGET_DIR
    ).wait()
    return TARGET_DIR / "static_index.html"


def prepare() -> None:
    """Build `target/manifest.json` with `dbt parse` (what `grid-intel dbt-prepare` runs)."""
    dbt_resource().cli().cli(["parse", "--quiet"], target_path=TARGET_DIR).wait()


def prepare_if_stale(progress: Callable[[str], None]) -> bool:
    """Parse when a dbt file changed since the manifest was built (or there is none);
    whether it parsed."""
    if manifest_is_current(MANIFEST_PATH):
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
