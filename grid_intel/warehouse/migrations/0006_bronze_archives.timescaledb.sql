-- Archive files from the landing folder (ECCC weather, MISO LMP files, OMS outages,
-- EAM work orders, the asset registry, GIS); the time-based ones are hypertables
-- of 1-day chunks on the column that says which UTC day a row belongs to.
create table if not exists bronze.weather_hourly (
    station_name text not null,
    climate_id text not null,
    longitude double precision,
    latitude double precision,
    ts timestamptz not null,
    temp_c double precision,
    dew_point_c double precision,
    rel_hum_pct double precision,
    precip_mm double precision,
    wind_dir_deg double precision,
    wind_speed_kmh double precision,
    visibility_km double precision,
    station_pressure_kpa double precision,
    humidex double precision,
    wind_chill double precision,
    temp_flag text,
    dew_point_flag text,
    rel_hum_flag text,
    precip_flag text,
    wind_dir_flag text,
    wind_speed_flag text,
    visibility_flag text,
    station_pressure_flag text,
    humidex_flag text,
    wind_chill_flag text,
    weather text,
    source_file text not null,
    source_line integer,
    loaded_at timestamptz not null default now()
);
comment on column bronze.weather_hourly.ts is
    'Start of the observed hour in UTC (ECCC files are in LST, UTC-6); its UTC day is the partition.';

create table if not exists bronze.miso_lmp (
    interval_start timestamptz not null,
    interval_end timestamptz not null,
    market text not null,
    location text not null,
    location_type text,
    lmp double precision not null,
    energy double precision not null,
    congestion double precision not null,
    loss double precision not null,
    source_file text not null,
    loaded_at timestamptz not null default now()
);
comment on column bronze.miso_lmp.interval_start is
    'Interval start in UTC (MISO files are in EST); its UTC day is the partition, so a market '
    'day (05:00-05:00 UTC) spans two partitions.';

create table if not exists bronze.outages (
    outage_id text not null,
    start_utc timestamptz not null,
    end_utc timestamptz not null,
    duration_min double precision not null,
    breaker text not null,
    protected_asset text not null,
    substation text not null,
    region text not null,
    customers_affected integer not null,
    customer_minutes double precision not null,
    cause text not null,
    momentary boolean not null,
    source_file text not null,
    source_line integer,
    loaded_at timestamptz not null default now()
);
comment on column bronze.outages.start_utc is
    'When supply was lost; its UTC day is the partition, as it is the day of the OMS export file.';

create table if not exists bronze.work_orders (
    ts timestamptz not null,
    work_order_id text not null,
    asset text not null,
    asset_kind text not null,
    substation text not null,
    region text not null,
    kind text not null,
    status text not null,
    priority integer not null,
    planned_start_utc timestamptz,
    opened_utc timestamptz,
    completed_utc timestamptz,
    crew_hours double precision not null,
    outage_id text,
    breakers_opened text[] not null,
    notes text,
    source_file text not null,
    source_line integer,
    loaded_at timestamptz not null default now()
);
comment on column bronze.work_orders.ts is
    'opened_utc, or planned_start_utc for work never opened: the time the EAM export files the '
    'order under; its UTC day is the partition.';

-- Unpartitioned reference data, replaced whole on each load.
create table if not exists bronze.asset_registry (
    kind text not null,
    id text not null,
    attributes jsonb not null,
    source_file text not null,
    source_line integer,
    loaded_at timestamptz not null default now(),
    primary key (kind, id)
);

create table if not exists bronze.gis_features (
    id text not null,
    kind text not null,
    name text,
    region text,
    voltage_kv double precision,
    geometry text not null,
    lon double precision not null,
    lat double precision not null,
    lon_end double precision not null,
    lat_end double precision not null,
    properties jsonb not null,
    source_file text not null,
    source_line integer,
    loaded_at timestamptz not null default now(),
    primary key (kind, id)
);
comment on column bronze.gis_features.lon is
    'First vertex (WGS 84); lon_end/lat_end the last: a point has both the same.';

-- Rows of landing files that could not be read, kept with file and line.
create table if not exists bronze.file_quarantine (
    source text not null,
    path text not null,
    line integer not null,
    raw text not null,
    error text not null,
    quarantined_at timestamptz not null default now(),
    primary key (path, line)
);
comment on column bronze.file_quarantine.path is
    'The file, relative to the landing folder; line is 1-based (0: the line is unknown).';

select create_hypertable('bronze.weather_hourly', by_range('ts', interval '1 day'),
                         if_not_exists => true);
select create_hypertable('bronze.miso_lmp', by_range('interval_start', interval '1 day'),
                         if_not_exists => true);
select create_hypertable('bronze.outages', by_range('start_utc', interval '1 day'),
                         if_not_exists => true);
select create_hypertable('bronze.work_orders', by_range('ts', interval '1 day'),
                         if_not_exists => true);
