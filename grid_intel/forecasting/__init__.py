"""Demand forecasting (no Dagster): one `forecast()` over XGBoost, Prophet and
statistical baselines, with rolling-origin backtests behind `model="auto"`.

The names below are imported on first use, so importing one submodule for its
constants (as the Dagster definitions do) loads no numerical library.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

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


def __getattr__(name: str) -> object:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
