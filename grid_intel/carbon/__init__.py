"""Carbon intensity of Manitoba's power: emission factors and flow-traced hourly intensity."""

from grid_intel.carbon.factors import (
    DIRECT_G_KWH,
    FUEL_ALIASES,
    IESO,
    LIFECYCLE_G_KWH,
    MISO,
    MISO_AVERAGE_G_KWH,
    MISO_AVERAGE_OVER_MARGINAL,
    SASKPOWER,
    Basis,
    fuel_factor,
    fuel_factors,
    miso_average,
    miso_marginal,
    zone_intensities,
)
from grid_intel.carbon.intensity import (
    Intensity,
    emissions_by_source,
    hourly_intensity,
    intensity,
)

__all__ = [
    "DIRECT_G_KWH",
    "FUEL_ALIASES",
    "IESO",
    "LIFECYCLE_G_KWH",
    "MISO",
    "MISO_AVERAGE_G_KWH",
    "MISO_AVERAGE_OVER_MARGINAL",
    "SASKPOWER",
    "Basis",
    "Intensity",
    "emissions_by_source",
    "fuel_factor",
    "fuel_factors",
    "hourly_intensity",
    "intensity",
    "miso_average",
    "miso_marginal",
    "zone_intensities",
]
