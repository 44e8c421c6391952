-- Day-ahead weather forecasts per load region, as the provider's daily export lands
-- (one file per 00 UTC issue), a hypertable of 1-day chunks on the issue time; each
-- day is replaced whole.
create table if not exists bronze.weather_forecasts (
    issued_utc timestamptz not null,
    valid_utc timestamptz not null,
    lead_hours integer not null,
    region text not null,
    temp_c double precision not null,
    wind_speed_kmh double precision not null,
    wind_chill double precision,
    source_file text not null,
    source_line integer,
    loaded_at timestamptz not null default now()
);
comment on column bronze.weather_forecasts.issued_utc is
    'When the forecast run was issued; its UTC day is the partition, as it is the day of the export file.';

select create_hypertable('bronze.weather_forecasts', by_range('issued_utc', interval '1 day'),
                         if_not_exists => true);
select add_retention_policy('bronze.weather_forecasts', interval '3650 days', if_not_exists => true);
