-- Ground truth of the simulator's injected faults, for scoring detectors per event.
create table if not exists ops.fault_labels (
    seed integer not null,
    kind text not null,
    asset text not null,
    start_ts timestamptz not null,
    end_ts timestamptz not null,
    points text[] not null default '{}',
    detail jsonb not null default '{}',
    recorded_at timestamptz not null default now(),
    primary key (seed, kind, asset, start_ts),
    check (end_ts > start_ts)
);
