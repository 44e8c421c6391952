"""The market tables: LMP forecasts and their backtests, price signals, supply
curves and the signals' backtest (migrations 0014, 0015)."""

from grid_intel.forecasting.tables import FORECAST_VALUES
from grid_intel.layout import columns
from grid_intel.warehouse.writer import TableSpec

LMP_FORECASTS = TableSpec(
    "gold",
    "lmp_forecasts",
    (
        *columns("issued_at timestamptz, location text, horizon text, ts timestamptz"),
        *FORECAST_VALUES,
    ),
    time_column="issued_at",
)

LMP_BACKTESTS = TableSpec(
    "gold",
    "lmp_forecast_backtests",
    columns(
        "issued_at timestamptz, location text, horizon text, model text, chosen bool, mae float8,"
        " rmae float8, pinball float8, coverage float8"
    ),
    time_column="issued_at",
)

SIGNALS = TableSpec(
    "gold",
    "price_signals",
    columns(
        "issued_at timestamptz, hour timestamptz, location text, action text, quantity_mw float8,"
        " lmp_p10 float8, lmp_p50 float8, lmp_p90 float8, marginal_cost float8,"
        " expected_value_usd float8, confidence float8, load_mw float8, load_source text,"
        " reason text"
    ),
    time_column="issued_at",
)

CURVES = TableSpec(
    "gold",
    "supply_curves",
    columns(
        "issued_at timestamptz, hour timestamptz, source text, mw float8, cost float8,"
        " cum_mw float8"
    ),
    time_column="issued_at",
)

BACKTEST = TableSpec(
    "gold",
    "price_signal_backtest",
    columns(
        "evaluated_at timestamptz, seed int4, span_start timestamptz, span_end timestamptz,"
        " strategy text, pnl_usd float8, export_mwh float8, import_mwh float8, hit_rate float8"
    ),
    time_column="evaluated_at",
)
