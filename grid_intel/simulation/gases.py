"""Dissolved gases of healthy, ageing transformer oil (ppm), as a function of time.

Paper and oil slowly decompose in service, so the key gases grow with the
unit's age; age is taken to the second (installed mid-year), so the levels
drift upwards hour by hour instead of stepping once a year. Acetylene needs
arcing and stays at trace level in a healthy unit.
"""

from __future__ import annotations

import numpy as np

SECONDS_PER_YEAR = 365.25 * 86400
# (ppm when new, ppm per year of service)
HEALTHY_PPM: dict[str, tuple[float, float]] = {
    "h2": (20.0, 1.2),
    "ch4": (8.0, 0.8),
    "c2h2": (0.3, 0.0),
    "c2h4": (4.0, 0.4),
    "c2h6": (12.0, 0.6),
    "co": (180.0, 9.0),
}


def service_years(install_year: int, epoch_s: np.ndarray | float) -> np.ndarray:
    """Years in service at `epoch_s` (Unix seconds), from the middle of the install year."""
    installed = (install_year - 1970 + 0.5) * SECONDS_PER_YEAR
    return np.clip((np.asarray(epoch_s, dtype=float) - installed) / SECONDS_PER_YEAR, 0, None)


def healthy_ppm(gas: str, install_year: int, epoch_s: np.ndarray | float) -> np.ndarray:
    new, per_year = HEALTHY_PPM[gas]
    return new + per_year * service_years(install_year, epoch_s)
