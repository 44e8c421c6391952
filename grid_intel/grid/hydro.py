"""What the hydro fleet can give by season: capability x availability x water.

Water available to the fleet follows the season (spring freshet high, late winter
low). The simulator dispatches with it and the market's costs and signals price
with it, so it lives here, beside the stations it describes.
"""

from __future__ import annotations

import numpy as np

from grid_intel.grid.stations import STATIONS

HYDRO_AVAILABILITY = 0.92  # units out for maintenance and forced outages
HYDRO = tuple(s for s in STATIONS if s.fuel == "hydro")
HYDRO_MW = sum(s.capacity_mw for s in HYDRO)


def water_factor(day_of_year: np.ndarray) -> np.ndarray:
    """Share of hydro capability the water supports: ~0.88 in late winter, ~1 at the freshet."""
    return 0.94 + 0.06 * np.cos(2 * np.pi * (day_of_year - 170) / 365.25)


def hydro_available(day_of_year: np.ndarray) -> np.ndarray:
    """MW the hydro fleet can give by season: capability x availability x water."""
    return HYDRO_MW * HYDRO_AVAILABILITY * water_factor(day_of_year)
