"""`forecast()`: the one call notebooks and the demand assets make.

`model="auto"` backtests every fast model on rolling origins of the history, adds
the mean of the best two as a candidate, and forecasts with whichever scored the
lowest MAE, so it is never worse on the backtest than the best single model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl

from grid_intel.forecasting import backtest, baselines, lstm, prophet_model, xgb
from grid_intel.forecasting.backtest import Fit, ModelScore
from grid_intel.forecasting.prediction import (
    Covariates,
    FitPredict,
    Fitted,
    Mean,
    Prediction,
    Refit,
    empirical_quantiles,
)
from grid_intel.forecasting.series import ForecastInputError, Series, prepare, steps_of


def _refit(fn: FitPredict) -> Fit:
    return lambda s, steps, levels, cov: Refit(fn, steps, tuple(levels))


MODELS: dict[str, Fit] = {
    "seasonal_naive": _refit(baselines.seasonal_naive),
    "mstl": lambda s, steps, levels, cov: baselines.fit_mstl(s, steps),
    "mstl_log": lambda s, steps, levels, cov: baselines.fit_mstl(s, steps, log=True),
    "profiles": lambda s, steps, levels, cov: baselines.fit_profiles(s, steps),
    "xgboost": xgb.fit,
    "prophet": _refit(prophet_model.fit_predict),
}
if lstm.available():  # the optional `lstm` extra (PyTorch)
    MODELS["lstm"] = _refit(lstm.fit_predict)
BASELINES = ("seasonal_naive", "mstl")
ENSEMBLE = "ensemble"
# Fitted only when asked for (by name or in `candidates`): each costs about a minute on
# 4,000 points, and neither won a backtest it was in on the real series.
SLOW = ("prophet", "lstm")
# In `auto`, the costly learners fit once per this many folds and the fit predicts the
# block's later origins (see `backtest.fold_predictions`): XGBoost fits seven boosters
# for a day ahead, 1.4 s on 4,000 points. The decompositions cost 0.06 s a fit and refit
# at every fold, as explicit models do: their fresh fits are what rank them right (on
# Taylor's series, reused fits cost auto 0.04 MAPE points).
AUTO_REFIT_EVERY = {"xgboost": 7, "prophet": 7, "lstm": 7}


@dataclass
class Forecaster:
    """The chosen model fitted for one horizon, with the backtest errors its quantiles
    come from: the artifact a model card keeps, so an hourly issue only predicts."""

    model: str
    target: str
    step: timedelta
    steps: int
    levels: tuple[float, ...]
    fitted: Fitted
    errors: np.ndarray  # (folds, steps) backtest errors, actual - forecast
    shift: np.ndarray | None  # conformal shift of native quantiles, if the model has them
    covariates: tuple[str, ...] = ()  # the covariates it learned from, needed again

    def predict(
        self, history: pl.DataFrame, covariates: pl.DataFrame | None = None
    ) -> pl.DataFrame:
        """The forecast frame (`ts`, `yhat`, quantiles, `model`) from the end of `history`,
        which may be newer than the one the model was fitted on."""
        s = prepare(history, self.target)
        if s.step != self.step:
            raise ForecastInputError(
                f"this {self.model} was fitted on a {self.step} series; {s.step} given"
            )
        given = () if covariates is None else tuple(c for c in covariates.columns if c != "ts")
        if sorted(given) != sorted(self.covariates):
            raise ForecastInputError(
                f"this {self.model} learned from covariates {list(self.covariates)}; "
                f"predict needs the same, {list(given)} given"
            )
        return self._frame(s, _covariates(covariates, s, self.steps))

    def _frame(self, s: Series, cov: dict[str, np.ndarray] | None) -> pl.DataFrame:
        pred = self.fitted.predict(s, cov)
        if pred.quantiles is not None and self.shift is not None:
            quant = np.sort(pred.quantiles + self.shift, axis=1)
        else:
            quant = empirical_quantiles(pred.point, self.errors, self.levels)
        out = {
            "ts": s.future(self.steps),
            "yhat": pred.point,
            **{quantile_column(q): quant[:, i] for i, q in enumerate(self.levels)},
        }
        return pl.DataFrame(out).with_columns(
            pl.col("ts").cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),
            pl.lit(self.model).alias("model"),
        )


@dataclass
class ForecastReport:
    """The forecast, the model that made it and every candidate's backtest."""

    frame: pl.DataFrame
    forecaster: Forecaster
    model: str
    scores: list[dict[str, float | str]]
    importance: dict[str, float]
    step: timedelta
    steps: int
    filled: int
    skipped: dict[str, str]  # candidates the history was too short for, and why


