"""Demand forecasting as assets: daily model cards with their backtests, forecasts
issued every hour, and their accuracy once the actuals are in.

Thin wiring: reading, choosing and issuing live in `grid_intel.forecasting.demand`.
Every partition replaces its own rows, so a re-run gives the same rows.
"""

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import dagster as dg

from grid_intel.asset_metadata import ISSUED_AT_CLOSE
from grid_intel.defs.automation import follows_upstream
from grid_intel.defs.partitions import (
    HOURLY_BACKFILL,
    ONE_SECOND,
    daily,
    hourly,
    issue_instants,
)
from grid_intel.defs.resources import WarehouseResource
from grid_intel.forecasting.demand import (
    CANDIDATES,
    HORIZONS,
    QUANTILES,
    Defaults,
    Histories,
    choose,
    issue,
    load_forecaster,
    weather_span,
)
from grid_intel.forecasting.tables import (
    ACCURACY,
    ACCURACY_SQL,
    BACKTESTS,
    CARD_ARTIFACT_SQL,
    FORECASTS,
    LATEST_CARDS_SQL,
    MODELS,
)
from grid_intel.warehouse.writer import replace_window

if TYPE_CHECKING:
    import psycopg

    from grid_intel.forecasting.api import Forecaster

READINGS = dg.AssetKey(["silver", "validated_readings"])
# The weather the cards and issues take as covariates (read when there, never required).
WEATHER = (dg.AssetKey(["silver", "weather_forecasts"]), dg.AssetKey(["silver", "weather_hourly"]))
DEMAND = dg.AssetKey(["gold", "demand_hourly"])
MODELS_KEY = dg.AssetKey(["gold", "forecast_models"])
FORECASTS_KEY = dg.AssetKey(["gold", "demand_forecasts"])
# An hour's forecasts use the card of a day that has ended: the day before the hour's.
# (The default hour-in-day mapping named today's card, which does not exist until the
# day closes, so no backfill could include today's hours.) Offsets count the
# downstream's partitions: 24 hours back.
CARD_OF_DAY_BEFORE = dg.TimeWindowPartitionMapping(start_offset=-24, end_offset=-24)


def latest_cards(
    conn: "psycopg.Connection",
    issued_at: datetime,
    loaded: "dict[tuple[str, str, datetime], Forecaster | None]",
) -> "dict[tuple[str, str], tuple[str, Forecaster | None]]":
    """Each region and horizon's latest card at `issued_at`: its version and fitted
    forecaster (None: a card from before artifacts were kept). A card's artifact is read
    and unpickled once per run (`loaded`): a day-run's 24 issues share the day's cards."""
    out = {}
    for region, horizon, day, version in conn.execute(LATEST_CARDS_SQL, (issued_at,)):
        key = (region, horizon, day)
        if key not in loaded:
            (fitted,) = conn.execute(CARD_ARTIFACT_SQL, key).fetchone()
            loaded[key] = load_forecaster(fitted) if fitted is not None else None
        out[region, horizon] = (version, loaded[key])
    return out


@dg.asset(
    key=MODELS_KEY,
    deps=[READINGS, DEMAND, *WEATHER],
    partitions_def=daily,
    group_name="gold",
    kinds={"python", "xgboost", "postgres"},
    owners=["team:forecasting"],
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="Daily model cards: for every load region, the system total and each "
    "horizon (15 min, 1 h, 24 h, 7 d), a rolling-origin backtest of the candidate models "
    "on the history to the day's end picks the one the hourly forecasts use; its scores go "
    "to gold.forecast_backtests, the pick and its feature importance here.",
    metadata={
        "table": MODELS.qualified,
        "backtest_table": BACKTESTS.qualified,
        "partition_column": "day",
        "candidates": list(CANDIDATES),
    },
)
def forecast_models(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    from grid_intel.forecasting.series import ForecastInputError
    from grid_intel.forecasting.weather import read_weather

    began = time.perf_counter()
    summary: dict[str, dict[str, object]] = {}
    skipped: dict[str, str] = {}
    days = daily.get_partition_keys_in_range(dg.PartitionKeyRange(*context.partition_key_range))
    warming: list[str] = []
    windows = [daily.time_window_for_partition_key(day) for day in days]
    with warehouse.connection() as conn:
        ends = [end for _, end in windows]
        known_at = Histories(conn, ends)
        weather = read_weather(conn, *weather_span(min(ends), max(ends)))
        for day, (start, end) in zip(days, windows, strict=True):
            cards, backtests = [], []
            known = known_at.at(end)
            for h in HORIZONS:
                for region, history in sorted(known[h.name].items()):
                    try:
                        card = choose(region, h, history, weather=weather)
                    except ForecastInputError as e:
                        skipped[f"{region}/{h.name}"] = str(e)
                        continue
                    version = f"{day}/{card.model}"
                    cards.append(
                        (
                            start,
                            region,
                            h.name,
                            card.model,
                            version,
                            card.history_points,
                            card.importance,
                            datetime.now(UTC),
                            card.artifact(),
                        )
                    )
                    for sc in card.scores:
                        backtests.append(
                            (
                                start,
                                region,
                                h.name,
                                sc["model"],
                                sc["model"] == card.model,
                                sc["mae"],
                                sc["mape_pct"],
                                sc["rmae"],
                                sc["pinball"],
                                sc["coverage"],
                            )
                        )
                    summary[f"{region}/{h.name}"] = {
                        "model": card.model,
                        **{k: v for k, v in card.scores[0].items() if k != "model"},
                        "left_out": card.left_out,
                    }
                    context.log.info(f"model card {day} {region}/{h.name}: {card.model}")
            if not cards:
                # A deployment warming up (a backfill from the first day of history, a
                # one-day rehearsal): no card yet, as the hourly forecasts do, not a red run.
                warming.append(day)
                why = next(iter(skipped.values()), "no demand history")
                context.log.warning(
                    f"no model card for {day}: {why}. Cards start once "
                    "silver/validated_readings holds 3 days before the day's end."
                )
            replace_window(conn, BACKTESTS, backtests, start, end)
            replace_window(conn, MODELS, cards, start, end)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(summary),
            "days_without_history": warming,
            "models": dg.MetadataValue.json(summary),
            "skipped": dg.MetadataValue.json(skipped),
            "seconds": round(time.perf_counter() - began, 2),
        }
    )


