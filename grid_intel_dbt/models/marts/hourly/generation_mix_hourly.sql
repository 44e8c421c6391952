{{ config(
    pre_hook="{{ clear_window('hour') }}",
    post_hook="{{ hypertable('hour') }}",
) }}

-- Generation per fuel and hour (mean MW of each station's output, summed), and
-- each fuel's share of the hour's total.
with by_fuel as (
    select
        s.hour,
        st.fuel,
        sum(s.mean_value) as generation_mw,
        count(*) as stations
    from {{ ref('hourly_station_stats') }} as s
    join {{ ref('stations') }} as st on st.station = s.asset
    where s.asset_kind = 'station'
      and s.measurement = 'active_power_mw'
      and {{ in_window('s.hour', 'hour') }}
    group by 1, 2
)

select
    hour,
    fuel,
    generation_mw,
    stations,
    100.0 * generation_mw / nullif(sum(generation_mw) over (partition by hour), 0) as share_pct
from by_fuel
