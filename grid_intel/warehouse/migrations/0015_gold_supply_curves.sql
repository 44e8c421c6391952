-- The supply curve behind each hourly signal issue.
create table if not exists gold.supply_curves (
    issued_at timestamptz not null,
    hour timestamptz not null,
    source text not null,
    mw double precision not null check (mw >= 0),
    cost double precision not null,
    cum_mw double precision not null,
    primary key (issued_at, hour, source)
);
comment on table gold.supply_curves is
    'Manitoba''s supply curve per hour behind each signal issue, in merit order: wind and must-run hydro at $0, flexible hydro at the water value, Brandon at heat rate x gas price + O&M, MISO imports at the forecast LMP (p50) plus the import adder; $/MWh and MW.';
