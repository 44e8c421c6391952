-- Bronze load bookkeeping for monitoring: one row per load attempt of a topic window
-- (ok or failed), and per Kafka partition the next offset after the highest one in
-- bronze. `grid-intel exporter` turns both into Prometheus metrics with a few index
-- lookups, never scanning the bronze tables.
create table if not exists ops.ingestion_runs (
    id bigint generated always as identity primary key,
    asset text not null,
    topic text not null,
    partition_key text not null,
    window_start timestamptz not null,
    window_end timestamptz not null,
    status text not null check (status in ('ok', 'failed')),
    rows_loaded bigint not null default 0 check (rows_loaded >= 0),
    rows_quarantined bigint not null default 0 check (rows_quarantined >= 0),
    messages bigint not null default 0 check (messages >= 0),
    duration_s double precision not null check (duration_s >= 0),
    run_id text,
    error text,
    finished_at timestamptz not null default now()
);

-- The latest successful load per topic (freshness, last duration): one index probe.
create index if not exists ingestion_runs_latest_ok
    on ops.ingestion_runs (topic, finished_at desc) where status = 'ok';
-- Totals per topic and status from the index alone.
create index if not exists ingestion_runs_totals
    on ops.ingestion_runs (topic, status) include (rows_loaded, rows_quarantined);

create table if not exists ops.ingestion_offsets (
    topic text not null,
    kafka_partition integer not null,
    next_offset bigint not null check (next_offset >= 0),
    updated_at timestamptz not null default now(),
    primary key (topic, kafka_partition)
);

comment on table ops.ingestion_runs is
    'One row per bronze load attempt of a Kafka topic window: ok with the rows loaded and quarantined, or failed with the error (the run still fails with it). duration_s is the whole attempt. Written by the bronze assets; read by grid-intel exporter.';
comment on table ops.ingestion_offsets is
    'Per topic and Kafka partition, one past the highest offset any successful bronze load wrote (rows or quarantine); never moves back. The broker end offset minus this is the ingestion lag grid-intel exporter reports.';
