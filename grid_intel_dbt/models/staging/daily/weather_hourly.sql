{{ config(
    pre_hook="{{ clear_window('ts') }}",
    post_hook="{{ hypertable('ts') }}",
) }}

-- ECCC hourly observations per load region (the region's climate station), in
-- UTC. ECCC's data-quality flags are kept together: "M" missing, "E" estimated.
select distinct on (w.climate_id, w.ts)
    w.ts,
    c.region,
    w.climate_id,
    w.station_name,
    w.temp_c,
    w.dew_point_c,
    w.rel_hum_pct,
    w.precip_mm,
    w.wind_dir_deg,
    w.wind_speed_kmh,
    w.station_pressure_kpa,
    w.humidex,
    w.wind_chill,
    w.weather,
    nullif(concat_ws(',',
        case when w.temp_flag is not null then 'temp:' || w.temp_flag end,
        case when w.dew_point_flag is not null then 'dew_point:' || w.dew_point_flag end,
        case when w.rel_hum_flag is not null then 'rel_hum:' || w.rel_hum_flag end,
        case when w.wind_speed_flag is not null then 'wind_speed:' || w.wind_speed_flag end
    ), '') as quality_flags
from {{ source('bronze', 'weather_hourly') }} as w
left join {{ ref('climate_stations') }} as c on c.climate_id = w.climate_id
where {{ in_window('w.ts') }}
order by w.climate_id, w.ts, w.loaded_at desc
