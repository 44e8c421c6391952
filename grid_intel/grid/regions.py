"""Manitoba's load regions.

Load shares are modelling assumptions, not published figures: Winnipeg holds
about half the province's people and most commercial load; the north carries
mining and the HVDC converter load; the rest is spread by population.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    id: str
    name: str
    load_share: float
    lat: float
    lon: float
    # Mean temperature offset from Winnipeg, °C (north is colder).
    temp_offset_c: float


REGIONS: tuple[Region, ...] = (
    Region("winnipeg", "Winnipeg", 0.50, 49.90, -97.14, 0.0),
    Region("westman", "Westman", 0.10, 49.85, -99.95, -0.5),
    Region("eastman", "Eastman", 0.08, 49.75, -96.40, -0.5),
    Region("central", "Central Plains and Pembina Valley", 0.08, 49.20, -98.10, 0.5),
    Region("interlake", "Interlake", 0.07, 50.60, -97.30, -1.0),
    Region("parkland", "Parkland", 0.06, 51.15, -100.05, -1.5),
    Region("north", "Northern Manitoba", 0.11, 55.75, -97.85, -7.0),
)

REGIONS_BY_ID: dict[str, Region] = {r.id: r for r in REGIONS}
