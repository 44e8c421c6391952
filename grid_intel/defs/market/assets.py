"""Market analytics as assets: LMP forecasts issued every hour with their backtests,
hourly buy/sell signals against MISO, and the signals' backtest on a simulated span.

Thin wiring: forecasting lives in `grid_intel.market.lmp_forecast`, costs, signals
and the backtest in `grid_intel.market`. A partition replaces its own rows, so a
re-run gives the same rows.
"""

import time
from datetime import UTC, datetime, timedelta

import dagster as dg

from grid_intel.asset_metadata import ISSUED_AT_CLOSE
from grid_intel.defs.automation import follows_upstream
from grid_intel.defs.partitions import HOURLY_BACKFILL, ONE_SECOND, hourly, issue_instants
from grid_intel.defs.resources import WarehouseResource
from grid_intel.market import lmp_forecast
from grid_intel.market.tables import BACKTEST, CURVES, LMP_BACKTESTS, LMP_FORECASTS, SIGNALS
from grid_intel.warehouse.writer import replace_window

PRICES = dg.AssetKey(["gold", "prices_hourly"])
GENERATION_MIX = dg.AssetKey(["gold", "generation_mix_hourly"])
LMP_FORECASTS_KEY = dg.AssetKey(["gold", "lmp_forecasts"])


@dg.asset(
    key=LMP_FORECASTS_KEY,
    deps=[PRICES],
    partitions_def=hourly,
    group_name="gold",
    kinds={"python", "postgres"},
    owners=["team:market"],
    automation_condition=follows_upstream(),
    backfill_policy=HOURLY_BACKFILL,
    description="MISO LMP forecasts at the Manitoba interface (MHEB) and the MINN hub, "
    "issued when each UTC hour closes: the real-time price 6 h ahead (next_hours) and the "
    "day-ahead price 24 h ahead (day_ahead), p10/p50/p90 ($/MWh), each from the best of "
    "seasonal naive, profiles, MSTL and XGBoost in a rolling-origin backtest on the last "
    "4 weeks (kept in gold.lmp_forecast_backtests).",
    metadata={
        "table": LMP_FORECASTS.qualified,
        "backtest_table": LMP_BACKTESTS.qualified,
        "partition_column": "issued_at",
        "partition_window": ISSUED_AT_CLOSE,
        "candidates": list(lmp_forecast.CANDIDATES),
    },
)
def lmp_forecasts(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    from grid_intel.forecasting import ForecastInputError

    began = time.perf_counter()
    chosen: dict[str, dict[str, object]] = {}
    skipped: dict[str, str] = {}
    total = 0
    with warehouse.connection() as conn:
        for issued_at in issue_instants(context):
            prices = lmp_forecast.read_prices(conn, issued_at)
            rows, backtests = [], []
            for location in lmp_forecast.LOCATIONS:
                for h in lmp_forecast.HORIZONS:
                    try:
                        report = lmp_forecast.issue(prices, location, h)
                    except ForecastInputError as e:
                        skipped[f"{location}/{h.name}"] = str(e)
                        continue
                    rows.extend((issued_at, location, h.name, *r) for r in report.frame.iter_rows())
                    backtests.extend(
                        (
                            issued_at,
                            location,
                            h.name,
                            sc["model"],
                            sc["model"] == report.model,
                            sc["mae"],
                            sc["rmae"],
                            sc["pinball"],
                            sc["coverage"],
                        )
                        for sc in report.scores
                    )
                    chosen[f"{location}/{h.name}"] = next(
                        s for s in report.scores if s["model"] == report.model
                    )
            if not rows:
                context.log.warning(
                    f"no LMP forecast issued at {issued_at}: "
                    f"{next(iter(skipped.values()), 'no prices in gold.prices_hourly')}. "
                    "Forecasts start once 3 days of hourly prices are in gold."
                )
            replace_window(conn, LMP_BACKTESTS, backtests, issued_at, issued_at + ONE_SECOND)
            replace_window(conn, LMP_FORECASTS, rows, issued_at, issued_at + ONE_SECOND)
            total += len(rows)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": total,
            "chosen": dg.MetadataValue.json(chosen),
            "skipped": dg.MetadataValue.json(skipped),
            "seconds": round(time.perf_counter() - began, 2),
        }
    )


SIGNALS_KEY = dg.AssetKey(["gold", "price_signals"])


