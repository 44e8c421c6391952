-- Demand forecasting: the daily model cards and their rolling-origin backtests, the
-- hourly-issued forecasts per region and horizon, and their accuracy once actuals land.
create table if not exists gold.forecast_backtests (
    day timestamptz not null,
    region text not null,
    horizon text not null,
    model text not null,
    chosen boolean not null,
    mae double precision not null,
    mape_pct double precision,
    rmae double precision,
    pinball double precision not null,
    coverage double precision not null check (coverage between 0 and 1),
    primary key (day, region, horizon, model)
);

create table if not exists gold.forecast_models (
    day timestamptz not null,
    region text not null,
    horizon text not null,
    model text not null,
    version text not null,
    history_points integer not null,
    importance jsonb not null default '{}',
    trained_at timestamptz not null,
    primary key (day, region, horizon)
);

create table if not exists gold.demand_forecasts (
    issued_at timestamptz not null,
    region text not null,
    horizon text not null,
    ts timestamptz not null,
    yhat double precision not null,
    yhat_p10 double precision not null,
    yhat_p50 double precision not null,
    yhat_p90 double precision not null,
    model text not null,
    model_version text not null,
    primary key (issued_at, region, horizon, ts),
    check (yhat_p10 <= yhat_p50 and yhat_p50 <= yhat_p90)
);
create index if not exists demand_forecasts_target on gold.demand_forecasts (region, horizon, ts);

create table if not exists gold.forecast_accuracy (
    day timestamptz not null,
    region text not null,
    horizon text not null,
    model text not null,
    points integer not null,
    mae double precision not null,
    mape_pct double precision,
    bias double precision not null,
    coverage double precision not null check (coverage between 0 and 1),
    primary key (day, region, horizon, model)
);

comment on table gold.forecast_backtests is
    'Rolling-origin backtest of every candidate model per UTC day, region and horizon: MAE (MW), MAPE, rMAE against seasonal naive, pinball loss of the p10/p50/p90 quantiles and p10-p90 coverage; chosen marks the model card''s pick.';
comment on table gold.forecast_models is
    'The daily model card per region and horizon: the model the backtest chose (version = day and model), the history it learned from and its feature importance (share of gain).';
comment on table gold.demand_forecasts is
    'Demand forecasts (MW) issued at the end of each UTC hour for every load region and the system total, at 15 min, 1 h, 24 h and 7 d, with the p10/p50/p90 quantiles.';
comment on table gold.forecast_accuracy is
    'Forecast against actual demand for targets in each UTC day, per region, horizon and model: MAE, MAPE, bias (actual minus forecast) and p10-p90 coverage.';
