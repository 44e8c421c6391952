"""`bench forecast`: the daily retrain (model cards) and an hourly issue for every region
and horizon, each beside the same work done by seasonal naive alone; and one notebook
call, `forecast()` in `auto` on 4,000 points of real demand, beside MSTL's."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import timedelta

import polars as pl

from grid_intel.archives.weather_forecasts import LEADS
from grid_intel.bench.report import START
from grid_intel.forecasting.demand import (
    HORIZONS,
    SYSTEM,
    WEATHER,
    Horizon,
    ModelCard,
    choose,
    issue,
    weather_span,
)
from grid_intel.forecasting.weather import Weather
from grid_intel.settings import Settings
from grid_intel.simulation import weather_forecast
from grid_intel.simulation.demand import demand
from grid_intel.simulation.weather import weather

SEED = 1
GOALS_S = {"retrain": 60.0, "predict": 2.0, "call": 5.0}
CALL_POINTS = 4000  # the issue's notebook call: about twelve weeks half-hourly
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


def simulated_weather(end=START, issue_after: timedelta = ISSUE_AFTER) -> Weather:
    """The regions' true hourly temperatures as observations and the daily forecast issues,
    over the histories and the longest horizon after the last issue."""
    start, stop = weather_span(end)
    stop += issue_after
    observed = weather(SEED, start, stop).select("ts", "region", "temp_c")
    issues = weather_forecast.daily_issues(SEED, start - timedelta(hours=LEADS), stop)
    return Weather(observed, issues.select("issued_utc", "valid_utc", "region", "temp_c"))


def weather_value(cards: Iterable[ModelCard]) -> list[dict[str, object]]:
    """Per horizon, the mean backtest MAPE of auto's pick from load alone beside auto's
    pick with the weather forecast, and how many cards chose the weather."""
    out = []
    for h in HORIZONS:
        mine = [c for c in cards if c.horizon == h.name and c.weather]
        if mine:
            out.append(
                {
                    "horizon": h.name,
                    "cards": len(mine),
                    "mape_without_weather": _mean(c.weather["without"] for c in mine),
                    "mape_with_weather": _mean(c.weather["with"] for c in mine),
                    "chose_weather": sum(c.model.endswith(WEATHER) for c in mine),
                }
            )
    return out


def _mean(values: Iterable[float]) -> float:
    found = list(values)
    return round(sum(found) / len(found), 3)


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

    sky = simulated_weather()

    def retrain(h: Horizon, region: str, frame: pl.DataFrame) -> None:
        cards[region, h.name] = choose(region, h, frame, weather=sky)

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
                issue(at, r, h, later[h.name][r], cards[r, h.name].forecaster, sky)
                for h, r, _ in series
            ],
            lambda: [
                issue(at, r, h, later[h.name][r], naive[r, h.name].forecaster) for h, r, _ in series
            ],
        ),
    }
    runs = []
    for phase, (work, baseline) in phases.items():
        progress(f"forecast: {phase} ...")
        runs.append(_row(phase, len(series), _timed(work), "seasonal naive", _timed(baseline)))
        progress(
            f"forecast: {phase} took {runs[-1]['seconds']} s (seasonal naive alone "
            f"{runs[-1]['baseline_seconds']} s)"
        )
    runs.append(call_row(progress))
    picks: dict[str, int] = {}
    for card in cards.values():
        picks[card.model] = picks.get(card.model, 0) + 1
    value = weather_value(cards.values())
    for v in value:
        progress(
            f"forecast: {v['horizon']} backtest MAPE {v['mape_without_weather']} % from load "
            f"alone, {v['mape_with_weather']} % with the weather forecast; "
            f"{v['chose_weather']}/{v['cards']} cards chose the weather"
        )
    return {
        "benchmark": "forecast",
        "start": START.isoformat(),
        "models_chosen": picks,
        "weather": value,
        "runs": runs,
    }


def _row(phase: str, series: int, seconds: float, baseline: str, base: float) -> dict[str, object]:
    return {
        "phase": phase,
        "series": series,
        "seconds": round(seconds, 2),
        "baseline": baseline,
        "baseline_seconds": round(base, 2),
        "ratio_vs_baseline": round(seconds / base, 1) if base else None,
        "goal_seconds": GOALS_S[phase],
        "meets_goal": seconds <= GOALS_S[phase],
    }


def call_row(progress: Callable[[str], None]) -> dict[str, object]:
    """`forecast(history, 1 day)` in `auto` on the first CALL_POINTS half-hours of Taylor's
    England and Wales demand, beside MSTL fitted and predicting on the same history."""
    from grid_intel.forecasting.api import forecast
    from grid_intel.forecasting.baselines import mstl
    from grid_intel.forecasting.evaluation import DATA, SERIES
    from grid_intel.forecasting.series import prepare

    history = SERIES[0].load(DATA).head(CALL_POINTS)
    progress(f"forecast: call: forecast() auto, a day ahead on {history.height:,} points ...")
    seconds = _timed(lambda: forecast(history, timedelta(days=1)))
    base = _timed(lambda: mstl(prepare(history, "demand_mw"), 48))
    progress(f"forecast: call took {seconds:.1f} s (MSTL alone {base:.2f} s)")
    return _row("call", 1, seconds, "mstl", base)
