"""Retraining: the model cards are rebuilt nightly (00:30 UTC) on the closed day."""

import dagster as dg

from grid_intel.defs.forecasting.assets import MODELS_KEY
from grid_intel.defs.partitions import nightly

forecast_models_job = dg.define_asset_job("forecast_models_daily", selection=[MODELS_KEY])
forecast_models_schedule = nightly(forecast_models_job, hour=0, minute=30)

defs = dg.Definitions(jobs=[forecast_models_job], schedules=[forecast_models_schedule])
