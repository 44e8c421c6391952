"""The tables the demand forecasts write (their migrations: 0009, 0010) and the SQL
that reads them back. Market and carbon forecasts store the same values per target time."""

from grid_intel.forecasting.demand import BINNED_LOAD
from grid_intel.layout import columns
from grid_intel.warehouse.writer import TableSpec

BACKTESTS = TableSpec(
    "gold",
    "forecast_backtests",
    columns(
        "day timestamptz, region text, horizon text, model text, chosen bool, mae float8,"
        " mape_pct float8, rmae float8, pinball float8, coverage float8"
    ),
    time_column="day",
)

MODELS = TableSpec(
    "gold",
    "forecast_models",
    columns(
        "day timestamptz, region text, horizon text, model text, version text,"
        " history_points int4, importance jsonb, trained_at timestamptz, fitted bytea"
    ),
    time_column="day",
)

# What every issued forecast table stores per target time: the point and quantiles.
FORECAST_VALUES = columns(
    "yhat float8, yhat_p10 float8, yhat_p50 float8, yhat_p90 float8, model text"
)

FORECASTS = TableSpec(
    "gold",
    "demand_forecasts",
    (
        *columns("issued_at timestamptz, region text, horizon text, ts timestamptz"),
        *FORECAST_VALUES,
        *columns("model_version text"),
    ),
    time_column="issued_at",
)

ACCURACY = TableSpec(
    "gold",
    "forecast_accuracy",
    columns(
        "day timestamptz, region text, horizon text, model text, points int4, mae float8,"
        " mape_pct float8, bias float8, coverage float8"
    ),
    time_column="day",
)

LATEST_CARDS_SQL = """
select distinct on (region, horizon) region, horizon, day, version
from gold.forecast_models
where day + interval '1 day' <= %s  -- a card learned from its whole day
order by region, horizon, day desc
"""
CARD_ARTIFACT_SQL = """
select fitted from gold.forecast_models where region = %s and horizon = %s and day = %s
"""

ACCURACY_SQL = f"""
with actual as ({BINNED_LOAD}),
with_total as (
    select * from actual
    union all
    select ts, 'manitoba', sum(demand_mw) from actual group by ts
    having count(*) = (select count(distinct region) from actual)
)
select %(start)s::timestamptz as day, f.region, f.horizon, f.model, count(*)::int as points,
       avg(abs(a.demand_mw - f.yhat)) as mae,
       100 * avg(abs(a.demand_mw - f.yhat) / nullif(abs(a.demand_mw), 0)) as mape_pct,
       avg(a.demand_mw - f.yhat) as bias,
       avg((a.demand_mw between f.yhat_p10 and f.yhat_p90)::int)::float8 as coverage
from gold.demand_forecasts as f
join with_total as a on a.region = f.region and a.ts = f.ts
where f.ts >= %(start)s and f.ts < %(end)s and f.horizon = any(%(horizons)s)
group by f.region, f.horizon, f.model
order by 2, 3, 4
"""
