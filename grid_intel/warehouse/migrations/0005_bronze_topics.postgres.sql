-- Raw SCADA readings (one row per point of an RTU scan), MISO prices and alerts,
-- range-partitioned by day. No unique index on the hot readings table: each
-- hourly window is replaced whole in one transaction, and a BRIN index on the
-- event time finds a window's rows (they are written together, so stay together).
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
) partition by range (ts);
create index if not exists sensor_readings_ts_brin on bronze.sensor_readings using brin (ts);

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
) partition by range (ts);

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
) partition by range (ts);

create index if not exists grid_frequency_ts_brin on bronze.grid_frequency using brin (ts);