def quantile_column(q: float) -> str:
    return f"yhat_p{q * 100:g}"


def _levels(quantiles: Sequence[float]) -> tuple[float, ...]:
    qs = tuple(sorted(set(quantiles)))
    if not qs or not all(0 < q < 1 for q in qs):
        raise ForecastInputError(f"quantiles must lie strictly between 0 and 1, got {quantiles}")
    return qs


def _covariates(
    covariates: pl.DataFrame | None, s: Series, steps: int
) -> dict[str, np.ndarray] | None:
    """Covariates on the history's grid and the horizon's; the future must be known."""
    if covariates is None:
        return None
    if "ts" not in covariates.columns:
        raise ForecastInputError("covariates need a 'ts' column like the history")
    names = [c for c in covariates.columns if c != "ts"]
    bad = [c for c in names if not covariates.schema[c].is_numeric()]
    if bad:
        raise ForecastInputError(f"covariates must be numeric: {bad}")
    grid = pl.DataFrame({"ts": np.concatenate([s.ts, s.future(steps)])})
    cov = covariates.select(
        pl.col("ts").dt.convert_time_zone("UTC").dt.cast_time_unit("us").cast(pl.Int64),
        *(pl.col(c).cast(pl.Float64) for c in names),
    ).unique("ts", keep="last")
    joined = grid.join(cov, on="ts", how="left").sort("ts")
    future = joined.tail(steps)
    gaps = {c: future[c].null_count() for c in names if future[c].null_count()}
    if gaps:
        raise ForecastInputError(
            f"covariates must cover the whole horizon (a weather forecast, say); missing {gaps}"
        )
    joined = joined.with_columns(pl.col(names).forward_fill().backward_fill())
    return {c: joined[c].to_numpy() for c in names}


def members_of(model: str) -> list[str]:
    """The models a name stands for: itself, or those of `ensemble(a+b)`."""
    names = (
        model.removeprefix(f"{ENSEMBLE}(").removesuffix(")").split("+")
        if model.startswith(f"{ENSEMBLE}(")
        else [model]
    )
    unknown = [n for n in names if n not in MODELS]
    if unknown or not names:
        raise ForecastInputError(
            f"unknown model {model!r}; choose auto, one of {list(MODELS)} "
            f"or {ENSEMBLE}(a+b) of them"
        )
    return names


def _importance(members: Sequence[ModelScore]) -> dict[str, float]:
    """The learned members' backtest feature importance, averaged over the members and
    scaled to sum to one (a decomposition has none)."""
    out: dict[str, float] = {}
    for m in members:
        for k, v in m.importance.items():
            out[k] = out.get(k, 0.0) + v
    total = sum(out.values()) or 1.0
    return {k: round(v / total, 4) for k, v in sorted(out.items(), key=lambda kv: -kv[1])}


def _ensemble(members: Sequence[ModelScore], actual: np.ndarray, levels, naive_mae) -> ModelScore:
    folds = [
        Prediction(np.mean([m.predictions[i].point for m in members], axis=0))
        for i in range(actual.shape[0])
    ]
    name = f"{ENSEMBLE}({'+'.join(m.model for m in members)})"
    return backtest.score(name, folds, actual, levels, naive_mae)


