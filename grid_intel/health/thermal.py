"""Transformer thermal model and insulation ageing (IEEE C57.91 clause 7, IEC 60076-7).

The simulator uses it to produce top-oil and hot-spot temperatures from load and
ambient; the health scores use the same functions to read ageing back from the
measurements. Temperatures move exponentially towards their ultimate values,
exactly so for inputs held constant over a step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from grid_intel.grid.cooling import COOLING
from grid_intel.grid.equipment import Transformer

REFERENCE_HOT_SPOT_C = 110.0  # thermally upgraded paper
NORMAL_LIFE_H = 180_000.0
WINDING_TIME_CONSTANT_MIN = 7.0  # IEEE C57.91 gives 5-10 min; not in the reference


@dataclass(frozen=True)
class ThermalParams:
    """Per-transformer constants as arrays, so a fleet steps together."""

    top_oil_rise_c: np.ndarray
    hot_spot_rise_c: np.ndarray
    loss_ratio: np.ndarray
    n: np.ndarray
    m: np.ndarray
    oil_tau_min: np.ndarray

    @classmethod
    def of(cls, transformers: list[Transformer] | tuple[Transformer, ...]) -> ThermalParams:
        cool = [COOLING[t.cooling] for t in transformers]
        return cls(
            np.array([t.top_oil_rise_c for t in transformers]),
            np.array([t.hot_spot_rise_c for t in transformers]),
            np.array([t.loss_ratio for t in transformers]),
            np.array([c.n for c in cool]),
            np.array([c.m for c in cool]),
            np.array([c.oil_time_constant_min for c in cool]),
        )


def ultimate_top_oil_rise(p: ThermalParams, k: np.ndarray) -> np.ndarray:
    """ΔθTO,U = ΔθTO,R · ((K²R + 1)/(R + 1))ⁿ."""
    return p.top_oil_rise_c * ((k**2 * p.loss_ratio + 1) / (p.loss_ratio + 1)) ** p.n


def ultimate_hot_spot_rise(p: ThermalParams, k: np.ndarray) -> np.ndarray:
    """ΔθH,U = ΔθH,R · K^(2m)."""
    return p.hot_spot_rise_c * np.abs(k) ** (2 * p.m)


Rises = tuple[np.ndarray, np.ndarray]  # top-oil over ambient, hot spot over top oil


def simulate(
    p: ThermalParams,
    load_pu: np.ndarray,
    ambient_c: np.ndarray,
    dt_min: float,
    start_at_steady_state: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Top-oil and hot-spot temperatures, arrays of shape (steps, transformers)."""
    load_pu = np.atleast_2d(load_pu)
    if start_at_steady_state:
        rises = (ultimate_top_oil_rise(p, load_pu[0]), ultimate_hot_spot_rise(p, load_pu[0]))
    else:
        rises = (0 * p.n, 0 * p.n)
    top, hot, _ = advance(p, load_pu, ambient_c, dt_min, rises)
    return top, hot


def advance(
    p: ThermalParams, load_pu: np.ndarray, ambient_c: np.ndarray, dt_min: float, rises: Rises
) -> tuple[np.ndarray, np.ndarray, Rises]:
    """Step the fleet from `rises`; temperatures per step and the rises to carry on from."""
    load_pu = np.atleast_2d(load_pu)
    ambient_c = np.broadcast_to(np.atleast_2d(ambient_c), load_pu.shape)
    a_oil = np.exp(-dt_min / p.oil_tau_min)
    a_wdg = np.exp(-dt_min / WINDING_TIME_CONSTANT_MIN)
    top_rise, hs_rise = rises
    top = np.empty(load_pu.shape)
    hot = np.empty(load_pu.shape)
    for i, k in enumerate(load_pu):
        top_u, hs_u = ultimate_top_oil_rise(p, k), ultimate_hot_spot_rise(p, k)
        top_rise = top_u + (top_rise - top_u) * a_oil
        hs_rise = hs_u + (hs_rise - hs_u) * a_wdg
        top[i] = ambient_c[i] + top_rise
        hot[i] = top[i] + hs_rise
    return top, hot, (top_rise, hs_rise)


def ageing_acceleration(hot_spot_c: np.ndarray) -> np.ndarray:
    """F_AA for thermally upgraded paper, 1 at 110 °C."""
    return np.exp(15000.0 / 383.0 - 15000.0 / (np.asarray(hot_spot_c) + 273.0))


def aging_acceleration_factor(hot_spot_c: float) -> float:
    """IEEE C57.91 ageing acceleration factor F_AA of thermally upgraded paper at a
    hot-spot temperature in °C: 1 at 110 °C, about doubling every 6-7 °C above it."""
    if not np.isfinite(hot_spot_c) or hot_spot_c <= -273.0:
        raise ValueError(f"hot-spot temperature must be a finite °C above -273, got {hot_spot_c}")
    return float(ageing_acceleration(hot_spot_c))


def relative_ageing_iec(hot_spot_c: np.ndarray) -> np.ndarray:
    """IEC 60076-7 relative ageing of non-upgraded paper, 1 at 98 °C."""
    return 2.0 ** ((np.asarray(hot_spot_c) - 98.0) / 6.0)


def equivalent_ageing(hot_spot_c: np.ndarray, upgraded_paper: bool = True) -> float:
    """F_EQA over equally spaced samples."""
    f = ageing_acceleration(hot_spot_c) if upgraded_paper else relative_ageing_iec(hot_spot_c)
    return float(np.mean(f))


def loss_of_life_pct(hot_spot_c: np.ndarray, hours: float, upgraded_paper: bool = True) -> float:
    """Insulation life consumed over `hours`, % of the 180,000 h normal life."""
    return 100.0 * equivalent_ageing(hot_spot_c, upgraded_paper) * hours / NORMAL_LIFE_H
