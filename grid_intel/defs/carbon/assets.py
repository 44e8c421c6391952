"""Carbon as assets: hourly intensity (production- and consumption-based, with
emissions by source and avoided emissions) and its forecast for the next 24 hours.

Thin wiring: the accounting lives in `grid_intel.carbon`, the forecast in
`grid_intel.forecasting`. A partition replaces its own rows.
"""

import time
from datetime import timedelta
from typing import TYPE_CHECKING

import dagster as dg

from grid_intel.asset_metadata import ISSUED_AT_CLOSE
from grid_intel.carbon.tables import BY_SOURCE, FORECAST, INTENSITY, MIX_SQL, TIES_SQL
from grid_intel.defs.automation import follows_upstream
from grid_intel.defs.partitions import HOURLY_BACKFILL, ONE_SECOND, hourly, issue_instants
from grid_intel.defs.resources import WarehouseResource
from grid_intel.grid.registry import INTERTIES
from grid_intel.warehouse.writer import replace_window

if TYPE_CHECKING:
    import polars as pl

INTENSITY_KEY = dg.AssetKey(["gold", "carbon_intensity"])
GENERATION_MIX = dg.AssetKey(["gold", "generation_mix_hourly"])
INTERCHANGE = dg.AssetKey(["gold", "interchange_hourly"])
COUNTERPARTY = {tie: counterparty for tie, counterparty, *_ in INTERTIES}


def read_flows(conn, start, end) -> "tuple[pl.DataFrame, pl.DataFrame]":
    """The hours' generation by fuel and net export by counterparty (mean MW = MWh)."""
    import polars as pl

    window = {"start": start, "end": end}
    generation = pl.DataFrame(
        conn.execute(MIX_SQL, window).fetchall(),
        schema={"hour": pl.Datetime("us", "UTC"), "fuel": pl.String, "generation_mw": pl.Float64},
        orient="row",
    )
    ties = pl.DataFrame(
        conn.execute(TIES_SQL, window).fetchall(),
        schema={
            "hour": pl.Datetime("us", "UTC"),
            "intertie": pl.String,
            "net_export_mw": pl.Float64,
        },
        orient="row",
    )
    interchange = ties.select(
        "hour",
        pl.col("intertie").replace_strict(COUNTERPARTY).alias("counterparty"),
        "net_export_mw",
    )
    return generation, interchange


@dg.asset(
    key=INTENSITY_KEY,
    deps=[GENERATION_MIX, INTERCHANGE],
    partitions_def=hourly,
    group_name="gold",
    kinds={"python", "postgres"},
    owners=["team:carbon"],
    automation_condition=follows_upstream(),
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="Hourly carbon intensity in g CO2e/kWh (lifecycle factors): production-based "
    "from Manitoba's generation mix, consumption-based by flow tracing (imports carry MISO's "
    "or the neighbour's intensity, exports carry Manitoba's mix); emissions by source in "
    "gold.carbon_emissions_by_source and the avoided emissions of exports displacing MISO "
    "generation at its average and marginal intensity.",
    metadata={
        "table": INTENSITY.qualified,
        "by_source_table": BY_SOURCE.qualified,
        "partition_column": "hour",
        "units": "g CO2e/kWh; t CO2e; MWh",
    },
)
def carbon_intensity(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    from grid_intel.carbon import emissions_by_source, hourly_intensity

    began = time.perf_counter()
    start, end = context.partition_time_window
    with warehouse.connection() as conn:
        generation, interchange = read_flows(conn, start, end)
        hours = hourly_intensity(generation, interchange)
        sources = emissions_by_source(generation, interchange)
        replace_window(conn, INTENSITY, hours.select(INTENSITY.names).iter_rows(), start, end)
        replace_window(conn, BY_SOURCE, sources.select(BY_SOURCE.names).iter_rows(), start, end)
    expected = int((end - start) / timedelta(hours=1))
    if hours.height < expected:
        context.log.warning(
            f"{expected - hours.height} of {expected} hours had no generation mix or "
            "interchange in gold; materialize gold/generation_mix_hourly and "
            "gold/interchange_hourly for them first"
        )
    consumption = hours["consumption_g_kwh"].drop_nans().drop_nulls()
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": hours.height,
            "hours_missing": expected - hours.height,
            "mean_production_g_kwh": float(hours["production_g_kwh"].drop_nans().mean() or 0),
            "mean_consumption_g_kwh": float(consumption.mean() or 0),
            "max_consumption_g_kwh": float(consumption.max() or 0),
            "emissions_t": float(hours["emissions_t"].sum()),
            "avoided_average_t": float(hours["avoided_average_t"].sum()),
            "avoided_marginal_t": float(hours["avoided_marginal_t"].sum()),
            "seconds": round(time.perf_counter() - began, 2),
        }
    )


@dg.asset(
    key=dg.AssetKey(["gold", "carbon_forecast"]),
    deps=[INTENSITY_KEY],
    partitions_def=hourly,
    group_name="gold",
    kinds={"python", "postgres"},
    owners=["team:carbon"],
    automation_condition=follows_upstream(),
    backfill_policy=HOURLY_BACKFILL,
    description="Consumption-based carbon intensity for the next 24 h (g CO2e/kWh, p10/p50/"
    "p90), issued when each UTC hour closes from the last 4 weeks of gold.carbon_intensity "
    "by the best model of a rolling-origin backtest: when to shift load.",
    metadata={
        "table": FORECAST.qualified,
        "partition_column": "issued_at",
        "partition_window": ISSUED_AT_CLOSE,
    },
)
def carbon_forecast(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    from grid_intel.carbon.forecast import issue, read_intensity
    from grid_intel.forecasting import ForecastInputError

    began = time.perf_counter()
    models: dict[str, dict[str, object]] = {}
    skipped: dict[str, str] = {}
    total = 0
    with warehouse.connection() as conn:
        for issued_at in issue_instants(context):
            rows = []
            try:
                report = issue(read_intensity(conn, issued_at))
            except ForecastInputError as e:
                skipped[issued_at.isoformat()] = str(e)
                context.log.warning(
                    f"no carbon forecast issued at {issued_at}: {e}. Materialize "
                    "gold/carbon_intensity for the 3 days before it first."
                )
            else:
                rows = [(issued_at, *r) for r in report.frame.iter_rows()]
                models[issued_at.isoformat()] = next(
                    s for s in report.scores if s["model"] == report.model
                )
            replace_window(conn, FORECAST, rows, issued_at, issued_at + ONE_SECOND)
            total += len(rows)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": total,
            "models": dg.MetadataValue.json(models),
            "skipped": dg.MetadataValue.json(skipped),
            "seconds": round(time.perf_counter() - began, 2),
        }
    )


defs = dg.Definitions(assets=[carbon_intensity, carbon_forecast])
