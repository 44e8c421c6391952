"""Retraining: the model cards are rebuilt nightly (00:30 UTC) on the closed day."""

import dagster as dg

from grid_intel.defs.forecasting.assets import MODELS_KEY

forecast_models_job = dg.define_asset_job("forecast_models_daily", selection=[MODELS_KEY])
forecast_models_schedule = dg.build_schedule_from_partitioned_job(
    forecast_models_job,
    hour_of_day=0,
    minute_of_hour=30,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

defs = dg.Definitions(jobs=[forecast_models_job], schedules=[forecast_models_schedule])
