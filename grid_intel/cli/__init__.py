"""`grid-intel`: the local stack, migrations, dbt, the grid simulator, benchmarks, the
services and the demo. One module per command group; importing them registers their
commands on the root app, in the order `--help` lists them."""
# ruff: isort: skip_file

from grid_intel.cli.root import app
from grid_intel.cli import stack, warehouse, simulate, bench, evaluate, serve, operate

__all__ = ["app", "bench", "evaluate", "main", "operate", "serve", "simulate", "stack", "warehouse"]


def main() -> None:
    app()