@dg.asset(
    key=SIGNALS_KEY,
    deps=[LMP_FORECASTS_KEY, dg.AssetKey(["gold", "demand_forecasts"]), GENERATION_MIX],
    partitions_def=hourly,
    group_name="gold",
    kinds={"python", "postgres"},
    owners=["team:market"],
    automation_condition=follows_upstream(),
    backfill_policy=HOURLY_BACKFILL,
    description="Buy/sell signals against MISO for the next 24 h, issued when each UTC hour "
    "closes: export, import or hold at the Manitoba interface, MW within the MHEB-MISO "
    "limits (3,185 MW out, 2,100 MW in) and the hydro headroom over forecast load, the "
    "marginal cost of the water or gas traded, expected value at the p50 price and the "
    "probability the trade is in the money; the hours' supply curves in gold.supply_curves.",
    metadata={
        "table": SIGNALS.qualified,
        "supply_curve_table": CURVES.qualified,
        "partition_column": "issued_at",
        "partition_window": ISSUED_AT_CLOSE,
    },
)
def price_signals(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    import polars as pl

    from grid_intel.market import signal_inputs
    from grid_intel.market.costs import CostAssumptions, supply_curves
    from grid_intel.market.signals import signals

    began = time.perf_counter()
    actions: dict[str, int] = {}
    sources: dict[str, str] = {}
    expected = 0.0
    total = 0
    with warehouse.connection() as conn:
        for issued_at in issue_instants(context):
            inputs, source = signal_inputs.read_inputs(conn, issued_at)
            if inputs.is_empty():
                context.log.warning(
                    f"no signals at {issued_at}: no day-ahead LMP forecast at "
                    f"{signal_inputs.LOCATION} or no load for its hours; materialize "
                    "gold/lmp_forecasts (and gold/demand_hourly) for it first"
                )
                out = curves = inputs
            else:
                curves = supply_curves(
                    inputs.with_columns(
                        lmp=pl.col("lmp_p50"), day_of_year=pl.col("hour").dt.ordinal_day()
                    ),
                    CostAssumptions(),
                ).with_columns(issued_at=pl.lit(issued_at))
                out = signals(inputs).with_columns(
                    issued_at=pl.lit(issued_at),
                    location=pl.lit(signal_inputs.LOCATION),
                    load_source=pl.lit(source),
                )
                sources[issued_at.isoformat()] = source
                for action, n in out["action"].value_counts().iter_rows():
                    actions[action] = actions.get(action, 0) + n
                expected += float(out["expected_value_usd"].sum())
            rows = out.select(SIGNALS.names).iter_rows() if out.height else []
            replace_window(conn, SIGNALS, rows, issued_at, issued_at + ONE_SECOND)
            blocks = curves.select(CURVES.names).iter_rows() if curves.height else []
            replace_window(conn, CURVES, blocks, issued_at, issued_at + ONE_SECOND)
            total += out.height
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": total,
            "actions": dg.MetadataValue.json(actions),
            "expected_value_usd": round(expected, 2),
            "load_source": dg.MetadataValue.json(sources),
            "seconds": round(time.perf_counter() - began, 2),
        }
    )


class BacktestConfig(dg.Config):
    """The simulated span the signals are backtested over."""

    seed: int = 7
    start: str = "2026-01-01"
    days: int = 30


@dg.asset(
    key=dg.AssetKey(["gold", "price_signal_backtest"]),
    group_name="gold",
    kinds={"python", "postgres"},
    owners=["team:market"],
    description="The signal strategy against two naive ones over a simulated month (config: "
    "seed, start, days): day-ahead LMP forecasts issued daily from earlier prices only, "
    "signals on the simulator's load, hydro and wind, settled at the actual day-ahead price; "
    "value captured = net export x (LMP - marginal cost). Naive: always export the headroom, "
    "and yesterday's price as the forecast.",
    metadata={"table": BACKTEST.qualified},
)
def price_signal_backtest(
    context: dg.AssetExecutionContext, config: BacktestConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    from grid_intel.evaluation.price_signals import simulated_month
    from grid_intel.market.backtest import backtest
    from grid_intel.market.signals import signals

    began = time.perf_counter()
    start = datetime.fromisoformat(config.start).replace(tzinfo=UTC)
    context.log.info(f"backtesting signals over {config.days} simulated days from {start:%F}")
    month = simulated_month(config.seed, start, config.days)
    result = backtest(signals(month.hours), month.actual_lmp)
    now = datetime.now(UTC)
    end = start + timedelta(days=config.days)
    rows = [
        (now, config.seed, start, end, name, pnl, exp_mwh, imp_mwh, hit)
        for name, pnl, exp_mwh, imp_mwh, hit in result.strategy_rows()
    ]
    with warehouse.connection() as conn:
        replace_window(conn, BACKTEST, rows, now, now + ONE_SECOND)
    daily = {str(d): round(v, 2) for d, v in result.daily.select("date", "signal").iter_rows()}
    return dg.MaterializeResult(
        metadata={
            **result.as_metadata(),
            "forecaster": month.forecaster,
            "span": f"{start:%F} to {end:%F}",
            "daily_pnl_usd": dg.MetadataValue.json(daily),
            "seconds": round(time.perf_counter() - began, 2),
        }
    )


defs = dg.Definitions(assets=[lmp_forecasts, price_signals, price_signal_backtest])
