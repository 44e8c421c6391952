"""Probability of failure (CNAIM) and remaining useful life from insulation life left."""

from __future__ import annotations

import math
from dataclasses import dataclass

from grid_intel.health.thermal import NORMAL_LIFE_H

# CNAIM's EHV/132 kV transformer curve (reference): K in fraction per year.
CNAIM_K = 0.000454
CNAIM_C = 1.087
CNAIM_H_FLOOR = 4.0  # CNAIM evaluates the curve at no less than H = 4
HOURS_PER_YEAR = 8766.0
# Expected service life of a power transformer (an assumption, not in the reference):
# with it, paper aged at the rate a 60-year life implies before monitoring began.
EXPECTED_LIFE_YEARS = 60.0
EXPECTED_LIFE_RANGE_YEARS = (45.0, 75.0)  # how far one unit's life may stray from it


def prior_rate(life_years: float = EXPECTED_LIFE_YEARS) -> float:
    """The ageing rate (F_EQA) at which the normal insulation life lasts `life_years`."""
    return NORMAL_LIFE_H / (life_years * HOURS_PER_YEAR)


PRIOR_AGEING_RATE = prior_rate()
RUL_CAP_YEARS = 100.0


def probability_of_failure(
    health_score: float, *, k: float = CNAIM_K, c: float = CNAIM_C, floor: float = CNAIM_H_FLOOR
) -> float:
    """CNAIM probability of failure per year, as a fraction, at a CNAIM health score
    (0.5 new, 5.5 at expected life, 10 end of life):
    K·(1 + C·H + (C·H)²/2 + (C·H)³/6), with H no less than `floor`."""
    if not math.isfinite(health_score) or health_score < 0:
        raise ValueError(f"a CNAIM health score is a finite number >= 0, got {health_score}")
    ch = c * max(health_score, floor)
    return k * (1 + ch + ch**2 / 2 + ch**3 / 6)


def cnaim_health_score(index: float) -> float:
    """The CNAIM health score (0.5 as new … 10 worst) of a 0-100 health index (100 as new)."""
    return 0.5 + 9.5 * (100.0 - index) / 100.0


def insulation_consumed(unmonitored_hours: float, monitored_ageing_hours: float) -> float:
    """Fraction of the 180,000 h normal insulation life used: the service before monitoring
    at the prior rate, plus the equivalent ageing hours (Σ F_AA·Δt) measured since."""
    return (
        max(unmonitored_hours, 0.0) * PRIOR_AGEING_RATE + monitored_ageing_hours
    ) / NORMAL_LIFE_H


@dataclass(frozen=True)
class RemainingLife:
    years: float
    low: float
    high: float


def blended_rate(
    observed_rate: float, observed_hours: float, prior: float = PRIOR_AGEING_RATE
) -> float:
    """The ageing rate to project with: what was measured, weighted by how much of a year
    it covers, the prior rate for the rest (a winter week alone would promise centuries)."""
    w = min(max(observed_hours, 0.0) / HOURS_PER_YEAR, 1.0)
    return w * observed_rate + (1.0 - w) * prior


def remaining_useful_life(
    consumed: float, rate: float, rate_low: float, rate_high: float, observed_hours: float
) -> RemainingLife:
    """Years until the insulation's normal life is used at the current ageing rate, capped
    at 100 years. The range takes the fastest and slowest daily rates seen and, for the
    part of the year not yet observed, the short and long ends of the expected life."""

    def years(r: float, prior: float) -> float:
        left_h = max(1.0 - consumed, 0.0) * NORMAL_LIFE_H
        per_year = blended_rate(r, observed_hours, prior) * HOURS_PER_YEAR
        return min(left_h / per_year, RUL_CAP_YEARS) if per_year > 0 else RUL_CAP_YEARS

    short, long = (prior_rate(y) for y in EXPECTED_LIFE_RANGE_YEARS)
    return RemainingLife(
        round(years(rate, PRIOR_AGEING_RATE), 2),
        round(years(rate_high, short), 2),
        round(years(rate_low, long), 2),
    )
