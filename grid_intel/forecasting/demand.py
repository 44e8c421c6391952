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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl
    import psycopg

    from grid_intel.forecasting.api import Forecaster

SYSTEM = "manitoba"  # the sum of the load regions
QUANTILES = (0.1, 0.5, 0.9)
DEFAULT_MODEL = "mstl"  # before any model card exists
CANDIDATES = ("seasonal_naive", "mstl", "mstl_log", "profiles", "xgboost")  # prophet: slow
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
BINNED_LOAD = """
select date_bin(%(step)s, ts, timestamptz '2000-01-01 00:00+00') as ts, region,
       avg(value) as demand_mw
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


def read_demand(
    conn: psycopg.Connection, end: datetime, step: timedelta, span: timedelta
) -> dict[str, pl.DataFrame]:
    """Mean load per region and `step` over [end - span, end), plus the system total
    over the buckets every region reported in (a partial sum would look like a drop)."""
    import polars as pl

    sql = HOURLY_DEMAND_SQL if step == timedelta(hours=1) else DEMAND_SQL
    rows = conn.execute(sql, {"step": step, "start": end - span, "end": end}).fetchall()
    frame = pl.DataFrame(
        rows,
        schema={"ts": pl.Datetime("us", "UTC"), "region": pl.Utf8, "demand_mw": pl.Float64},
        orient="row",
    )
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

    def artifact(self) -> bytes:
        return dump_forecaster(self.forecaster)


def dump_forecaster(forecaster: Forecaster) -> bytes:
    """The bytes `gold.forecast_models.fitted` keeps (boosters compress about 3:1)."""
    return zlib.compress(pickle.dumps(forecaster, protocol=5), 6)


def load_forecaster(artifact: bytes) -> Forecaster:
    """A card's fitted forecaster back from `dump_forecaster`'s bytes. Unpickling runs
    code: it is only for what the pipeline role wrote to gold, never for user input."""
    return pickle.loads(zlib.decompress(artifact))


def choose(
    region: str,
    horizon: Horizon,
    history: pl.DataFrame,
    candidates: Sequence[str] = CANDIDATES,
    folds: int = CARD_FOLDS,
) -> ModelCard:
    from grid_intel.forecasting.api import forecast_report

    report = forecast_report(
        history,
        horizon.steps,
        model="auto",
        quantiles=QUANTILES,
        candidates=candidates,
        folds=folds,
    )
    return ModelCard(
        region,
        horizon.name,
        report.model,
        report.scores,
        report.importance,
        history.height,
        report.skipped,
        report.forecaster,
    )


def issue(
    issued_at: datetime,
    region: str,
    horizon: Horizon,
    history: pl.DataFrame,
    forecaster: Forecaster | None,
) -> pl.DataFrame:
    """One forecast: rows of `gold.demand_forecasts` (lead times count from `issued_at`),
    predicted by a card's fitted forecaster, or by DEFAULT_MODEL fitted now before any
    card exists."""
    import polars as pl

    from grid_intel.forecasting.api import forecast_report, quantile_column

    if forecaster is None:
        forecaster = forecast_report(
            history, horizon.steps, model=DEFAULT_MODEL, quantiles=QUANTILES, folds=ISSUE_FOLDS
        ).forecaster
    return forecaster.predict(history).select(
        pl.lit(issued_at).cast(pl.Datetime("us", "UTC")).alias("issued_at"),
        pl.lit(region).alias("region"),
        pl.lit(horizon.name).alias("horizon"),
        "ts",
        "yhat",
        *(quantile_column(q) for q in QUANTILES),
        "model",
    )


def histories(conn: psycopg.Connection, end: datetime) -> dict[str, dict[str, pl.DataFrame]]:
    """Per horizon, each region's history up to `end`: one query per resolution."""
    read: dict[tuple[timedelta, timedelta], dict[str, pl.DataFrame]] = {}
    for h in HORIZONS:
        if (h.step, h.history) not in read:
            read[h.step, h.history] = read_demand(conn, end, h.step, h.history)
    return {h.name: read[h.step, h.history] for h in HORIZONS}
