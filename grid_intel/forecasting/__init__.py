"""Demand forecasting (no Dagster): one `forecast()` over XGBoost, Prophet and
statistical baselines, with rolling-origin backtests behind `model="auto"`."""

from grid_intel.forecasting.api import MODELS, ForecastReport, forecast, forecast_report
from grid_intel.forecasting.series import ForecastInputError

__all__ = ["MODELS", "ForecastInputError", "ForecastReport", "forecast", "forecast_report"]
