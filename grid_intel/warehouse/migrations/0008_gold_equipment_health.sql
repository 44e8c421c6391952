-- Equipment health per asset and UTC day (written by the equipment_health asset),
-- and the fleet heat map the dashboard reads (asset x day, ranked within its kind).
create table if not exists gold.equipment_health (
    day timestamptz not null,
    asset text not null,
    asset_kind text not null,
    substation text,
    region text,
    health_index double precision not null check (health_index between 0 and 100),
    band text not null,
    worst_factor text not null,
    cnaim_health_score double precision not null,
    failure_probability double precision not null check (failure_probability between 0 and 1),
    rul_years double precision,
    rul_low_years double precision,
    rul_high_years double precision,
    factors jsonb not null,
    diagnosis jsonb not null default '{}',
    primary key (day, asset)
);

create table if not exists gold.equipment_health_heatmap (
    day timestamptz not null,
    asset text not null,
    asset_kind text not null,
    region text,
    health_index double precision not null,
    band text not null,
    change_1d double precision,
    fleet_percentile double precision not null,
    primary key (day, asset)
);

comment on table gold.equipment_health is
    'Health index 0-100 (100 as new), band, CNAIM failure probability per year and remaining useful life per transformer, breaker and line and UTC day, with every condition factor and its evidence.';
comment on table gold.equipment_health_heatmap is
    'Fleet heat map: each asset''s health index per UTC day, its change from the day before and its percentile within its kind (0 = worst).';
