-- Raw SCADA readings (one row per point of an RTU scan), MISO prices and alerts,
-- as hypertables of 1-day chunks. Chunks are compressed once Kafka no longer
-- holds their messages (7 days; 30 for prices), so a window can still be
-- replaced while it can be re-read, and dropped by the retention policies.
create table if not exists bronze.sensor_readings (
    ts timestamptz not null,
    rtu text not null,
    substation text not null,
    point_id text not null,
    value double precision,
    quality text,
    seq bigint not null,
    schema_version smallint not null,
    kafka_partition integer not null,
    kafka_offset bigint not null,
    ingested_at timestamptz not null default now()
);
select create_hypertable('bronze.sensor_readings', by_range('ts', interval '1 day'),
                         if_not_exists => true);

create table if not exists bronze.market_prices (
    ts timestamptz not null,
    market text not null,
    node text not null,
    location_type text not null,
    interval_minutes smallint not null,
    lmp double precision not null,
    mec double precision not null,
    mcc double precision not null,
    mlc double precision not null,
    schema_version smallint not null,
    kafka_partition integer not null,
    kafka_offset bigint not null,
    ingested_at timestamptz not null default now(),
    unique (ts, kafka_partition, kafka_offset)
);
select create_hypertable('bronze.market_prices', by_range('ts', interval '1 day'),
                         if_not_exists => true);

create table if not exists bronze.grid_alerts (
    ts timestamptz not null,
    alert_id text not null,
    asset text not null,
    kind text not null,
    severity text not null,
    message text not null,
    detail jsonb not null default '{}',
    schema_version smallint not null,
    kafka_partition integer not null,
    kafka_offset bigint not null,
    ingested_at timestamptz not null default now(),
    unique (ts, kafka_partition, kafka_offset)
);
select create_hypertable('bronze.grid_alerts', by_range('ts', interval '1 day'),
                         if_not_exists => true);

alter table bronze.sensor_readings set (
    timescaledb.compress,
    timescaledb.compress_segmentby = 'point_id',
    timescaledb.compress_orderby = 'ts'
);
alter table bronze.grid_frequency set (
    timescaledb.compress,
    timescaledb.compress_segmentby = 'region',
    timescaledb.compress_orderby = 'ts'
);
alter table bronze.market_prices set (
    timescaledb.compress,
    timescaledb.compress_segmentby = 'node, market',
    timescaledb.compress_orderby = 'ts'
);
alter table bronze.grid_alerts set (
    timescaledb.compress,
    timescaledb.compress_segmentby = 'asset',
    timescaledb.compress_orderby = 'ts'
);
select add_compression_policy('bronze.sensor_readings', interval '7 days', if_not_exists => true);
select add_compression_policy('bronze.grid_frequency', interval '7 days', if_not_exists => true);
select add_compression_policy('bronze.market_prices', interval '30 days', if_not_exists => true);
select add_compression_policy('bronze.grid_alerts', interval '7 days', if_not_exists => true);
select add_retention_policy('bronze.sensor_readings', interval '400 days', if_not_exists => true);
select add_retention_policy('bronze.grid_frequency', interval '400 days', if_not_exists => true);
select add_retention_policy('bronze.market_prices', interval '1100 days', if_not_exists => true);
select add_retention_policy('bronze.grid_alerts', interval '1100 days', if_not_exists => true);
