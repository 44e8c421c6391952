-- The fitted model behind each daily model card, so hourly issues predict without
-- fitting: the chosen model's state (seasons and level, or boosters) and the backtest
-- errors its quantiles come from, pickled and zlib-compressed by the pipeline. Only the
-- pipeline role writes it; it is loaded by the forecast assets and nothing else.
alter table gold.forecast_models add column if not exists fitted bytea;

comment on column gold.forecast_models.fitted is
    'The fitted forecaster (grid_intel.forecasting.api.Forecaster), pickled and zlib-compressed; null for cards written before artifacts were kept.';
