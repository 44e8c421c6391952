{{ config(
    pre_hook="{{ clear_window('hour') }}",
    post_hook="{{ hypertable('hour') }}",
) }}

-- Hourly prices at the Manitoba interface (MHEB) and the MINN hub: the
-- day-ahead LMP and components, the mean of the twelve real-time 5-minute
-- intervals, and the real-time minus day-ahead spread.
with priced as (
    select
        date_trunc('hour', interval_start, 'UTC') as hour,
        location,
        market,
        lmp,
        energy,
        congestion,
        loss
    from {{ ref('market_prices') }}
    where location in ('MHEB', 'MINN.HUB')
      and {{ in_window('interval_start', 'hour') }}
)

select
    hour,
    location,
    avg(lmp) filter (where market = 'DAY_AHEAD_HOURLY') as da_lmp,
    avg(energy) filter (where market = 'DAY_AHEAD_HOURLY') as da_energy,
    avg(congestion) filter (where market = 'DAY_AHEAD_HOURLY') as da_congestion,
    avg(loss) filter (where market = 'DAY_AHEAD_HOURLY') as da_loss,
    avg(lmp) filter (where market = 'REAL_TIME_5_MIN') as rt_lmp,
    avg(energy) filter (where market = 'REAL_TIME_5_MIN') as rt_energy,
    avg(congestion) filter (where market = 'REAL_TIME_5_MIN') as rt_congestion,
    avg(loss) filter (where market = 'REAL_TIME_5_MIN') as rt_loss,
    count(*) filter (where market = 'REAL_TIME_5_MIN') as rt_intervals,
    avg(lmp) filter (where market = 'REAL_TIME_5_MIN')
        - avg(lmp) filter (where market = 'DAY_AHEAD_HOURLY') as rt_da_spread
from priced
group by 1, 2
