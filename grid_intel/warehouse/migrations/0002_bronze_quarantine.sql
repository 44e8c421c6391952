-- Messages that failed to decode or validate, kept whole with their offsets.
create table if not exists bronze.quarantine (
    topic text not null,
    kafka_partition integer not null,
    kafka_offset bigint not null,
    record_ts timestamptz,
    key bytea,
    value bytea,
    error text not null,
    quarantined_at timestamptz not null default now(),
    primary key (topic, kafka_partition, kafka_offset)
);
