-- Raw grid.frequency messages, one row per message, as a hypertable of 1-day chunks.
create table if not exists bronze.grid_frequency (
    ts timestamptz not null,
    region text not null,
    frequency_hz double precision not null,
    rocof_hz_per_s double precision,
    schema_version smallint not null,
    kafka_partition integer not null,
    kafka_offset bigint not null,
    ingested_at timestamptz not null default now(),
    unique (ts, kafka_partition, kafka_offset)
);
select create_hypertable('bronze.grid_frequency', by_range('ts', interval '1 day'),
                         if_not_exists => true);
