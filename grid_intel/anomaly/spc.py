"""Statistical process control on one signal: EWMA and CUSUM charts and the Western
Electric rules, each against a baseline mean and sigma estimated from in-control data.

Every function takes the signal and its baseline and returns one boolean per point,
so detectors combine them freely; NaN points are never flagged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Baseline:
    """In-control mean and sigma of a signal."""

    mean: float
    sigma: float

    @classmethod
    def robust(cls, x: np.ndarray) -> Baseline:
        """Median and MAD-based sigma: a few faulty points in the training window do not
        widen the limits the way a plain standard deviation would."""
        x = x[np.isfinite(x)]
        if x.size < 2:
            raise ValueError("a baseline needs at least two finite values")
        median = float(np.median(x))
        mad = float(np.median(np.abs(x - median))) * 1.4826
        return cls(median, mad if mad > 0 else float(np.std(x)) or 1e-9)


def ewma(x: np.ndarray, base: Baseline, lam: float = 0.2, width: float = 3.0) -> np.ndarray:
    """EWMA chart: the smoothed signal outside mean ± width·sigma·sqrt(λ/(2-λ)·(1-(1-λ)^2t))
    (the exact, time-varying limits, so the first points are not over-flagged)."""
    if not 0 < lam <= 1:
        raise ValueError(f"lambda must be in (0, 1], got {lam}")
    z = np.empty(x.size)
    level = base.mean
    for t, v in enumerate(x):
        if np.isfinite(v):
            level = lam * v + (1 - lam) * level
        z[t] = level
    t = np.arange(1, x.size + 1)
    limit = width * base.sigma * np.sqrt(lam / (2 - lam) * (1 - (1 - lam) ** (2 * t)))
    return (np.abs(z - base.mean) > limit) & np.isfinite(x)


def cusum(x: np.ndarray, base: Baseline, k: float = 0.5, h: float = 5.0) -> np.ndarray:
    """Two-sided tabular CUSUM with reference k and decision interval h (both in sigmas):
    flags points where either cumulative sum exceeds h; it restarts after each alarm run
    ends, so a sustained shift stays flagged and a recovered signal clears."""
    z = (x - base.mean) / base.sigma
    hi = lo = 0.0
    out = np.zeros(x.size, dtype=bool)
    for t, v in enumerate(z):
        if not np.isfinite(v):
            continue
        hi = max(0.0, hi + v - k)
        lo = max(0.0, lo - v - k)
        out[t] = hi > h or lo > h
    return out


def western_electric(x: np.ndarray, base: Baseline) -> dict[str, np.ndarray]:
    """The four Western Electric rules, each a boolean per point (the point that completes
    the pattern is flagged):
    1: one point beyond 3 sigma; 2: two of three beyond 2 sigma on the same side;
    3: four of five beyond 1 sigma on the same side; 4: eight in a row on the same side."""
    z = (x - base.mean) / base.sigma
    finite = np.isfinite(z)
    z = np.where(finite, z, 0.0)
    rules = {"rule1": np.abs(z) > 3}
    for name, (n, m, level) in {"rule2": (2, 3, 2.0), "rule3": (4, 5, 1.0)}.items():
        flags = np.zeros(z.size, dtype=bool)
        for sign in (1, -1):
            beyond = (sign * z > level).astype(int)
            counts = np.convolve(beyond, np.ones(m, dtype=int))[: z.size]
            flags |= (counts >= n) & (sign * z > level)
        rules[name] = flags
    side = np.sign(z)
    run = np.zeros(z.size, dtype=int)
    for t in range(z.size):
        same = t > 0 and side[t] != 0 and side[t] == side[t - 1]
        run[t] = run[t - 1] + 1 if same else (1 if side[t] != 0 else 0)
    rules["rule4"] = run >= 8
    return {k: v & finite for k, v in rules.items()}
