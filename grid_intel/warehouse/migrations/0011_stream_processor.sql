-- The stream processor's live one-minute aggregates and its per-partition checkpoints.
create table if not exists gold.live_aggregates (
    window_start timestamptz not null,
    source text not null,
    key text not null,
    measure text not null,
    n integer not null check (n > 0),
    mean double precision not null,
    min double precision not null,
    max double precision not null,
    updated_at timestamptz not null default now(),
    primary key (window_start, source, key, measure)
);

create table if not exists ops.stream_checkpoints (
    consumer_group text not null,
    topic text not null,
    partition integer not null,
    next_offset bigint not null check (next_offset >= 0),
    watermark timestamptz,
    alerts_offset bigint not null,
    state bytea not null,
    updated_at timestamptz not null default now(),
    primary key (consumer_group, topic, partition)
);

comment on table gold.live_aggregates is
    'One-minute event-time windows from the stream processor: count, mean, min and max per substation (sensor.readings, by measurement) and per region (grid.frequency: hz, rocof). A window is written once the watermark passes its end; kept for two days.';
comment on table ops.stream_checkpoints is
    'Per consumer group and input partition: the next offset to read, the watermark, the detector and window state (zlib-compressed JSON) and the grid.alerts end offset at that moment. Written in the same transaction as the windows it closed; a restarted processor resumes from here and skips alerts already published after alerts_offset.';
