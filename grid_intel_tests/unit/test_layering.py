"""Layers that point one way. The domain packages (ingestion, warehouse, forecasting,
health, market, ...) know nothing of Dagster's wiring (`defs`), of the simulator, the
benchmarks, the demo or the stack; `defs` wires the domains; the tools on top (the CLI,
benchmarks, demo, stack, simulator) may use anything below them. The code location's
clients (notebooks, the backfill planner) load it whole through `grid_intel.definitions`,
never its parts. `evaluation` is the one production package that reads the simulator:
it judges models on its labelled ground truth. Every import counts, at module level or
inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

import grid_intel

ROOT = Path(grid_intel.__file__).parent
TOOLS = {"bench", "cli", "demo", "stack", "simulation", "__main__"}
WIRING = {"defs", "definitions"}
# Which importers each guarded package accepts (besides itself).
ALLOWED = {
    "simulation": TOOLS | {"evaluation"},
    "bench": {"cli", "__main__"},
    "demo": {"cli", "__main__"},
    "cli": {"__main__"},
    "stack": TOOLS,
    "defs": TOOLS | WIRING,
    "definitions": TOOLS | WIRING | {"notebook", "operations"},
}
# Pairs that must not meet, beside the layers: settings build the Kafka clients'
# security and pass it in, so the client package never reads the settings.
NEVER = {("broker", "settings")}


def package_of(module: str) -> str | None:
    """`grid_intel.x.y` -> `x` (a top-level package or module of grid_intel)."""
    parts = module.split(".")
    return parts[1] if parts[0] == "grid_intel" and len(parts) > 1 else None


def imports(path: Path) -> set[str]:
    """Every grid_intel module a file imports, wherever the import sits."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return {m for m in found if m.startswith("grid_intel.")}


def violations(root: Path = ROOT) -> list[str]:
    out = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        importer = rel.parts[0].removesuffix(".py")
        for module in sorted(imports(path)):
            target = package_of(module)
            against_layers = target in ALLOWED and importer not in {target, *ALLOWED[target]}
            if against_layers or (importer, target) in NEVER:
                out.append(f"grid_intel/{rel} imports {module}")
    return sorted(set(out))


def test_layers_point_one_way():
    found = violations()
    assert not found, "imports against the layering:\n" + "\n".join(found)


def test_the_rule_sees_imports_inside_functions_and_from_lower_layers(tmp_path):
    (tmp_path / "market").mkdir()
    (tmp_path / "market" / "costs.py").write_text(
        "def f():\n    from grid_intel.simulation.dispatch import water_factor\n"
    )
    (tmp_path / "notebook.py").write_text("from grid_intel.defs.partitions import hourly\n")
    (tmp_path / "cli.py").write_text("import grid_intel.defs.partitions\n")
    (tmp_path / "broker").mkdir()
    (tmp_path / "broker" / "client.py").write_text("from grid_intel import settings\n")
    assert violations(tmp_path) == [
        "grid_intel/broker/client.py imports grid_intel.settings",
        "grid_intel/market/costs.py imports grid_intel.simulation.dispatch",
        "grid_intel/market/costs.py imports grid_intel.simulation.dispatch.water_factor",
        "grid_intel/notebook.py imports grid_intel.defs.partitions",
        "grid_intel/notebook.py imports grid_intel.defs.partitions.hourly",
    ]
