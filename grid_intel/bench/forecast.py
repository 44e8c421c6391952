"""`bench forecast`: the daily retrain (model cards) and an hourly issue for every region
and horizon, each beside the same work done by seasonal naive alone."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import polars as pl

from grid_intel.bench.report import START
from grid_intel.forecasting.demand import HORIZONS, SYSTEM, Horizon, ModelCard, choose, issue
from grid_intel.settings import Settings
from grid_intel.simulation.demand import demand
from grid_intel.simulation.weather import weather

SEED = 1
GOALS_S = {"retrain": 60.0, "predict": 2.0}
ISSUE_AFTER = timedelta(hours=12)


def simulated_histories(end=START) -> dict[str, dict[str, pl.DataFrame]]:
    """Per horizon, each region's (and the total's) simulated demand before `end`, at the
    horizon's resolution and span, as `histories()` reads them from silver."""
    span = max(h.history for h in HORIZONS)
    loads = demand(SEED, weather(SEED, end - span, end, step_s=900))
    out: dict[str, dict[str, pl.DataFrame]] = {}
    for h in HORIZONS:
        binned = (
            loads.filter(pl.col("ts") >= end - h.history)
            .group_by_dynamic("ts", every=h.step, group_by="region")
            .agg(pl.col("demand_mw").mean())
        )
        total = (
            binned.group_by("ts").agg(pl.col("demand_mw").sum()).with_columns(region=pl.lit(SYSTEM))
        )
        frames = pl.concat([binned, total.select(binned.columns)]).sort("region", "ts")
        out[h.name] = {
            str(r): part.select("ts", "demand_mw")
            for (r,), part in frames.partition_by("region", as_dict=True).items()
        }
    return out


def _timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def bench_forecast(settings: Settings, progress: Callable[[str], None]) -> dict[str, object]:
    """Seconds to retrain (backtest and choose) and to issue every region and horizon."""
    hist = simulated_histories()
    later = simulated_histories(START + ISSUE_AFTER)  # an issue half a day after the cards
    series = [(h, r, f) for h in HORIZONS for r, f in sorted(hist[h.name].items())]
    progress(f"forecast: {len(series)} series ({len(hist[HORIZONS[0].name])} regions x 4 horizons)")
    cards: dict[tuple[str, str], ModelCard] = {}
    naive: dict[tuple[str, str], ModelCard] = {}

    def retrain(h: Horizon, region: str, frame: pl.DataFrame) -> None:
        cards[region, h.name] = choose(region, h, frame)

    def retrain_naive(h: Horizon, region: str, frame: pl.DataFrame) -> None:
        naive[region, h.name] = choose(region, h, frame, candidates=("seasonal_naive",))

    at = START + ISSUE_AFTER
    phases = {
        "retrain": (
            lambda: [retrain(h, r, f) for h, r, f in series],
            lambda: [retrain_naive(h, r, f) for h, r, f in series],
        ),
        "predict": (  # an hourly issue: every card's fitted model predicts
            lambda: [
                issue(at, r, h, later[h.name][r], cards[r, h.name].forecaster) for h, r, _ in series
            ],
            lambda: [
                issue(at, r, h, later[h.name][r], naive[r, h.name].forecaster) for h, r, _ in series
            ],
        ),
    }
    runs = []
    for phase, (work, baseline) in phases.items():
        progress(f"forecast: {phase} ...")
        seconds = _timed(work)
        base = _timed(baseline)
        runs.append(
            {
                "phase": phase,
                "series": len(series),
                "seconds": round(seconds, 2),
                "seasonal_naive_seconds": round(base, 2),
                "ratio_vs_seasonal_naive": round(seconds / base, 1) if base else None,
                "goal_seconds": GOALS_S[phase],
                "meets_goal": seconds < GOALS_S[phase],
            }
        )
        progress(f"forecast: {phase} took {seconds:.1f} s (seasonal naive alone {base:.2f} s)")
    picks: dict[str, int] = {}
    for card in cards.values():
        picks[card.model] = picks.get(card.model, 0) + 1
    return {
        "benchmark": "forecast",
        "start": START.isoformat(),
        "models_chosen": picks,
        "runs": runs,
    }
