"""Manitoba demand forecasts: the four horizons per load region and the system total,
read from silver and gold demand, chosen daily by backtest and issued hourly.

The control room's horizons need two resolutions: 15 minutes and 1 hour ahead are
forecast on a 15-minute series of the last three weeks, 24 hours and 7 days on an
hourly series of the last eight. The daily model card records which model won each
region and horizon's rolling-origin backtest and keeps that model fitted; hourly
issues predict with it from the newest data (the decompositions update their level
with the hours since, the boosters read fresh lags), so an issue fits nothing.
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl
    import psycopg

    from grid_intel.forecasting.api import Forecaster, ForecastReport
    from grid_intel.forecasting.weather import Weather

SYSTEM = "manitoba"  # the sum of the load regions
QUANTILES = (0.1, 0.5, 0.9)
DEFAULT_MODEL = "mstl"  # before any model card exists
CANDIDATES = ("seasonal_naive", "mstl", "mstl_log", "profiles", "xgboost")  # prophet: slow
WEATHER_MODEL = "xgboost"  # the candidate that learns from covariates
WEATHER = "+weather"  # the suffix of a model that learned from the weather forecast
WITH_WEATHER = f"{WEATHER_MODEL}{WEATHER}"
CARD_FOLDS = 3  # backtest origins behind each daily choice (more is slower: see the bench)
ISSUE_FOLDS = 2  # recent origins that calibrate an hourly issue's quantiles


@dataclass(frozen=True)
class Horizon:
    name: str
    step: timedelta
    steps: int
    history: timedelta


HORIZONS = (
    Horizon("15min", timedelta(minutes=15), 1, timedelta(days=21)),
    Horizon("1h", timedelta(minutes=15), 4, timedelta(days=21)),
    Horizon("24h", timedelta(hours=1), 24, timedelta(days=56)),
    Horizon("7d", timedelta(hours=1), 168, timedelta(days=56)),
)

# Sub-hourly demand from silver readings; hourly from the gold mart built from them.
# BINNED_LOAD is also the actuals that forecast accuracy is scored against.
# The mean in exact numeric: a float average sums in whatever order PostgreSQL's parallel
# workers meet the rows, so two reads of the same readings could differ in the last bits
# and a re-run issue would not reproduce its rows.
BINNED_LOAD = """
select date_bin(%(step)s, ts, timestamptz '2000-01-01 00:00+00') as ts, region,
       avg(value::numeric)::float8 as demand_mw
from silver.validated_readings
where measurement = 'load_mw' and asset_kind = 'region' and quality_code = 'good'
  and ts >= %(start)s and ts < %(end)s
