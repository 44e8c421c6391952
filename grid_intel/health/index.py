"""Weighted health index from condition factors scored 0-4, and its band.

HI = Σ Kj·Sj / Σ 4·Kj scaled to 0-100 (the reference's formula), with one
addition asset managers expect: a factor marked critical (active gassing, a
failing cooling system, a hot spot past its limit) caps the index, so one grave
finding cannot be averaged away by good ones. Every factor is kept with its
evidence, so the score can be explained.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

BANDS = ((85.0, "very good"), (70.0, "good"), (50.0, "fair"), (30.0, "poor"), (0.0, "very poor"))


@dataclass(frozen=True)
class Factor:
    """One condition factor: score 0 (worst) to 4 (as new), its weight and why."""

    name: str
    score: float
    weight: float
    evidence: str
    critical: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "score": round(self.score, 3),
            "weight": self.weight,
            "evidence": self.evidence,
            "critical": self.critical,
        }


def score_curve(x: float, points: Sequence[tuple[float, float]]) -> float:
    """Piecewise-linear score through (x, score) points with ascending x, flat beyond
    the ends. Curves here fall as x grows, so a worse measurement never scores better."""
    xs, ys = zip(*points, strict=True)
    return float(np.interp(x, xs, ys))


def critical_cap(score: float) -> float:
    """The index a critical factor allows: 20 at score 0 up to 100 at 4."""
    return 20.0 + 20.0 * score


def health_index(factors: Sequence[Factor]) -> float:
    """0-100, 100 as new: the weighted mean of the factor scores, capped by critical ones."""
    if not factors:
        raise ValueError("a health index needs at least one condition factor")
    bad = [f.name for f in factors if not 0.0 <= f.score <= 4.0 or f.weight <= 0]
    if bad:
        raise ValueError(f"factor scores must lie in 0-4 with positive weights: {bad}")
    weighted = (
        100.0 * sum(f.weight * f.score for f in factors) / sum(4.0 * f.weight for f in factors)
    )
    caps = [critical_cap(f.score) for f in factors if f.critical]
    return round(min([weighted, *caps]), 2)


def band(index: float) -> str:
    """The reference's band: very good ≥ 85, good ≥ 70, fair ≥ 50, poor ≥ 30, else very poor."""
    if not 0.0 <= index <= 100.0:
        raise ValueError(f"a health index lies in 0-100, got {index}")
    return next(name for floor, name in BANDS if index >= floor)
