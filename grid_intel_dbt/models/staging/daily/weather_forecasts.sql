{{ config(
    pre_hook="{{ clear_window('issued_utc') }}",
    post_hook="{{ hypertable('issued_utc') }}",
) }}

-- Day-ahead weather forecasts per load region and valid hour, one row per issue: the
-- covariates demand forecasts read (the latest issue before a forecast's origin).
-- Heating degrees below the 16 °C balance point of Manitoba's electric heating are
-- derived here so every consumer uses the same definition.
select distinct on (issued_utc, region, valid_utc)
    issued_utc,
    valid_utc,
    lead_hours,
    region,
    temp_c,
    greatest(16.0 - temp_c, 0.0) as heating_degrees,
    wind_speed_kmh,
    wind_chill
from {{ source('bronze', 'weather_forecasts') }}
where {{ in_window('issued_utc', 'issued_utc') }}
order by issued_utc, region, valid_utc, loaded_at desc
