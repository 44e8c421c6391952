"""Rolling-origin backtests: every model forecast from past origins, scored on what
followed (MAE, MAPE, rMAE against seasonal naive, pinball loss, interval coverage)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np

from grid_intel.forecasting.prediction import (
    Covariates,
    Fitted,
    Prediction,
    empirical_quantiles,
    level_shift,
)
from grid_intel.forecasting.series import MIN_HISTORY, ForecastInputError, Series

FOLDS = 14  # model choice on three folds was noise: a lucky day decided it
FOLD_GAP = timedelta(hours=5)

Fit = Callable[[Series, int, Sequence[float], Covariates], Fitted]


@dataclass
class ModelScore:
    model: str
    mae: float
    mape: float
    rmae: float
    pinball: float
    coverage: float
    errors: np.ndarray  # (folds, steps): actual - forecast
    importance: dict[str, float] = field(default_factory=dict)
    predictions: list[Prediction] = field(default_factory=list, repr=False)
    shift: np.ndarray | None = None  # conformal shift of native quantiles, all folds

    def as_dict(self) -> dict[str, float | str]:
        return {
            "model": self.model,
            "mae": round(self.mae, 4),
            "mape_pct": round(self.mape, 3),
            "rmae": round(self.rmae, 4),
            "pinball": round(self.pinball, 4),
            "coverage": round(self.coverage, 3),
        }


def origins(s: Series, steps: int, folds: int) -> list[int]:
    """Fold origins, latest last (its horizon ends with the history), each at least a
    horizon and FOLD_GAP apart (short horizons then sample several times of day) and
    with at least the minimum history before it."""
    first = s.per(MIN_HISTORY)
    gap = max(steps, s.per(FOLD_GAP), 1)
    out = [s.y.size - steps - k * gap for k in range(folds - 1, -1, -1)]
    out = [o for o in out if o >= first]
    if not out:
        need = MIN_HISTORY + steps * s.step
        raise ForecastInputError(
            f"too little history to backtest a {steps * s.step} horizon: "
            f"{s.y.size * s.step} given, at least {need} needed"
        )
    return out


# Covariates as known at an origin (by its index): a weather forecast's future is the
# issue before that origin, not what was observed later.
CovariatesAt = Callable[[int], dict[str, np.ndarray] | None]


def _slice(cov: Covariates | CovariatesAt, end: int, origin: int) -> Covariates:
    if callable(cov):
        cov = cov(origin)
    return {k: v[:end] for k, v in cov.items()} if cov else None


def fold_predictions(
    fit: Fit,
    s: Series,
    starts: Sequence[int],
    steps: int,
    levels: Sequence[float],
    covariates: Covariates | CovariatesAt,
    refit_every: int | None = None,
) -> list[Prediction]:
    """Each origin's forecast. A model is fitted at the first origin of every block of
    `refit_every` (None: at every origin) and predicts the block's later origins from
    their newer history, as a model card's fit serves a day of hourly issues: nothing
    after an origin is ever seen by the forecast from it."""
    preds: list[Prediction] = []
    fitted: Fitted | None = None
    for i, o in enumerate(starts):
        cov = _slice(covariates, o + steps, o)
        if fitted is None or refit_every is None or i % refit_every == 0:
            fitted = fit(s.head(o), steps, levels, cov)
        preds.append(fitted.predict(s.head(o), cov))
    return preds


def mape_pct(actual: np.ndarray, errors: np.ndarray) -> float:
    """Mean absolute percentage error (%) of `errors` (actual - forecast), over the points
    whose actual is not zero (NaN when none is)."""
    nonzero = np.abs(actual) > 1e-9
    if not nonzero.any():
        return np.nan
    return float(np.mean(np.abs(errors[nonzero] / actual[nonzero])) * 100)


def pinball(actual: np.ndarray, quant: np.ndarray, levels: Sequence[float]) -> float:
    diff = actual[:, None] - quant
    lv = np.asarray(levels)[None, :]
    return float(np.mean(np.maximum(lv * diff, (lv - 1) * diff)))


def run(
    s: Series,
    steps: int,
    models: dict[str, Fit],
    levels: Sequence[float],
    covariates: Covariates | CovariatesAt = None,
    folds: int = FOLDS,
    skipped: dict[str, str] | None = None,
    refit_every: Mapping[str, int] | None = None,
) -> tuple[dict[str, ModelScore], np.ndarray, float]:
    """Score each model over the same origins (with the actuals and seasonal naive's MAE);
    point-only models get quantiles from their errors on the other folds. A model the
    history is too short for is left out, with why, in `skipped`. `refit_every` maps a
    model to its `fold_predictions` block (absent: a fit at every fold)."""
    skipped = {} if skipped is None else skipped
    starts = origins(s, steps, folds)
    actual = np.stack([s.y[o : o + steps] for o in starts])
    preds: dict[str, list[Prediction]] = {}
    for name, fit in models.items():
        try:
            every = (refit_every or {}).get(name)
            preds[name] = fold_predictions(fit, s, starts, steps, levels, covariates, every)
        except ForecastInputError as e:  # this model cannot learn from so little: the others can
            skipped[name] = str(e)
    naive = preds.get("seasonal_naive")
    naive_mae = (
        float(np.mean(np.abs(actual - np.stack([p.point for p in naive])))) if naive else np.nan
    )
    scores = {name: score(name, p, actual, levels, naive_mae) for name, p in preds.items()}
    return scores, actual, naive_mae


def score(
    name: str,
    preds: list[Prediction],
    actual: np.ndarray,
    levels: Sequence[float],
    naive_mae: float,
) -> ModelScore:
    point = np.stack([p.point for p in preds])
    errors = actual - point
    native = (
        np.stack([p.quantiles for p in preds])
        if all(p.quantiles is not None for p in preds)
        else None
    )
    quants = []
    for i, p in enumerate(preds):
        # Each fold is scored with what the other folds taught: out of sample.
        others = [j for j in range(len(preds)) if j != i] or [i]
        if native is not None:
            quants.append(native[i] + level_shift(actual[others], native[others], levels))
        else:
            quants.append(empirical_quantiles(p.point, errors[others], levels))
    q = np.sort(np.stack(quants), axis=-1)
    lo, hi = q[..., 0], q[..., -1]
    mae = float(np.mean(np.abs(errors)))
    importance: dict[str, float] = {}
    for p in preds:
        for k, v in p.importance.items():
            importance[k] = importance.get(k, 0.0) + v / len(preds)
    return ModelScore(
        name,
        mae,
        mape_pct(actual, errors),
        mae / naive_mae if naive_mae and np.isfinite(naive_mae) else np.nan,
        float(np.mean([pinball(a, qq, levels) for a, qq in zip(actual, q, strict=True)])),
        float(np.mean((actual >= lo) & (actual <= hi))),
        errors,
        importance,
        preds,
        level_shift(actual, native, levels) if native is not None else None,
    )
