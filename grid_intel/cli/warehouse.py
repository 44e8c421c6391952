"""Warehouse migrations and the dbt project: `migrate`, `dbt-prepare`, `dbt-docs`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from grid_intel.settings import get_settings

if TYPE_CHECKING:
    pass
from grid_intel.cli.root import KNOWN, app, fail


@app.command()
def migrate(
    timescale: Annotated[bool, typer.Option(help="Migrate the TimescaleDB lane instead.")] = False,
) -> None:
    """Apply the warehouse migrations (idempotent)."""
    from grid_intel.stack.manager import migrate_url

    settings = get_settings()
    try:
        r = migrate_url(settings.timescale_url if timescale else settings.warehouse, settings)
    except KNOWN as exc:
        raise fail(exc) from None
    typer.echo(
        f"lane={r.lane} timescaledb={r.timescaledb_version} applied={r.applied} "
        f"current={len(r.current)}"
    )


@app.command("dbt-prepare")
def dbt_prepare() -> None:
    """Build the dbt manifest Dagster loads (run after changing grid_intel_dbt/)."""
    from grid_intel.defs.dbt.project import MANIFEST_PATH, prepare

    prepare()
    typer.echo(f"manifest: {MANIFEST_PATH}")


@app.command("dbt-docs")
def dbt_docs() -> None:
    """Generate the dbt docs (models, columns, tests, lineage) as one static HTML page."""
    from grid_intel.defs.dbt.project import generate_docs
    from grid_intel.defs.resources import WarehouseResource

    warehouse = WarehouseResource(url=get_settings().warehouse)
    try:
        page = generate_docs(warehouse.lane(), warehouse.dbt_env())
    except KNOWN as exc:
        raise fail(exc) from None
    typer.echo(f"dbt docs: file://{page}  (or `cd grid_intel_dbt && dbt docs serve`)")