@dg.asset(
    key=FORECASTS_KEY,
    deps=[
        READINGS,
        DEMAND,
        *(dg.AssetDep(k, partition_mapping=CARD_OF_DAY_BEFORE) for k in (MODELS_KEY, *WEATHER)),
    ],
    partitions_def=hourly,
    group_name="gold",
    kinds={"python", "postgres"},
    owners=["team:forecasting"],
    automation_condition=follows_upstream(dg.AssetSelection.assets(MODELS_KEY, *WEATHER)),
    backfill_policy=HOURLY_BACKFILL,
    description="Demand forecasts issued when each UTC hour closes, for every load region "
    "and the Manitoba total at 15 min, 1 h, 24 h and 7 d, with p10/p50/p90, each predicted "
    "by the fitted model its latest earlier model card keeps (MSTL fitted on the spot "
    "before the first card).",
    metadata={
        "table": FORECASTS.qualified,
        "partition_column": "issued_at",
        "partition_window": ISSUED_AT_CLOSE,
    },
)
def demand_forecasts(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    from grid_intel.forecasting.series import ForecastInputError
    from grid_intel.forecasting.weather import read_weather

    began = time.perf_counter()
    rows_by_horizon: dict[str, int] = {}
    models: dict[str, str] = {}
    skipped: dict[str, str] = {}
    defaults = Defaults()  # MSTL before the first card: one fit per series and day
    loaded: dict[tuple[str, str, datetime], Forecaster | None] = {}  # cards, by their key
    instants = issue_instants(context)
    with warehouse.connection() as conn:
        # History and weather read once for the run's hours, not once per hour.
        known_at = Histories(conn, instants)
        weather = read_weather(conn, *weather_span(min(instants), max(instants)))
        for issued_at in instants:
            cards = latest_cards(conn, issued_at, loaded)
            rows = []
            known = known_at.at(issued_at)
            for h in HORIZONS:
                for region, history in sorted(known[h.name].items()):
                    version, forecaster = cards.get((region, h.name), ("default", None))
                    if forecaster is None:
                        version = "default"  # no card, or one from before artifacts were kept
                    try:
                        frame = issue(issued_at, region, h, history, forecaster, weather, defaults)
                    except ForecastInputError as e:
                        skipped[f"{region}/{h.name}"] = str(e)
                        continue
                    rows.extend((*r, version) for r in frame.iter_rows())
                    rows_by_horizon[h.name] = rows_by_horizon.get(h.name, 0) + frame.height
                    models[f"{region}/{h.name}"] = frame["model"][0]
            if not rows:  # a new deployment warming up: no red run every hour
                context.log.warning(
                    f"no forecast issued at {issued_at}: "
                    f"{next(iter(skipped.values()), 'no demand history in silver')}. "
                    "Forecasts start once 3 days of region load are in silver and gold."
                )
            replace_window(conn, FORECASTS, rows, issued_at, issued_at + ONE_SECOND)
            context.log.info(f"forecasts issued at {issued_at}: {len(rows)} rows")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": sum(rows_by_horizon.values()),
            "rows_by_horizon": rows_by_horizon,
            "models": dg.MetadataValue.json(models),
            "skipped": dg.MetadataValue.json(skipped),
            "quantiles": list(QUANTILES),
            "seconds": round(time.perf_counter() - began, 2),
        }
    )


@dg.asset(
    key=["gold", "forecast_accuracy"],
    deps=[FORECASTS_KEY, READINGS],
    partitions_def=daily,
    group_name="gold",
    kinds={"postgres"},
    owners=["team:forecasting"],
    automation_condition=follows_upstream(),
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="Forecast against actual demand for every target time in the UTC day, per "
    "region, horizon and model (MAE, MAPE, bias, p10-p90 coverage): how the issued "
    "forecasts did once the actuals arrived.",
    metadata={"table": ACCURACY.qualified, "partition_column": "day"},
)
def forecast_accuracy(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    start, end = context.partition_time_window
    rows = []
    with warehouse.connection() as conn:
        for step in sorted({h.step for h in HORIZONS}):
            names = [h.name for h in HORIZONS if h.step == step]
            rows += conn.execute(
                ACCURACY_SQL, {"step": step, "start": start, "end": end, "horizons": names}
            ).fetchall()
        written = replace_window(conn, ACCURACY, rows, start, end)
    by_horizon: dict[str, dict[str, float]] = {}
    for _, region, horizon, _, points, mae, mape, _, coverage in rows:
        if region == "manitoba":
            by_horizon[horizon] = {
                "points": points,
                "mae_mw": round(mae, 2),
                "mape_pct": round(mape, 3) if mape is not None else None,
                "coverage": round(coverage, 3),
            }
    if not rows:
        context.log.warning(f"no forecast for {start:%Y-%m-%d} met an actual yet")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": written.inserted,
            "manitoba_by_horizon": dg.MetadataValue.json(by_horizon),
        }
    )


defs = dg.Definitions(
    assets=[forecast_models, demand_forecasts, forecast_accuracy],
)
