"""Transformer cooling classes with the IEEE C57.91 exponents and oil time constants."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CoolingClass = Literal["ONAN", "ONAF", "OF", "OD"]


@dataclass(frozen=True)
class Cooling:
    name: CoolingClass
    n: float  # top-oil exponent
    m: float  # winding (hot-spot) exponent
    oil_time_constant_min: float


COOLING: dict[CoolingClass, Cooling] = {
    "ONAN": Cooling("ONAN", 0.8, 0.8, 210.0),
    "ONAF": Cooling("ONAF", 0.9, 0.8, 150.0),
    "OF": Cooling("OF", 0.9, 0.8, 90.0),
    "OD": Cooling("OD", 1.0, 1.0, 90.0),
}
