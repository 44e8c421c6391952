-- Market and carbon analytics on gold: LMP forecasts and their backtests, hourly
-- buy/sell signals, the signal backtest, carbon intensity and its forecast.

create table if not exists gold.lmp_forecasts (
    issued_at timestamptz not null,
    location text not null,
    horizon text not null,
    ts timestamptz not null,
    yhat double precision not null,
    yhat_p10 double precision not null,
    yhat_p50 double precision not null,
    yhat_p90 double precision not null,
    model text not null,
    primary key (issued_at, location, horizon, ts),
    check (yhat_p10 <= yhat_p50 and yhat_p50 <= yhat_p90)
);
comment on table gold.lmp_forecasts is
    'MISO LMP forecasts ($/MWh) at the Manitoba interface (MHEB) and the MINN hub, issued when each hour closes: next_hours (real-time hourly mean, 6 h) and day_ahead (day-ahead LMP, 24 h), with p10/p50/p90.';

create table if not exists gold.lmp_forecast_backtests (
    issued_at timestamptz not null,
    location text not null,
    horizon text not null,
    model text not null,
    chosen boolean not null,
    mae double precision not null,
    rmae double precision,
    pinball double precision not null,
    coverage double precision not null check (coverage between 0 and 1),
    primary key (issued_at, location, horizon, model)
);
comment on table gold.lmp_forecast_backtests is
    'The rolling-origin backtest behind each LMP forecast: every candidate model''s MAE ($/MWh), MAE relative to seasonal naive, pinball loss and p10-p90 coverage; chosen marks the model issued.';

create table if not exists gold.price_signals (
    issued_at timestamptz not null,
    hour timestamptz not null,
    location text not null,
    action text not null check (action in ('export', 'import', 'hold')),
    quantity_mw double precision not null check (quantity_mw >= 0),
    lmp_p10 double precision not null,
    lmp_p50 double precision not null,
    lmp_p90 double precision not null,
    marginal_cost double precision not null,
    expected_value_usd double precision not null,
    confidence double precision not null check (confidence between 0 and 1),
    load_mw double precision not null,
    load_source text not null,
    reason text not null,
    primary key (issued_at, hour)
);
comment on table gold.price_signals is
    'Hourly buy/sell signals against MISO for the next 24 h, issued when each hour closes: export, import or hold, MW within the MHEB-MISO intertie limits and the hydro headroom, the marginal (water or thermal) cost, expected value and the probability the trade is in the money.';

create table if not exists gold.price_signal_backtest (
    evaluated_at timestamptz not null,
    seed integer not null,
    span_start timestamptz not null,
    span_end timestamptz not null,
    strategy text not null,
    pnl_usd double precision not null,
    export_mwh double precision not null,
    import_mwh double precision not null,
    hit_rate double precision,
    primary key (evaluated_at, strategy)
);
comment on table gold.price_signal_backtest is
    'The signal strategy and the naive strategies run over a simulated span (a month by default) on the same hours and headroom: value captured ($, net export x (actual LMP - marginal cost)); one set of rows per materialization.';

create table if not exists gold.carbon_intensity (
    hour timestamptz not null primary key,
    generation_mwh double precision not null,
    imports_mwh double precision not null,
    exports_mwh double precision not null,
    consumption_mwh double precision not null,
    production_g_kwh double precision,
    consumption_g_kwh double precision,
    emissions_t double precision not null,
    consumption_emissions_t double precision not null,
    avoided_average_t double precision not null,
    avoided_marginal_t double precision not null
);
comment on table gold.carbon_intensity is
    'Hourly carbon intensity in g CO2e/kWh (lifecycle factors): production-based (Manitoba generation) and consumption-based (flow tracing: imports carry the exporting zone''s intensity, exports carry Manitoba''s mix); emissions and avoided emissions of exports displacing MISO generation (average and marginal), tonnes CO2e.';

create table if not exists gold.carbon_emissions_by_source (
    hour timestamptz not null,
    source text not null,
    mwh double precision not null,
    tonnes double precision not null,
    primary key (hour, source)
);
comment on table gold.carbon_emissions_by_source is
    'Hourly energy (MWh) and emissions (t CO2e) by source: each generating fuel in Manitoba and each importing zone (import:<zone>).';

create table if not exists gold.carbon_forecast (
    issued_at timestamptz not null,
    ts timestamptz not null,
    yhat double precision not null,
    yhat_p10 double precision not null,
    yhat_p50 double precision not null,
    yhat_p90 double precision not null,
    model text not null,
    primary key (issued_at, ts),
    check (yhat_p10 <= yhat_p50 and yhat_p50 <= yhat_p90)
);
comment on table gold.carbon_forecast is
    'Consumption-based carbon intensity (g CO2e/kWh) forecast for the next 24 h, issued when each hour closes, with p10/p50/p90: when to shift load.';
