-- Archive hypertables compress once their days are unlikely to be re-delivered
-- and are kept as long as reliability and market history is needed.
alter table bronze.weather_hourly set (
    timescaledb.compress,
    timescaledb.compress_segmentby = 'climate_id',
    timescaledb.compress_orderby = 'ts'
);
alter table bronze.miso_lmp set (
    timescaledb.compress,
    timescaledb.compress_segmentby = 'location, market',
    timescaledb.compress_orderby = 'interval_start'
);
select add_compression_policy('bronze.weather_hourly', interval '30 days', if_not_exists => true);
select add_compression_policy('bronze.miso_lmp', interval '30 days', if_not_exists => true);
select add_retention_policy('bronze.weather_hourly', interval '3650 days', if_not_exists => true);
select add_retention_policy('bronze.miso_lmp', interval '3650 days', if_not_exists => true);
select add_retention_policy('bronze.outages', interval '3650 days', if_not_exists => true);
select add_retention_policy('bronze.work_orders', interval '3650 days', if_not_exists => true);
