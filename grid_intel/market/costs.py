"""Manitoba Hydro's marginal cost: the water value of flexible hydro, Brandon's fuel
cost and the supply curve they stack into, hour by hour.

Hydro has no fuel bill, but water spent now is water not sold later, so flexible
hydro is priced at its opportunity cost (the water value): dear when reservoirs
are low and the spring freshet is still ahead, cheap at and after the freshet
when inflows are high and water would otherwise spill.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from grid_intel.grid.hydro import water_factor
from grid_intel.grid.registry import INTERTIES
from grid_intel.grid.stations import capacity_mw

DAYS_PER_YEAR = 365.25
# Storage fraction the proxy spans between the simulator's driest and wettest water
# factor (assumption, not from the reference: no reservoir levels are published there).
STORAGE_RANGE = (0.35, 0.90)
_WATER_FACTOR_RANGE = (0.88, 1.00)  # min and max of grid.hydro.water_factor
# The MHEB-MISO tie's capabilities (reference: export ≈ 3,185 MW, import ≈ 2,100 MW).
MISO_EXPORT_MW, MISO_IMPORT_MW = next(
    (float(exp), float(imp)) for _, cp, _, exp, imp in INTERTIES if cp == "MHEB-MISO"
)


@dataclass(frozen=True)
class CostAssumptions:
    """Cost parameters. Water value = base · exp(elasticity · (reference - storage))
    · (1 + amplitude · cos(2π (day - peak day) / 365.25)).

    None of these is in the reference; all are modelling assumptions.
    """

    base_water_value: float = 22.0  # $/MWh at reference storage, season-neutral
    reference_storage: float = 0.60  # storage fraction where the storage term is 1
    storage_elasticity: float = 1.0  # per unit of storage fraction below the reference
    seasonal_amplitude: float = 0.15  # ±15 % over the year
    seasonal_peak_day: float = 60.0  # day of year of the dearest water: late winter
    must_run_share: float = 0.30  # share of available hydro held for minimum flows
    brandon_mw: float = float(capacity_mw("gas"))  # 2 x 140 MW combustion turbines
    heat_rate: float = 10.5  # MMBtu/MWh, simple-cycle CT (assumption, not from the reference)
    gas_price: float = 3.50  # $/MMBtu (assumption, not from the reference)
    variable_om: float = 6.0  # $/MWh, CT variable O&M (assumption, not from the reference)
    import_adder: float = 3.0  # $/MWh wheeling and losses on imports (assumption)


@dataclass(frozen=True)
class Block:
    """A slice of the supply curve: `mw` available from `source` at `cost` $/MWh."""

    source: str
    mw: float
    cost: float


@dataclass(frozen=True)
class HourInputs:
    """What one hour's supply curve depends on; storage defaults to the seasonal proxy."""

    hydro_available_mw: float
    wind_mw: float
    lmp: float  # expected MISO price at the interface, $/MWh
    day_of_year: float
    storage: float | None = None


def reservoir_state(day_of_year: np.ndarray | float) -> np.ndarray | float:
    """Expected storage fraction (0..1) by season: the simulator's water factor mapped
    onto STORAGE_RANGE, lowest in winter, highest after the June freshet. The proxy for
    storage when no reservoir telemetry exists."""
    lo, hi = _WATER_FACTOR_RANGE
    share = (water_factor(np.asarray(day_of_year, dtype=float)) - lo) / (hi - lo)
    return STORAGE_RANGE[0] + (STORAGE_RANGE[1] - STORAGE_RANGE[0]) * np.clip(share, 0.0, 1.0)


def water_value(
    storage: np.ndarray | float, day_of_year: np.ndarray | float, a: CostAssumptions
) -> np.ndarray | float:
    """Opportunity cost of flexible hydro, $/MWh: rises as storage falls and towards the
    late-winter peak day, falls after the freshet."""
    storage_term = np.exp(a.storage_elasticity * (a.reference_storage - np.asarray(storage)))
    phase = 2 * np.pi * (np.asarray(day_of_year, dtype=float) - a.seasonal_peak_day) / DAYS_PER_YEAR
    return a.base_water_value * storage_term * (1 + a.seasonal_amplitude * np.cos(phase))


