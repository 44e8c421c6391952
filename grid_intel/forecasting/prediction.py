"""What every model returns, what a fitted model is, and quantiles from past errors for
models without their own.

A model is fitted once (daily, for the model cards) and predicts many times (hourly
issues) from newer history: `Fitted.predict` takes the history as it is then.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from grid_intel.forecasting.series import Series

Covariates = dict[str, np.ndarray] | None  # history + horizon long, one array per name


@dataclass
class Prediction:
    """Point forecast per lead, quantiles per lead (or None), feature importance if any."""

    point: np.ndarray  # (steps,)
    quantiles: np.ndarray | None = None  # (steps, len(levels))
    importance: dict[str, float] = field(default_factory=dict)


class Fitted(Protocol):
    """A model fitted for a horizon; `predict` forecasts it from the end of `s`, which may
    run past the history it was fitted on (covariates then span `s` and the horizon)."""

    def predict(self, s: Series, covariates: Covariates = None) -> Prediction: ...


FitPredict = Callable[[Series, int, Sequence[float], Covariates], Prediction]


@dataclass
class Refit:
    """Models with no cheap state to carry (seasonal naive, Prophet, the LSTM): predicting
    fits them again on the history given."""

    fit_predict: FitPredict
    steps: int
    levels: tuple[float, ...]

    def predict(self, s: Series, covariates: Covariates = None) -> Prediction:
        return self.fit_predict(s, self.steps, self.levels, covariates)


@dataclass
class Mean:
    """An ensemble: the mean of its members' point forecasts."""

    members: list[Fitted]

    def predict(self, s: Series, covariates: Covariates = None) -> Prediction:
        return Prediction(np.mean([m.predict(s, covariates).point for m in self.members], axis=0))


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