group by 1, 2
"""
DEMAND_SQL = BINNED_LOAD + "order by 1, 2\n"
HOURLY_DEMAND_SQL = """
select hour as ts, region, demand_mw
from gold.demand_hourly
where hour >= %(start)s and hour < %(end)s and demand_mw is not null
order by 1, 2
"""


def read_load(
    conn: psycopg.Connection, start: datetime, end: datetime, step: timedelta
) -> pl.DataFrame:
    """Mean load per region and `step` over [start, end), ordered by time and region."""
    import polars as pl

    sql = HOURLY_DEMAND_SQL if step == timedelta(hours=1) else DEMAND_SQL
    rows = conn.execute(sql, {"step": step, "start": start, "end": end}).fetchall()
    return pl.DataFrame(
        rows,
        schema={"ts": pl.Datetime("us", "UTC"), "region": pl.Utf8, "demand_mw": pl.Float64},
        orient="row",
    )


def by_region(frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """`read_load`'s rows as one series per region, plus the system total over the
    buckets every region reported in (a partial sum would look like a drop)."""
    import polars as pl

    if frame.is_empty():
        return {}
    out = {
        str(region): part.select("ts", "demand_mw")
        for (region,), part in frame.partition_by("region", as_dict=True).items()
    }
    regions = len(out)
    total = (
        frame.group_by("ts")
        .agg(pl.col("demand_mw").sum(), pl.len().alias("n"))
        .filter(pl.col("n") == regions)
        .select("ts", "demand_mw")
        .sort("ts")
    )
    if total.height:
        out[SYSTEM] = total
    return out


@dataclass
class ModelCard:
    """The daily artifact of one region and horizon: the backtest winner and why."""

    region: str
    horizon: str
    model: str
    scores: list[dict[str, float | str]]
    importance: dict[str, float]
    history_points: int
    left_out: dict[str, str]  # candidates the history was too short for, and why
    forecaster: Forecaster  # the pick, fitted on the whole history
    # Backtest MAPE of auto's pick from load alone and with the weather forecast (None
    # when no forecast was loaded or XGBoost is not a candidate).
    weather: dict[str, float] | None = None

    def artifact(self) -> bytes:
        return dump_forecaster(self.forecaster)


def dump_forecaster(forecaster: Forecaster) -> bytes:
    """The bytes `gold.forecast_models.fitted` keeps (boosters compress about 3:1)."""
    return zlib.compress(pickle.dumps(forecaster, protocol=5), 6)


def load_forecaster(artifact: bytes) -> Forecaster:
    """A card's fitted forecaster back from `dump_forecaster`'s bytes. Unpickling runs
    code: it is only for what the pipeline role wrote to gold, never for user input."""
    return pickle.loads(zlib.decompress(artifact))


def span_of(history: pl.DataFrame, horizon: Horizon) -> tuple[datetime, datetime, datetime]:
    """(start, origin, end): the history's first time, the forecast origin after its last
    step, and the end of the horizon from there."""
    origin = history["ts"].max() + horizon.step
    return history["ts"].min(), origin, origin + horizon.steps * horizon.step


def weather_for(
    weather: Weather | None, region: str, horizon: Horizon, history: pl.DataFrame
) -> tuple[pl.DataFrame | None, Callable[[datetime], pl.DataFrame | None] | None]:
    """The covariates at the history's origin, and as known at any earlier origin (for
    the backtest); (None, None) without weather."""
    if weather is None:
        return None, None
    start, origin, end = span_of(history, horizon)

    def at(o: datetime) -> pl.DataFrame | None:
        return weather.covariates(region, o, start, o + horizon.steps * horizon.step, horizon.step)

    now = weather.covariates(region, origin, start, end, horizon.step)
    return (now, at) if now is not None else (None, None)


def choose(
    region: str,
    horizon: Horizon,
    history: pl.DataFrame,
    candidates: Sequence[str] = CANDIDATES,
    folds: int = CARD_FOLDS,
    weather: Weather | None = None,
) -> ModelCard:
    """`auto`'s pick from load history alone, or, when weather forecasts are loaded and
    XGBoost is a candidate, `auto` again with them, kept if its pick learned from the
    weather and scored a lower backtest MAE. The card keeps both backtests: the models
    that used the weather are named `...+weather`."""
    from grid_intel.forecasting.api import forecast_report
    from grid_intel.forecasting.series import ForecastInputError

    def run(**covariates: object) -> ForecastReport:
        return forecast_report(
            history,
            horizon.steps,
            model="auto",
            quantiles=QUANTILES,
            candidates=candidates,
            folds=folds,
            **covariates,  # type: ignore[arg-type]
        )

    alone = run()
    chosen, scores, skipped = alone, list(alone.scores), dict(alone.skipped)
    value: dict[str, float] | None = None
    now, at = weather_for(weather, region, horizon, history)
    if now is not None and WEATHER_MODEL in candidates:
        try:
            informed = run(covariates=now, covariates_at=at)
        except ForecastInputError as e:  # no issue before an early fold: load alone
            skipped[WITH_WEATHER] = str(e)
        else:
            learned = [
                s | {"model": f"{s['model']}{WEATHER}"}
                for s in informed.scores
                if WEATHER_MODEL in s["model"]
            ]
            scores = sorted([*scores, *learned], key=lambda s: s["mae"])
            value = {
                "without": _score(alone, "mape_pct"),
                "with": _score(informed, "mape_pct"),
            }
            if WEATHER_MODEL in informed.model and _score(informed, "mae") < _score(alone, "mae"):
                chosen = informed
                chosen.forecaster.model = f"{informed.model}{WEATHER}"
    return ModelCard(
        region,
        horizon.name,
        chosen.forecaster.model,
        scores,
        chosen.importance,
        history.height,
        skipped,
        chosen.forecaster,
        value,
    )


def _score(report: ForecastReport, key: str) -> float:
    """A report's figure for the model it picked."""
    return float(next(s[key] for s in report.scores if s["model"] == report.model))


