"""Demand forecasting (no Dagster): one `forecast()` over XGBoost, Prophet and
statistical baselines, with rolling-origin backtests behind `model="auto"`.

The names below are imported on first use, so importing one submodule for its
constants (as the Dagster definitions do) loads no numerical library.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from grid_intel.lazy_exports import lazy

_EXPORTS = {
    "MODELS": "api",
    "ForecastReport": "api",
    "forecast": "api",
    "forecast_report": "api",
    "ForecastInputError": "series",
}
__all__ = ["MODELS", "ForecastInputError", "ForecastReport", "forecast", "forecast_report"]

if TYPE_CHECKING:
    from grid_intel.forecasting.api import MODELS, ForecastReport, forecast, forecast_report
    from grid_intel.forecasting.series import ForecastInputError


__getattr__, __dir__ = lazy(__name__, _EXPORTS)
