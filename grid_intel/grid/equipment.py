"""Equipment records: substations, transformers, lines, interties, breakers, RTUs, points."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from grid_intel.grid.cooling import CoolingClass

SubstationKind = Literal["generating", "converter", "transmission", "distribution"]
AssetKind = Literal["substation", "station", "transformer", "line", "breaker", "region", "intertie"]


@dataclass(frozen=True)
class Substation:
    id: str
    name: str
    region: str
    kind: SubstationKind
    voltage_kv: float
    lat: float
    lon: float
    station: str | None = None


@dataclass(frozen=True)
class Transformer:
    id: str
    substation: str
    rating_mva: float
    hv_kv: float
    lv_kv: float
    cooling: CoolingClass
    top_oil_rise_c: float  # rated ΔθTO,R over ambient
    hot_spot_rise_c: float  # rated ΔθH,R over top oil
    loss_ratio: float  # R: load loss / no-load loss at rated load
    install_year: int
    thermally_upgraded_paper: bool


@dataclass(frozen=True)
class Line:
    id: str
    from_substation: str
    to_substation: str
    voltage_kv: float
    length_km: float
    rating_a: float
    hvdc: bool = False


@dataclass(frozen=True)
class Intertie:
    """A tie to a neighbouring system; capabilities are the reference's approximations."""

    id: str
    counterparty: str
    substation: str
    export_mw: float
    import_mw: float


@dataclass(frozen=True)
class Breaker:
    id: str
    substation: str
    protects: str


@dataclass(frozen=True)
class Rtu:
    id: str
    substation: str
    scan_interval_s: float


@dataclass(frozen=True)
class Point:
    """One SCADA measurement: what it measures, on which asset, and its physical range."""

    id: str
    rtu: str
    asset: str
    asset_kind: AssetKind
    measurement: str
    unit: str
    low: float
    high: float

    @property
    def measured_analog(self) -> bool:
        """A sensor reading a physical quantity, the kind that can stick, spike or drop
        out: not a breaker's state or counter, a tap step, or the EMS's computed area
        loads and revenue-metered tie flows."""
        return (
            self.asset_kind not in ("breaker", "region", "intertie")
            and self.measurement != "tap_position"
        )
