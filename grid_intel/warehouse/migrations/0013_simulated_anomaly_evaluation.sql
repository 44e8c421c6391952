-- Both detection paths over a simulated span with every fault kind injected, per run.
create table if not exists gold.anomaly_evaluation_simulated (
    evaluated_at timestamptz not null,
    seed integer not null,
    span_start timestamptz not null,
    span_end timestamptz not null,
    faults_per_day double precision not null,
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
    primary key (evaluated_at, path, kind)
);

comment on table gold.anomaly_evaluation_simulated is
    'The batch and stream detectors run over a simulated span (a week by default) with every fault kind injected, scored against the simulator''s labels per fault kind; one set of rows per materialization.';
