"""Generation and interchange: hydro meets load plus exports, wind follows the wind,
Brandon's gas turbines start only when hydro and imports cannot cover the load.

Water available to the hydro fleet follows the season (spring freshet high,
late winter low); exports fill the hydro headroom, more in MISO's on-peak hours,
within the intertie capabilities of the reference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from grid_intel.grid.hydro import HYDRO, HYDRO_MW, hydro_available
from grid_intel.grid.registry import INTERTIES
from grid_intel.grid.stations import STATIONS, Station
from grid_intel.simulation.market import EST_OFFSET_H  # MISO's clock: EST all year

WIND_AVAILABILITY = 0.97
HUB_HEIGHT_FACTOR = 1.25  # regional wind is near-surface; turbines sit ~80 m up
CUT_IN_MS, RATED_MS, CUT_OUT_MS = 3.0, 12.0, 25.0

WIND = tuple(s for s in STATIONS if s.fuel == "wind")
GAS = tuple(s for s in STATIONS if s.fuel == "gas")
GAS_MW = sum(s.capacity_mw for s in GAS)
EXPORT_CAP_MW = {cp: exp for _, cp, _, exp, _ in INTERTIES}
IMPORT_CAP_MW = {cp: imp for _, cp, _, _, imp in INTERTIES}


@dataclass(frozen=True)
class Dispatch:
    generation: pl.DataFrame  # ts, station, fuel, mw
    interchange: pl.DataFrame  # ts, counterparty, net_export_mw


def wind_power_fraction(speed_ms: np.ndarray) -> np.ndarray:
    """A turbine power curve: cubic between cut-in and rated, zero past cut-out."""
    hub = speed_ms * HUB_HEIGHT_FACTOR
    ramp = np.clip((hub**3 - CUT_IN_MS**3) / (RATED_MS**3 - CUT_IN_MS**3), 0.0, 1.0)
    return np.where(hub >= CUT_OUT_MS, 0.0, ramp)


def on_peak(ts: pl.Series) -> np.ndarray:
    """MISO on-peak: HE 8-23 EST (07:00-22:00), Monday to Friday."""
    est = ts.dt.offset_by(f"{EST_OFFSET_H}h")
    hour, weekday = est.dt.hour().to_numpy(), est.dt.weekday().to_numpy()
    return (hour >= 7) & (hour < 22) & (weekday <= 5)


def dispatch(ts: pl.Series, load_mw: np.ndarray, wind_ms: np.ndarray) -> Dispatch:
    """Dispatch for province load `load_mw` and wind speed at the wind farms, per timestamp."""
    wind_mw = {s.id: s.capacity_mw * WIND_AVAILABILITY * wind_power_fraction(wind_ms) for s in WIND}
    wind_total = sum(wind_mw.values())
    doy = ts.dt.ordinal_day().to_numpy()
    hydro_avail = hydro_available(doy)
    net_load = load_mw - wind_total

    headroom = hydro_avail - net_load
    export_total = sum(EXPORT_CAP_MW.values())
    propensity = np.where(on_peak(ts), 0.75, 0.45)
    exports = np.clip(headroom * propensity, 0.0, export_total)
    shortfall = np.clip(-headroom, 0.0, None)
    import_total = sum(IMPORT_CAP_MW.values())
    imports = np.minimum(shortfall, import_total)
    gas = np.minimum(shortfall - imports, GAS_MW)
    hydro = net_load + exports - imports - gas
    if np.any(shortfall - imports - gas > 1e-6):
        raise ValueError("load exceeds hydro, wind, gas and import capability")

    net_export = exports - imports
    gen_parts = [_rows(ts, s, hydro * s.capacity_mw / HYDRO_MW) for s in HYDRO]
    gen_parts += [_rows(ts, s, wind_mw[s.id]) for s in WIND]
    gen_parts += [_rows(ts, s, gas * s.capacity_mw / GAS_MW) for s in GAS]
    # Interchange splits by each tie's capability in the direction of flow.
    ties = []
    for cp in EXPORT_CAP_MW:
        share = np.where(
            net_export >= 0, EXPORT_CAP_MW[cp] / export_total, IMPORT_CAP_MW[cp] / import_total
        )
        ties.append(
            pl.DataFrame({"ts": ts, "counterparty": cp, "net_export_mw": net_export * share})
        )
    return Dispatch(pl.concat(gen_parts), pl.concat(ties))


def _rows(ts: pl.Series, station: Station, mw: np.ndarray) -> pl.DataFrame:
    return pl.DataFrame({"ts": ts, "station": station.id, "fuel": station.fuel, "mw": mw})