def thermal_cost(a: CostAssumptions) -> float:
    """Brandon's marginal cost, $/MWh: heat rate x gas price + variable O&M."""
    return a.heat_rate * a.gas_price + a.variable_om


def supply_curve(hour: HourInputs, a: CostAssumptions) -> list[Block]:
    """The hour's blocks in merit order: wind and must-run hydro (free), flexible hydro at
    the water value, Brandon at its fuel cost, MISO imports at the price plus the adder."""
    storage = reservoir_state(hour.day_of_year) if hour.storage is None else hour.storage
    must_run = a.must_run_share * hour.hydro_available_mw
    blocks = [
        Block("wind", hour.wind_mw, 0.0),
        Block("must_run_hydro", must_run, 0.0),
        Block(
            "flexible_hydro",
            hour.hydro_available_mw - must_run,
            float(water_value(storage, hour.day_of_year, a)),
        ),
        Block("brandon", a.brandon_mw, thermal_cost(a)),
        Block("miso_import", MISO_IMPORT_MW, hour.lmp + a.import_adder),
    ]
    return sorted(blocks, key=lambda b: b.cost)  # stable: ties keep the order above


def supply_curves(frame: pl.DataFrame, a: CostAssumptions) -> pl.DataFrame:
    """`supply_curve` for many hours at once. `frame` has `hour`, `hydro_available_mw`,
    `wind_mw`, `lmp`, `day_of_year` and optionally `storage`; the result has one row per
    hour and block (`hour`, `source`, `mw`, `cost`, `cum_mw`) in merit order."""
    if "storage" not in frame.columns:
        frame = frame.with_columns(
            storage=pl.Series(reservoir_state(frame["day_of_year"].to_numpy()), dtype=pl.Float64)
        )
    wv = water_value(frame["storage"].to_numpy(), frame["day_of_year"].to_numpy(), a)
    hydro = pl.col("hydro_available_mw")
    parts = [
        ("wind", pl.col("wind_mw"), pl.lit(0.0)),
        ("must_run_hydro", a.must_run_share * hydro, pl.lit(0.0)),
        ("flexible_hydro", (1 - a.must_run_share) * hydro, pl.Series(wv)),
        ("brandon", pl.lit(a.brandon_mw), pl.lit(thermal_cost(a))),
        ("miso_import", pl.lit(MISO_IMPORT_MW), pl.col("lmp") + a.import_adder),
    ]
    blocks = pl.concat(
        [
            frame.select(
                "hour",
                pl.lit(rank).alias("_rank"),
                pl.lit(name).alias("source"),
                mw.cast(pl.Float64).alias("mw"),
                cost.cast(pl.Float64).alias("cost"),
            )
            for rank, (name, mw, cost) in enumerate(parts)
        ]
    )
    return (
        blocks.sort("hour", "cost", "_rank")
        .with_columns(cum_mw=pl.col("mw").cum_sum().over("hour"))
        .drop("_rank")
    )


def marginal_cost(
    load_mw: np.ndarray | float,
    hydro_available_mw: np.ndarray | float,
    wind_mw: np.ndarray | float,
    water_value: np.ndarray | float,
    thermal: float,
    must_run_share: float = CostAssumptions.must_run_share,
    brandon_mw: float = CostAssumptions.brandon_mw,
) -> np.ndarray | float:
    """Cost of the domestic block serving the last MW of load, $/MWh: 0 while wind and
    must-run hydro cover it, then the water value, then Brandon's cost; infinite when
    load exceeds all domestic supply (imports are needed at any price)."""
    load = np.asarray(load_mw, dtype=float)
    free = np.asarray(wind_mw) + must_run_share * np.asarray(hydro_available_mw)
    hydro_top = np.asarray(wind_mw) + np.asarray(hydro_available_mw)
    out = np.select(
        [load <= free, load <= hydro_top, load <= hydro_top + brandon_mw],
        [0.0, np.broadcast_to(water_value, load.shape), thermal],
        np.inf,
    )
    return float(out) if out.ndim == 0 else out
