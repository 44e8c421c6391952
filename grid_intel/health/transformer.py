"""A transformer's condition factors, health index, failure probability and RUL.

Each factor turns one kind of evidence into a 0-4 score on a curve that never
rewards more load or more heat: insulation life consumed, the day's peak hot
spot against IEEE C57.91's limits, cooling (measured top oil above what the
thermal model gives for the measured load and ambient), dissolved gases,
loading, age, and maintenance and outage history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from grid_intel.health import dga
from grid_intel.health.failure import (
    EXPECTED_LIFE_YEARS,
    RemainingLife,
    cnaim_health_score,
    probability_of_failure,
    remaining_useful_life,
)
from grid_intel.health.index import Factor, band, health_index, score_curve
from grid_intel.health.thermal import ThermalParams, advance, ultimate_top_oil_rise

# (x, score) curves. Hot spot: 98 °C (IEC reference), 110 continuous, 120 normal
# cyclic, 140 long-term and 160 short-term emergency limits.
HOT_SPOT_C = ((98.0, 4.0), (110.0, 3.0), (120.0, 2.0), (140.0, 1.0), (160.0, 0.0))
TOP_OIL_EXCESS_C = ((3.0, 4.0), (8.0, 3.0), (15.0, 2.0), (25.0, 1.0), (40.0, 0.0))
LOAD_PU = ((1.0, 4.0), (1.2, 3.0), (1.3, 2.0), (1.5, 1.0), (1.8, 0.0))
TDCG_RATE_PPM_DAY = ((10.0, 4.0), (30.0, 2.0), (100.0, 0.0))  # IEEE C57.104 action rates
CONDITION_SCORE = {1: 4.0, 2: 3.0, 3: 1.5, 4: 0.0}
# Duval zones by severity, read only where the oil is gassing (condition ≥ 3 or rising).
ZONE_SCORE = {"PD": 3.0, "T1": 3.0, "T2": 2.0, "T3": 1.0, "DT": 1.0, "D1": 1.0, "D2": 0.0}
CORRECTIVE_ORDERS = ((0.0, 4.0), (1.0, 3.0), (2.0, 2.0), (4.0, 0.0))
OUTAGES = ((0.0, 4.0), (1.0, 3.5), (3.0, 2.0), (6.0, 0.0))
WEIGHTS = {
    "dga": 5.0,
    "cooling": 4.0,
    "hot_spot": 4.0,
    "insulation": 3.0,
    "loading": 2.0,
    "age": 2.0,
    "maintenance": 1.0,
    "outages": 1.0,
}


@dataclass(frozen=True)
class TransformerDay:
    """What one UTC day (and the windows behind it) says about one transformer."""

    asset: str
    service_years: float
    insulation_consumed: float  # fraction of normal life
    ageing_rate: float  # F_EQA over the trailing window
    ageing_rate_low: float
    ageing_rate_high: float
    observed_hours: float
    peak_hot_spot_c: float | None = None
    top_oil_excess_c: float | None = None
    peak_load_pu: float | None = None
    gases_ppm: Mapping[str, float] | None = None
    tdcg_rate_ppm_day: float | None = None
    corrective_orders: int = 0
    outages: int = 0


@dataclass(frozen=True)
class Assessment:
    asset: str
    factors: tuple[Factor, ...]
    health_index: float
    band: str
    cnaim_health_score: float
    probability_of_failure: float
    rul: RemainingLife | None
    diagnosis: dict[str, object] = field(default_factory=dict)

    def worst_factor(self) -> str:
        return min(self.factors, key=lambda f: (f.score, -f.weight)).name


def dga_factor(gases: Mapping[str, float], rate_ppm_day: float) -> tuple[Factor, dict[str, object]]:
    """The gas factor: the worst of TDCG condition, TDCG rate of rise and, for oil that
    is gassing, the Duval zone of the fault."""
    total = dga.tdcg(gases)
    condition = dga.tdcg_condition(total)
    scores = {
        "condition": CONDITION_SCORE[condition],
        "rate": score_curve(rate_ppm_day, TDCG_RATE_PPM_DAY),
    }
    key = (gases["ch4"], gases["c2h4"], gases["c2h2"])
    zone = dga.duval_triangle_1(*key) if sum(key) > 0 else None
    gassing = condition >= 3 or rate_ppm_day > TDCG_RATE_PPM_DAY[0][0]
    if gassing and zone is not None:
        scores["zone"] = ZONE_SCORE[zone]
    ratios = dga.rogers_ratios(
        gases["h2"], gases["ch4"], gases["c2h2"], gases["c2h4"], gases["c2h6"]
    )
    diagnosis = {
        "tdcg_ppm": round(total, 1),
        "tdcg_condition": condition,
        "tdcg_rate_ppm_day": round(rate_ppm_day, 2),
        "duval_zone": zone,
        "rogers_case": dga.rogers_case(ratios),
    }
    evidence = f"TDCG {total:.0f} ppm (condition {condition}), rising {rate_ppm_day:.1f} ppm/day"
    if "zone" in scores:
        evidence += f", Duval {zone}: {dga.DUVAL_MEANING[zone]}"
    score = min(scores.values())
    return Factor("dga", score, WEIGHTS["dga"], evidence, critical=True), diagnosis


def assess(day: TransformerDay) -> Assessment:
    """Factors, index, band, CNAIM PoF and RUL of one transformer-day; a factor without
    evidence (no DGA monitor, no readings) is left out rather than guessed."""
    factors = [
        Factor(
            "insulation",
            float(np.clip(4.0 * (1.0 - day.insulation_consumed), 0.0, 4.0)),
            WEIGHTS["insulation"],
            f"{100 * day.insulation_consumed:.1f} % of normal insulation life used",
        ),
        Factor(
            "age",
            score_curve(
                day.service_years,
                (
                    (0.0, 4.0),
                    (EXPECTED_LIFE_YEARS / 2, 3.0),
                    (EXPECTED_LIFE_YEARS, 1.0),
                    (1.25 * EXPECTED_LIFE_YEARS, 0.0),
                ),
            ),
            WEIGHTS["age"],
            f"{day.service_years:.0f} years in service of {EXPECTED_LIFE_YEARS:.0f} expected",
        ),
        Factor(
            "maintenance",
            score_curve(day.corrective_orders, CORRECTIVE_ORDERS),
            WEIGHTS["maintenance"],
            f"{day.corrective_orders} corrective work orders in the last 365 days",
        ),
        Factor(
            "outages",
            score_curve(day.outages, OUTAGES),
            WEIGHTS["outages"],
            f"{day.outages} unplanned outages in the last 365 days",
        ),
    ]
    if day.peak_hot_spot_c is not None:
        factors.append(
            Factor(
                "hot_spot",
                score_curve(day.peak_hot_spot_c, HOT_SPOT_C),
                WEIGHTS["hot_spot"],
                f"peak hot spot {day.peak_hot_spot_c:.1f} °C (limits 110 / 120 / 140 °C)",
                critical=True,
            )
        )
    if day.top_oil_excess_c is not None:
        excess = max(day.top_oil_excess_c, 0.0)
        factors.append(
            Factor(
                "cooling",
                score_curve(excess, TOP_OIL_EXCESS_C),
                WEIGHTS["cooling"],
                f"top oil up to {excess:.1f} °C above the IEEE C57.91 model for its load",
                critical=True,
            )
        )
    if day.peak_load_pu is not None:
        factors.append(
            Factor(
                "loading",
                score_curve(day.peak_load_pu, LOAD_PU),
                WEIGHTS["loading"],
                f"peak load {day.peak_load_pu:.2f} pu of nameplate in the last 30 days",
            )
        )
    diagnosis: dict[str, object] = {}
    if day.gases_ppm is not None:
        factor, diagnosis = dga_factor(day.gases_ppm, day.tdcg_rate_ppm_day or 0.0)
        factors.append(factor)
    index = health_index(factors)
    h = cnaim_health_score(index)
    rul = remaining_useful_life(
        day.insulation_consumed,
        day.ageing_rate,
        day.ageing_rate_low,
        day.ageing_rate_high,
        day.observed_hours,
    )
    return Assessment(
        day.asset,
        tuple(factors),
        index,
        band(index),
        round(h, 3),
        probability_of_failure(h),
        rul,
        diagnosis,
    )


def top_oil_excess(
    params: ThermalParams,
    load_pu: np.ndarray,
    ambient_c: np.ndarray,
    measured_top_oil_c: np.ndarray,
    compare_from: int = 0,
) -> float | None:
    """The largest hourly excess of measured mean top oil over the IEEE C57.91 model
    driven by the measured hourly loads and ambients (one transformer, hourly arrays).

    The model starts at steady state for the first hour and is compared from
    `compare_from` on, so hours before it only warm the model up. Each hour's
    modelled mean is the mean of its start and end temperatures.
    """
    ok = np.isfinite(load_pu) & np.isfinite(ambient_c)
    if not ok.any():
        return None
    load = _fill_forward(np.where(ok, load_pu, np.nan))
    ambient = _fill_forward(np.where(ok, ambient_c, np.nan))
    k = load[:, None]
    rise0 = ultimate_top_oil_rise(params, k[0])
    top, _, _ = advance(params, k, ambient[:, None], 60.0, (rise0, 0 * rise0))
    start = np.concatenate([[ambient[0] + rise0[0]], top[:-1, 0]])
    modelled = (start + top[:, 0]) / 2
    diff = (measured_top_oil_c - modelled)[compare_from:]
    diff = diff[np.isfinite(diff)]
    return float(diff.max()) if diff.size else None


def _fill_forward(values: np.ndarray) -> np.ndarray:
    """Gaps take the last known value (the first known one before it), so one missing
    hour does not break the model."""
    known = np.flatnonzero(np.isfinite(values))
    idx = np.maximum.accumulate(np.where(np.isfinite(values), np.arange(values.size), known[0]))
    return values[idx]
