{{ config(
    pre_hook="{{ clear_window('day', grain='day') }}",
) }}

-- Capacity factor per generating station and UTC day: energy produced over
-- what the installed capacity could have produced in the hours reported.
with hourly as (
    select
        date_trunc('day', s.hour, 'UTC') as day,
        s.asset as station,
        s.mean_value as mw
    from {{ ref('hourly_station_stats') }} as s
    where s.asset_kind = 'station'
      and s.measurement = 'active_power_mw'
      and s.mean_value is not null
      and {{ in_window('s.hour', 'day', 'day') }}
)

select
    h.day,
    h.station,
    st.fuel,
    st.capacity_mw,
    sum(h.mw) as energy_mwh,
    count(*) as hours_reported,
    sum(h.mw) / nullif(st.capacity_mw * count(*), 0) as capacity_factor
from hourly as h
join {{ ref('stations') }} as st on st.station = h.station
group by 1, 2, 3, 4