def issue(
    issued_at: datetime,
    region: str,
    horizon: Horizon,
    history: pl.DataFrame,
    forecaster: Forecaster | None,
    weather: Weather | None = None,
    defaults: Defaults | None = None,
) -> pl.DataFrame:
    """One forecast: rows of `gold.demand_forecasts` (lead times count from `issued_at`),
    predicted by a card's fitted forecaster (with the latest weather forecast if it
    learned from one), or by DEFAULT_MODEL before any card exists or when the weather it
    needs has not arrived: from `defaults`, or fitted now."""
    import polars as pl

    from grid_intel.forecasting.api import quantile_column

    covariates = None
    if forecaster is not None and forecaster.covariates:
        covariates, _ = weather_for(weather, region, horizon, history)
        if covariates is None:
            forecaster = None
    if forecaster is None:
        forecaster = (defaults or Defaults()).get(issued_at, region, horizon, history)
    return forecaster.predict(history, covariates).select(
        pl.lit(issued_at).cast(pl.Datetime("us", "UTC")).alias("issued_at"),
        pl.lit(region).alias("region"),
        pl.lit(horizon.name).alias("horizon"),
        "ts",
        "yhat",
        *(quantile_column(q) for q in QUANTILES),
        "model",
    )


def _fit_default(history: pl.DataFrame, horizon: Horizon) -> Forecaster:
    from grid_intel.forecasting.api import forecast_report

    return forecast_report(
        history, horizon.steps, model=DEFAULT_MODEL, quantiles=QUANTILES, folds=ISSUE_FOLDS
    ).forecaster


class Defaults:
    """DEFAULT_MODEL for the issues before a card exists, fitted once per region, horizon
    and UTC day on the history to the day's start and predicting each hour of the day
    from its newer history, as a card does. A run of a day's 24 issues fits 32 models
    instead of 768, and an hour's rows are the same whether its run covers it alone or
    the whole day. Before the day's start holds enough history, it fits on the spot."""

    def __init__(self) -> None:
        self._fitted: dict[tuple[str, str, datetime], Forecaster | None] = {}

    def get(
        self, issued_at: datetime, region: str, horizon: Horizon, history: pl.DataFrame
    ) -> Forecaster:
        import polars as pl

        from grid_intel.forecasting.series import ForecastInputError

        day = (issued_at - timedelta(hours=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        key = (region, horizon.name, day)
        if key not in self._fitted:
            try:
                before = history.filter(pl.col("ts") < day)
                self._fitted[key] = _fit_default(before, horizon)
            except ForecastInputError:  # the day's start lacks history: not for later hours
                self._fitted[key] = None
        return self._fitted[key] or _fit_default(history, horizon)


def weather_span(first: datetime, last: datetime | None = None) -> tuple[datetime, datetime]:
    """What the cards and issues at `first` (through `last`) read of the weather: every
    horizon's history before it and the longest horizon after it."""
    longest = max(h.history for h in HORIZONS)
    ahead = max(h.steps * h.step for h in HORIZONS)
    return first - longest - timedelta(hours=1), (last or first) + ahead + timedelta(hours=1)


class Histories:
    """Each horizon's history, per region, at any instant of a run: one read per
    resolution over the whole run, sliced per instant. (A read per hourly issue scanned
    the 21 days of silver readings behind the 15-minute series 24 times a day-run.)"""

    def __init__(self, conn: psycopg.Connection, ends: Sequence[datetime]) -> None:
        first, last = min(ends), max(ends)
        spans = {(h.step, h.history) for h in HORIZONS}
        self._load = {(s, span): read_load(conn, first - span, last, s) for s, span in spans}

    def at(self, end: datetime) -> dict[str, dict[str, pl.DataFrame]]:
        """What `histories(conn, end)` reads, for an `end` within the run's."""
        import polars as pl

        cut = {
            (s, span): by_region(load.filter(pl.col("ts").is_between(end - span, end, "left")))
            for (s, span), load in self._load.items()
        }
        return {h.name: cut[h.step, h.history] for h in HORIZONS}


def histories(conn: psycopg.Connection, end: datetime) -> dict[str, dict[str, pl.DataFrame]]:
    """Per horizon, each region's history up to `end`: one query per resolution."""
    return Histories(conn, [end]).at(end)
