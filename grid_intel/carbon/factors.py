"""Emission factors by fuel and by neighbouring zone, in g CO2e/kWh.

Figures are those of the reference (Electricity Maps defaults and MISO's
published averages). Lifecycle factors count construction, fuel supply and
methane leaks; direct factors count only what the stack emits.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

Basis = Literal["lifecycle", "direct"]
BASES: tuple[Basis, ...] = ("lifecycle", "direct")

LIFECYCLE_G_KWH: Mapping[str, float] = MappingProxyType(
    {
        "coal": 820.0,
        "gas": 490.0,
        "oil": 650.0,
        "biomass": 230.0,
        "solar": 45.0,
        "geothermal": 38.0,
        "hydro": 24.0,
        "nuclear": 12.0,
        "wind": 11.0,
        "unknown": 700.0,
    }
)

# No direct figure exists for "unknown": under the direct basis it is an error
# rather than a silent zero. Biomass counts as biogenic, hence 0.
DIRECT_G_KWH: Mapping[str, float] = MappingProxyType(
    {
        "coal": 760.0,
        "gas": 370.0,
        "oil": 406.0,
        "biomass": 0.0,
        "solar": 0.0,
        "geothermal": 0.0,
        "hydro": 0.0,
        "nuclear": 0.0,
        "wind": 0.0,
    }
)

# Station fuels of grid_intel.grid.stations that are not factor names.
FUEL_ALIASES: Mapping[str, str] = MappingProxyType({"diesel": "oil"})

MISO = "MHEB-MISO"
SASKPOWER = "SaskPower"
IESO = "IESO-Ontario"

MISO_AVERAGE_G_KWH: Mapping[int, float] = MappingProxyType({2022: 526.0, 2023: 501.0, 2024: 485.0})
# "Average factors run about 20 % above MISO's marginal factors."
MISO_AVERAGE_OVER_MARGINAL = 1.2


def fuel_factor(fuel: str, basis: Basis = "lifecycle") -> float:
    """The factor of one fuel (aliases such as diesel resolved); ValueError if none exists."""
    table = _table(basis)
    name = FUEL_ALIASES.get(fuel, fuel)
    if name not in table:
        known = sorted({*table, *FUEL_ALIASES})
        raise ValueError(f"no {basis} emission factor for fuel {fuel!r}; use one of {known}")
    return table[name]


def fuel_factors(basis: Basis = "lifecycle") -> dict[str, float]:
    """Every fuel name accepted under `basis`, aliases included, to its factor."""
    table = _table(basis)
    return {**table, **{a: table[f] for a, f in FUEL_ALIASES.items() if f in table}}


def miso_average(year: int | None = None) -> float:
    """MISO's average lifecycle intensity; the latest published year for later years or None."""
    latest = max(MISO_AVERAGE_G_KWH)
    if year is None or year > latest:
        return MISO_AVERAGE_G_KWH[latest]
    if year not in MISO_AVERAGE_G_KWH:
        raise ValueError(
            f"no MISO average for {year}; figures exist for {sorted(MISO_AVERAGE_G_KWH)}"
        )
    return MISO_AVERAGE_G_KWH[year]


def miso_marginal(average: float) -> float:
    """MISO's marginal intensity derived from its average by the reference's 20 % ratio."""
    return average / MISO_AVERAGE_OVER_MARGINAL


def zone_intensities(year: int | None = None) -> dict[str, float]:
    """Default lifecycle intensity of each interconnected zone, keyed by counterparty name."""
    return {
        MISO: miso_average(year),
        # The reference gives no figure for SaskPower or IESO-Ontario: both take
        # its "unknown" factor until a caller supplies a real one.
        SASKPOWER: LIFECYCLE_G_KWH["unknown"],
        IESO: LIFECYCLE_G_KWH["unknown"],
    }


def _table(basis: Basis) -> Mapping[str, float]:
    if basis == "lifecycle":
        return LIFECYCLE_G_KWH
    if basis == "direct":
        return DIRECT_G_KWH
    raise ValueError(f"unknown basis {basis!r}; use one of {list(BASES)}")