def forecast_report(
    history: pl.DataFrame,
    horizon: timedelta | int,
    *,
    target: str = "demand_mw",
    covariates: pl.DataFrame | None = None,
    model: str = "auto",
    quantiles: Sequence[float] = (0.1, 0.5, 0.9),
    candidates: Sequence[str] | None = None,
    folds: int = backtest.FOLDS,
    covariates_at: Callable[[datetime], pl.DataFrame | None] | None = None,
) -> ForecastReport:
    """`forecast()` with the backtest behind it: every candidate's scores and the
    chosen model's feature importance. `covariates_at(origin)`, if given, is what the
    covariates were at a backtest fold's origin (a weather forecast issued before it),
    so the backtest never forecasts with a future it could not have known."""
    levels = _levels(quantiles)
    asked = None if model == "auto" else members_of(model)
    s = prepare(history, target)
    steps = steps_of(horizon, s.step)
    cov = _covariates(covariates, s, steps)
    fold_cov: Covariates | backtest.CovariatesAt = cov
    if covariates_at is not None and cov is not None:
        at_origin: dict[int, Covariates] = {}

        def fold_cov(o: int) -> Covariates:
            if o not in at_origin:
                origin = datetime.fromtimestamp(int(s.ts[o - 1] + s.step_us) / 1e6, UTC)
                known = covariates_at(origin)
                if known is None:
                    raise ForecastInputError(f"no covariates were known at the origin {origin}")
                at_origin[o] = _covariates(known, s.head(o), steps)
            return at_origin[o]

    if asked is None:
        names = list(candidates or (m for m in MODELS if m not in SLOW))
    else:
        names = ["seasonal_naive", *asked]
    chosen = {n: MODELS[n] for n in dict.fromkeys(names)}
    skipped: dict[str, str] = {}
    refit = AUTO_REFIT_EVERY if asked is None else {}
    scores, actual, naive_mae = backtest.run(
        s, steps, chosen, levels, fold_cov, folds, skipped, refit_every=refit
    )
    if asked is not None and skipped.keys() & set(asked):
        raise ForecastInputError("; ".join(skipped[m] for m in asked if m in skipped))
    if not scores:
        raise ForecastInputError("no candidate could be backtested: " + "; ".join(skipped.values()))
    ranked = sorted(scores.values(), key=lambda m: m.mae)
    if asked is None and len(ranked) >= 2:
        ens = _ensemble(ranked[:2], actual, levels, naive_mae)
        scores[ens.model] = ens
    elif asked is not None and len(asked) > 1:
        ens = _ensemble([scores[m] for m in asked], actual, levels, naive_mae)
        scores[ens.model] = ens
    ranked = sorted(scores.values(), key=lambda m: m.mae)
    best = ranked[0] if asked is None else scores[model if len(asked) == 1 else ens.model]
    names = members_of(best.model)
    members = [MODELS[m](s, steps, levels, cov) for m in names]
    fitted = members[0] if len(members) == 1 else Mean(members)
    forecaster = Forecaster(
        best.model, target, s.step, steps, levels, fitted, best.errors, best.shift, tuple(cov or ())
    )
    frame = forecaster._frame(s, cov)  # history prepared and covariates checked above
    importance = getattr(fitted, "importance", None) or _importance([scores[n] for n in names])
    return ForecastReport(
        frame,
        forecaster,
        best.model,
        [m.as_dict() for m in ranked],
        importance,
        s.step,
        steps,
        s.filled,
        skipped,
    )


def forecast(
    history: pl.DataFrame,
    horizon: timedelta | int,
    *,
    target: str = "demand_mw",
    covariates: pl.DataFrame | None = None,
    model: str = "auto",
    quantiles: Sequence[float] = (0.1, 0.5, 0.9),
) -> pl.DataFrame:
    """Forecast `target` of `history` (a polars frame with a timezone-aware `ts` at a
    regular 5 min-1 h interval) `horizon` ahead (a timedelta or a number of steps).

    Returns `ts`, `yhat`, one `yhat_pNN` column per quantile and `model`. `covariates`
    (a frame with `ts` and numeric columns) must cover the history and the horizon.
    `model` is `auto`, one of `MODELS` (seasonal_naive, mstl, mstl_log, profiles, xgboost,
    prophet, and lstm with the `lstm` extra) or `ensemble(a+b)`, the mean of some of them.
    Unusable input raises ForecastInputError saying what to change.
    """
    return forecast_report(
        history, horizon, target=target, covariates=covariates, model=model, quantiles=quantiles
    ).frame
