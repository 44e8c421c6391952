"""Market analytics (no Dagster): MISO price structure and files, later forecasts and signals.

The names below are imported on first use, so importing one submodule for its
constants (as the Dagster definitions do) loads no numerical library.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from grid_intel.lazy_exports import lazy

# Each name's submodule. `backtest` and `signals` are also submodules: the first use
# of any name binds them all, so that they are the functions, as after an eager import.
_EXPORTS = {
    "parse_miso_lmp": "miso_files",
    "read_miso_lmp": "miso_files",
    "BacktestResult": "backtest",
    "backtest": "backtest",
    "Block": "costs",
    "CostAssumptions": "costs",
    "HourInputs": "costs",
    "marginal_cost": "costs",
    "reservoir_state": "costs",
    "supply_curve": "costs",
    "supply_curves": "costs",
    "thermal_cost": "costs",
    "water_value": "costs",
    "SignalRule": "signals",
    "signals": "signals",
}
__all__ = [
    "BacktestResult",
    "Block",
    "CostAssumptions",
    "HourInputs",
    "SignalRule",
    "backtest",
    "marginal_cost",
    "parse_miso_lmp",
    "read_miso_lmp",
    "reservoir_state",
    "signals",
    "supply_curve",
    "supply_curves",
    "thermal_cost",
    "water_value",
]

if TYPE_CHECKING:
    from grid_intel.market.backtest import (
        BacktestResult,
        backtest,
    )
    from grid_intel.market.costs import (
        Block,
        CostAssumptions,
        HourInputs,
        marginal_cost,
        reservoir_state,
        supply_curve,
        supply_curves,
        thermal_cost,
        water_value,
    )
    from grid_intel.market.miso_files import parse_miso_lmp, read_miso_lmp
    from grid_intel.market.signals import SignalRule, signals


__getattr__, __dir__ = lazy(__name__, _EXPORTS, together=True)
