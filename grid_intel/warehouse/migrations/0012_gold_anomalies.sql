-- Anomaly detection: merged events per hour, multivariate scores per asset and hour,
-- and the detectors scored against the simulator's labelled faults.
create table if not exists gold.anomaly_events (
    hour timestamptz not null,
    asset text not null,
    kind text not null,
    start_ts timestamptz not null,
    end_ts timestamptz not null,
    severity double precision not null,
    detected_at timestamptz,
    evidence jsonb not null default '{}',
    check (end_ts >= start_ts)
);
create index if not exists anomaly_events_hour on gold.anomaly_events (hour);
create index if not exists anomaly_events_asset on gold.anomaly_events (asset, start_ts);

create table if not exists gold.anomaly_scores (
    hour timestamptz not null,
    asset text not null,
    asset_kind text not null,
    peer_group text not null,
    detector text not null,
    score double precision not null,
    rank integer not null,
    flagged boolean not null,
    primary key (hour, peer_group, detector, asset)
);

create table if not exists gold.anomaly_evaluation (
    day timestamptz not null,
    path text not null check (path in ('batch', 'stream')),
    kind text not null,
    faults integer not null,
    found integer not null,
    events integer not null,
    true_events integer not null,
    precision double precision not null,
    recall double precision not null,
    f1 double precision not null,
    median_delay_s double precision,
    primary key (day, path, kind)
);

comment on table gold.anomaly_events is
    'Anomaly events found in each UTC hour by the batch detectors: stuck sensors, spikes, dropouts, breaker chatter, transformer overheating (thermal-model residual), line overload, dissolved-gas rate of rise and frequency excursions/oscillations; one row per asset, kind and run of flagged readings, evidence as JSON.';
comment on table gold.anomaly_scores is
    'PyOD Isolation Forest and ECOD scores per asset and hour within its peer group (transformers, their gases, lines, breakers); rank 1 is the strangest, flagged the top share by contamination.';
comment on table gold.anomaly_evaluation is
    'Batch events (gold.anomaly_events) and stream alerts (bronze.grid_alerts) of each UTC day scored against ops.fault_labels: event-level precision, recall, F1 and median detection delay per fault kind.';
