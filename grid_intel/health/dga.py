"""Dissolved gas analysis: Duval triangle 1, IEEE C57.104 TDCG condition, Rogers
ratios and gas rate of rise. Inputs are ppm of gas dissolved in the oil."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

GASES = ("h2", "ch4", "c2h2", "c2h4", "c2h6", "co")  # the combustible gases TDCG sums
DUVAL_ZONES = ("PD", "D1", "D2", "T1", "T2", "T3", "DT")
# What each zone means, for the asset manager reading the score.
DUVAL_MEANING = {
    "PD": "partial discharge",
    "D1": "low-energy discharge",
    "D2": "high-energy discharge (arcing)",
    "T1": "thermal fault below 300 °C",
    "T2": "thermal fault 300-700 °C",
    "T3": "thermal fault above 700 °C",
    "DT": "mix of thermal and electrical faults",
}
TDCG_LIMITS_PPM = (720.0, 1920.0, 4630.0)  # upper bounds of conditions 1-3


def _non_negative(**ppm: float) -> None:
    bad = {k: v for k, v in ppm.items() if not np.isfinite(v) or v < 0}
    if bad:
        raise ValueError(f"gas concentrations must be finite ppm >= 0, got {bad}")


def duval_triangle_1(ch4_ppm: float, c2h4_ppm: float, c2h2_ppm: float) -> str:
    """The Duval triangle 1 zone of a gas mix: one of PD, D1, D2, T1, T2, T3, DT.

    Zones are read on the percentages of CH4, C2H4 and C2H2 in their sum (IEC
    60599 annex B). All three at zero has no zone: that is a ValueError.
    """
    _non_negative(ch4_ppm=ch4_ppm, c2h4_ppm=c2h4_ppm, c2h2_ppm=c2h2_ppm)
    total = ch4_ppm + c2h4_ppm + c2h2_ppm
    if total <= 0:
        raise ValueError("Duval triangle needs some CH4, C2H4 or C2H2; all three are 0 ppm")
    ch4, c2h4, c2h2 = (100.0 * g / total for g in (ch4_ppm, c2h4_ppm, c2h2_ppm))
    if ch4 >= 98:
        return "PD"
    if c2h4 < 23 and c2h2 > 13:
        return "D1"
    if (c2h2 > 13 and 23 <= c2h4 <= 40) or (c2h2 > 29 and c2h4 > 40):
        return "D2"
    if c2h4 < 20 and c2h2 < 4:
        return "T1"
    if 20 <= c2h4 <= 50 and c2h2 < 4:
        return "T2"
    if c2h4 > 50 and c2h2 < 15:
        return "T3"
    return "DT"


def tdcg(ppm: Mapping[str, float]) -> float:
    """Total dissolved combustible gas (IEEE C57.104): H2, CH4, C2H2, C2H4, C2H6, CO summed."""
    return float(sum(ppm[g] for g in GASES))


def tdcg_condition(total_ppm: float) -> int:
    """IEEE C57.104 condition 1-4 from TDCG (<= 720, 721-1,920, 1,921-4,630, > 4,630 ppm)."""
    return 1 + sum(total_ppm > limit for limit in TDCG_LIMITS_PPM)


@dataclass(frozen=True)
class RogersRatios:
    """R2 = C2H2/C2H4, R1 = CH4/H2, R5 = C2H4/C2H6 (None where the divisor is 0)."""

    c2h2_c2h4: float | None
    ch4_h2: float | None
    c2h4_c2h6: float | None


def rogers_ratios(h2: float, ch4: float, c2h2: float, c2h4: float, c2h6: float) -> RogersRatios:
    """The three Rogers ratios of IEEE C57.104."""
    _non_negative(h2=h2, ch4=ch4, c2h2=c2h2, c2h4=c2h4, c2h6=c2h6)

    def ratio(a: float, b: float) -> float | None:
        return a / b if b > 0 else None

    return RogersRatios(ratio(c2h2, c2h4), ratio(ch4, h2), ratio(c2h4, c2h6))


def rogers_case(r: RogersRatios) -> str:
    """The IEEE C57.104 Rogers ratio case, or 'unresolved' where no case matches."""
    if r.c2h2_c2h4 is None or r.ch4_h2 is None or r.c2h4_c2h6 is None:
        return "unresolved"
    r2, r1, r5 = r.c2h2_c2h4, r.ch4_h2, r.c2h4_c2h6
    if r2 < 0.1 and 0.1 <= r1 <= 1.0 and r5 < 1.0:
        return "normal"
    if r2 < 0.1 and r1 < 0.1 and r5 < 1.0:
        return "low-energy partial discharge"
    if 0.1 <= r2 <= 3.0 and 0.1 <= r1 <= 1.0 and r5 > 3.0:
        return "arcing, high-energy discharge"
    if r2 < 0.1 and 0.1 <= r1 <= 1.0 and 1.0 <= r5 <= 3.0:
        return "low-temperature thermal"
    if r2 < 0.1 and r1 > 1.0 and 1.0 <= r5 <= 3.0:
        return "thermal below 700 °C"
    if r2 < 0.1 and r1 > 1.0 and r5 > 3.0:
        return "thermal above 700 °C"
    return "unresolved"


def rate_of_rise(days: Sequence[float] | np.ndarray, ppm: Sequence[float] | np.ndarray) -> float:
    """Least-squares slope of a gas in ppm per day; 0 with fewer than two distinct times."""
    t = np.asarray(days, dtype=float)
    y = np.asarray(ppm, dtype=float)
    keep = np.isfinite(t) & np.isfinite(y)
    t, y = t[keep], y[keep]
    if t.size < 2 or np.ptp(t) == 0:
        return 0.0
    dt = t - t.mean()
    return float(np.dot(dt, y - y.mean()) / np.dot(dt, dt))
