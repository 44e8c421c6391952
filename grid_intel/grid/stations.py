"""Manitoba Hydro's generating stations and the contracted wind farms.

Capacities are the published figures of the reference (`approx.` ones flagged).
The four diesel plants serve off-grid northern communities and never feed the
integrated system.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Fuel = Literal["hydro", "gas", "wind", "diesel"]


@dataclass(frozen=True)
class Station:
    id: str
    name: str
    fuel: Fuel
    capacity_mw: float
    region: str
    place: str
    units: int
    approximate: bool = False
    grid_connected: bool = True


STATIONS: tuple[Station, ...] = (
    Station("limestone", "Limestone", "hydro", 1340, "north", "Nelson River", 10),
    Station("kettle", "Kettle", "hydro", 1220, "north", "Nelson River", 12),
    Station("long_spruce", "Long Spruce", "hydro", 1010, "north", "Nelson River", 10),
    Station("keeyask", "Keeyask", "hydro", 695, "north", "Nelson River", 7),
    Station("grand_rapids", "Grand Rapids", "hydro", 479, "north", "Saskatchewan River", 4),
    Station("kelsey", "Kelsey", "hydro", 316, "north", "Nelson River", 7),
    Station(
        "wuskwatim", "Wuskwatim", "hydro", 200, "north", "Burntwood River", 3, approximate=True
    ),
    Station("seven_sisters", "Seven Sisters", "hydro", 165, "eastman", "Winnipeg River", 6),
    Station("jenpeg", "Jenpeg", "hydro", 135, "north", "Nelson River", 6),
    Station("great_falls", "Great Falls", "hydro", 131, "eastman", "Winnipeg River", 6),
    Station(
        "pine_falls", "Pine Falls", "hydro", 82, "eastman", "Winnipeg River", 6, approximate=True
    ),
    Station("pointe_du_bois", "Pointe du Bois", "hydro", 78, "eastman", "Winnipeg River", 5),
    Station("slave_falls", "Slave Falls", "hydro", 67, "eastman", "Winnipeg River", 8),
    Station("mcarthur", "McArthur", "hydro", 55, "eastman", "Winnipeg River", 8),
    Station("brandon", "Brandon", "gas", 280, "westman", "Brandon", 2),
    Station("st_joseph", "St. Joseph", "wind", 138, "central", "near Letellier", 60),
    Station("st_leon", "St. Leon", "wind", 99, "central", "St. Leon", 63),
    Station("brochet", "Brochet", "diesel", 2.5, "north", "Brochet", 3, True, False),
    Station("lac_brochet", "Lac Brochet", "diesel", 2.5, "north", "Lac Brochet", 3, True, False),
    Station("shamattawa", "Shamattawa", "diesel", 2.5, "north", "Shamattawa", 3, True, False),
    Station("tadoule_lake", "Tadoule Lake", "diesel", 2.5, "north", "Tadoule Lake", 3, True, False),
)

STATIONS_BY_ID: dict[str, Station] = {s.id: s for s in STATIONS}


def capacity_mw(fuel: Fuel | None = None, *, grid_connected: bool = True) -> float:
    """Installed capacity, optionally of one fuel, of the integrated system by default."""
    return sum(
        s.capacity_mw
        for s in STATIONS
        if (fuel is None or s.fuel == fuel) and (s.grid_connected or not grid_connected)
    )
