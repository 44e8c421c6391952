"""Manitoba Grid Intelligence: real-time power-grid analytics on Dagster.

For notebooks: `grid_intel.load_asset(key, partition)` and `grid_intel.list_assets()`
(from `grid_intel.notebook`), and the analytics as namespaces: `grid_intel.forecasting`,
`grid_intel.health`, `grid_intel.market`, `grid_intel.carbon`, `grid_intel.anomaly`.
All are imported on first use, so `import grid_intel` (and the CLI) stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

NOTEBOOK_API = ("load_asset", "list_assets")
ANALYTICS = ("forecasting", "health", "market", "carbon", "anomaly")
__all__ = [
    "__version__",
    "anomaly",
    "carbon",
    "forecasting",
    "health",
    "list_assets",
    "load_asset",
    "market",
]

if TYPE_CHECKING:
    from grid_intel import anomaly, carbon, forecasting, health, market
    from grid_intel.notebook import list_assets, load_asset


def __getattr__(name: str) -> object:
    if name in NOTEBOOK_API:
        return getattr(importlib.import_module("grid_intel.notebook"), name)
    if name in ANALYTICS:
        return importlib.import_module(f"grid_intel.{name}")
    raise AttributeError(f"module 'grid_intel' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
