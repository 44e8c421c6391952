"""What every model returns, and quantiles from past errors for those without their own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Prediction:
    """Point forecast per lead, quantiles per lead (or None), feature importance if any."""

    point: np.ndarray  # (steps,)
    quantiles: np.ndarray | None = None  # (steps, len(levels))
    importance: dict[str, float] = field(default_factory=dict)


def empirical_quantiles(
    point: np.ndarray, errors: np.ndarray, levels: Sequence[float]
) -> np.ndarray:
    """Point forecast plus quantiles of past errors (actual - forecast) at each lead.

    `errors` is (origins, steps); each lead pools its neighbours (± a tenth of the
    horizon) so a few origins still give stable intervals. Quantiles are sorted so
    they never cross.
    """
    steps = point.size
    out = np.empty((steps, len(levels)))
    width = max(1, steps // 10)
    for h in range(steps):
        pooled = errors[:, max(0, h - width) : h + width + 1].ravel()
        pooled = pooled[np.isfinite(pooled)]
        out[h] = point[h] + (np.quantile(pooled, levels) if pooled.size else 0.0)
    return np.sort(out, axis=1)


def level_shift(actual: np.ndarray, quantiles: np.ndarray, levels: Sequence[float]) -> np.ndarray:
    """Conformal correction of native quantiles: per level, the level-quantile of what the
    actuals overshot them by on past folds (0 where they were already calibrated)."""
    if actual.size == 0:
        return np.zeros(len(levels))
    over = actual[..., None] - quantiles  # (folds, steps, levels)
    return np.array([np.quantile(over[..., i], q) for i, q in enumerate(levels)])
