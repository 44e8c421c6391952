{{ config(
    pre_hook="{{ clear_window('hour') }}",
    post_hook="{{ hypertable('hour') }}",
) }}

-- Demand per load region and hour: the mean of the EMS area load (MW, so also
-- MWh in the hour) and its peak, from good readings only.
select
    hour,
    region,
    mean_value as demand_mw,
    max_value as peak_mw,
    readings,
    availability
from {{ ref('hourly_station_stats') }}
where asset_kind = 'region'
  and measurement = 'load_mw'
  and {{ in_window('hour', 'hour') }}
