"""Market analytics (no Dagster): MISO price structure and files, later forecasts and signals."""

from grid_intel.market.miso_files import parse_miso_lmp, read_miso_lmp

__all__ = ["parse_miso_lmp", "read_miso_lmp"]

from grid_intel.market.backtest import BacktestResult, SimulatedMonth, backtest, simulated_month
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
from grid_intel.market.signals import SignalRule, signals

__all__ += [
    "BacktestResult",
    "Block",
    "CostAssumptions",
    "HourInputs",
    "SignalRule",
    "SimulatedMonth",
    "backtest",
    "marginal_cost",
    "reservoir_state",
    "signals",
    "simulated_month",
    "supply_curve",
    "supply_curves",
    "thermal_cost",
    "water_value",
]
